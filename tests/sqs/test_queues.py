"""Queues: create (idempotent), URLs and ARNs, listing, deleting, attributes."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import error_of


def test_create_queue_returns_url_for_account_and_region(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn == "arn:aws:sqs:us-east-1:123456789012:orders"


def test_queues_are_per_region(aws: Cloud) -> None:
    east = boto3.client("sqs", region_name="us-east-1")
    west = boto3.client("sqs", region_name="eu-west-1")
    url = west.create_queue(QueueName="orders")["QueueUrl"]
    assert url == "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
    with pytest.raises(east.exceptions.QueueDoesNotExist):
        east.get_queue_url(QueueName="orders")


def test_create_queue_is_idempotent_with_same_attributes(sqs: Any) -> None:
    first = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    again = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    plain = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert first == again == plain


def test_create_queue_with_different_attributes_fails(sqs: Any) -> None:
    sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60"})
    with pytest.raises(sqs.exceptions.QueueNameExists) as excinfo:
        sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "61"})
    assert error_of(excinfo) == (
        "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout",
    )


def test_create_queue_is_idempotent_however_the_policies_are_spelled(sqs: Any, make_queue: QueueFactory) -> None:
    dlq_arn = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
    make_queue("orders-dlq")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*"}]}
    attributes = {
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}),
        "Policy": json.dumps(policy),
    }
    url = sqs.create_queue(QueueName="orders", Attributes=attributes)["QueueUrl"]
    respelled = {
        "RedrivePolicy": json.dumps({"maxReceiveCount": "3", "deadLetterTargetArn": dlq_arn}, indent=2),
        "Policy": json.dumps(policy, separators=(",", ":")),
    }
    assert sqs.create_queue(QueueName="orders", Attributes=respelled)["QueueUrl"] == url
    different = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4})}
    with pytest.raises(sqs.exceptions.QueueNameExists):
        sqs.create_queue(QueueName="orders", Attributes=different)


@pytest.mark.parametrize("name", ["", "a" * 81, "has space", "dot.name", "x.fifo"])
def test_invalid_standard_queue_names(sqs: Any, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    )


def test_fifo_queue_name_must_end_with_fifo(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="orders", Attributes={"FifoQueue": "true"})
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert "must end with .fifo suffix" in message


def test_get_queue_url_of_missing_queue(sqs: Any) -> None:
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="missing")
    assert error_of(excinfo) == ("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_get_queue_url_with_owner_account(aws: Cloud) -> None:
    other = aws.call("sqs", "CreateQueue", {"QueueName": "shared"}, account_id="210987654321")
    sqs = boto3.client("sqs", region_name="us-east-1")
    found = sqs.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId="210987654321")
    assert found["QueueUrl"] == other["QueueUrl"] == "https://sqs.us-east-1.amazonaws.com/210987654321/shared"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="shared")
    # The URL reaches the other account's queue.
    sqs.send_message(QueueUrl=found["QueueUrl"], MessageBody="cross-account")
    assert aws.sqs.queue("shared", account_id="210987654321").bodies == ["cross-account"]


def test_a_bare_queue_name_works_as_queue_url(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    make_queue("orders")
    sqs.send_message(QueueUrl="orders", MessageBody="by name")
    assert aws.sqs.queue("orders").bodies == ["by name"]


@pytest.mark.parametrize("queue_url", ["not-a-queue", "https://example.com/orders", "arn:aws:sqs:us-east-1:1:q"])
def test_a_queue_url_that_names_no_queue(sqs: Any, make_queue: QueueFactory, queue_url: str) -> None:
    make_queue("orders")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    assert error_of(excinfo) == ("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")


def test_list_queues_with_prefix(sqs: Any, make_queue: QueueFactory) -> None:
    for name in ("orders", "orders-dlq", "payments"):
        make_queue(name)
    listed = sqs.list_queues(QueueNamePrefix="orders")["QueueUrls"]
    assert [u.rsplit("/", 1)[1] for u in listed] == ["orders", "orders-dlq"]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="nothing")


def test_list_queues_paginates_only_with_max_results(sqs: Any, make_queue: QueueFactory) -> None:
    for index in range(5):
        make_queue(f"q{index}")
    everything = sqs.list_queues()
    assert len(everything["QueueUrls"]) == 5
    assert "NextToken" not in everything
    first = sqs.list_queues(MaxResults=2)
    assert [u.rsplit("/", 1)[1] for u in first["QueueUrls"]] == ["q0", "q1"]
    rest = sqs.list_queues(MaxResults=10, NextToken=first["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in rest["QueueUrls"]] == ["q2", "q3", "q4"]
    assert "NextToken" not in rest
    pages = sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 2})
    names = [u.rsplit("/", 1)[1] for page in pages for u in page["QueueUrls"]]
    assert names == ["q0", "q1", "q2", "q3", "q4"]


def test_list_queues_max_results_range(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues(MaxResults=1001)
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_delete_queue_then_recreate_within_60_seconds(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="orders")
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as excinfo:
        sqs.create_queue(QueueName="orders")
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
    )
    aws.clock.advance(60)
    assert sqs.create_queue(QueueName="orders")["QueueUrl"] == url


def test_deleted_queue_is_gone_for_every_operation(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.delete_queue(QueueUrl=url)


def test_default_attributes(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert {k: v for k, v in found.items() if not k.endswith("Timestamp")} == {
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:orders",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }
    assert found["CreatedTimestamp"] == found["LastModifiedTimestamp"]


def test_fifo_default_attributes(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert found["FifoQueue"] == "true"
    assert found["ContentBasedDeduplication"] == "false"
    assert found["DeduplicationScope"] == "queue"
    assert found["FifoThroughputLimit"] == "perQueue"


def test_get_only_the_attributes_asked_for(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders", VisibilityTimeout=45)
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"])
    assert found["Attributes"] == {"VisibilityTimeout": "45", "DelaySeconds": "0"}
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)


def test_get_unknown_attribute(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"])
    assert error_of(excinfo) == ("InvalidAttributeName", "Unknown Attribute Colour.")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DelaySeconds", "901"),
        ("DelaySeconds", "-1"),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "1048577"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("VisibilityTimeout", "43201"),
        ("VisibilityTimeout", "soon"),
        ("KmsDataKeyReusePeriodSeconds", "59"),
        ("SqsManagedSseEnabled", "maybe"),
        ("Policy", "{not json"),
    ],
)
def test_attribute_ranges(sqs: Any, name: str, value: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="orders", Attributes={name: value})
    assert error_of(excinfo) == ("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DelaySeconds", "900"),
        ("MaximumMessageSize", "1024"),
        ("MessageRetentionPeriod", "1209600"),
        ("ReceiveMessageWaitTimeSeconds", "20"),
        ("VisibilityTimeout", "0"),
        ("KmsDataKeyReusePeriodSeconds", "86400"),
    ],
)
def test_attribute_range_limits_are_accepted(sqs: Any, name: str, value: str) -> None:
    url = sqs.create_queue(QueueName="orders", Attributes={name: value})["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"] == {name: value}


def test_unknown_and_read_only_attributes_are_refused(sqs: Any, make_queue: QueueFactory) -> None:
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
        sqs.create_queue(QueueName="orders", Attributes={"QueueArn": "arn:aws:sqs:us-east-1:1:x"})
    assert error_of(excinfo) == ("InvalidAttributeName", "Unknown Attribute QueueArn.")
    url = make_queue("standard")
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    # Even FifoQueue=false, which the docs list as valid, is refused on a standard queue.
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as excinfo:
        sqs.create_queue(QueueName="plain", Attributes={"FifoQueue": "false"})
    assert error_of(excinfo) == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")


def test_set_queue_attributes(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")  # whole seconds: the timestamps are truncated
    url = make_queue("orders")
    created = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["LastModifiedTimestamp"])["Attributes"]
    aws.clock.advance(5)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "120", "DelaySeconds": "5"})
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (found["VisibilityTimeout"], found["DelaySeconds"]) == ("120", "5")
    assert int(found["LastModifiedTimestamp"]) == int(created["LastModifiedTimestamp"]) + 5


def test_fifo_queue_type_cannot_change(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    with pytest.raises(ClientError) as excinfo:  # no modelled class for it on older botocore
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert error_of(excinfo) == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoQueue"])["Attributes"]
    assert found == {"FifoQueue": "true"}


def test_high_throughput_fifo_needs_per_group_deduplication(sqs: Any, make_queue: QueueFactory) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_queue("orders.fifo", FifoThroughputLimit="perMessageGroupId")
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    url = make_queue("fast.fifo", FifoThroughputLimit="perMessageGroupId", DeduplicationScope="messageGroup")
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["FifoThroughputLimit", "DeduplicationScope"])
    assert found["Attributes"] == {"FifoThroughputLimit": "perMessageGroupId", "DeduplicationScope": "messageGroup"}


def test_kms_key_switches_off_sqs_managed_encryption(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert found["KmsMasterKeyId"] == "alias/aws/sqs"
    assert found["KmsDataKeyReusePeriodSeconds"] == "300"
    assert found["SqsManagedSseEnabled"] == "false"


def test_policy_attribute_round_trips(sqs: Any, make_queue: QueueFactory) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*"}]}
    url = make_queue("orders", Policy=policy)
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(found["Policy"]) == policy
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])


@pytest.mark.parametrize(
    "legacy",
    [
        "https://queue.amazonaws.com/123456789012/orders",
        "https://us-east-1.queue.amazonaws.com/123456789012/orders",
        "http://localhost:4566/123456789012/orders",
    ],
)
def test_legacy_and_local_queue_urls_reach_the_queue(
    aws: Cloud, sqs: Any, make_queue: QueueFactory, legacy: str
) -> None:
    make_queue("orders")
    sqs.send_message(QueueUrl=legacy, MessageBody="via " + legacy)
    assert aws.sqs.queue("orders").bodies == ["via " + legacy]
