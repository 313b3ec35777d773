"""Topics: creation and its validation, attributes, tags, permissions, data protection, paging."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

ARN = "arn:aws:sns:us-east-1:123456789012:"


def test_create_topic_returns_its_arn_and_is_idempotent(sns: Any) -> None:
    first = sns.create_topic(Name="orders")["TopicArn"]
    assert first == ARN + "orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == first
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [first]


def test_recreating_with_different_attributes_is_refused(sns: Any) -> None:
    sns.create_topic(Name="orders", Attributes={"DisplayName": "Orders"})
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_topic(Name="orders", Attributes={"DisplayName": "Other"})
    assert "Topic already exists with different attributes" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize("name", ["", "has space", "x" * 257, "dots.are.bad", "a.fifo"])
def test_invalid_topic_names(sns: Any, name: str) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_topic(Name=name)
    assert caught.value.response["Error"]["Message"] == "Invalid parameter: Topic Name"


def test_fifo_topics_need_the_suffix(sns: Any) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_topic(Name="orders", Attributes={"FifoTopic": "true"})
    assert "Fifo Topic names must end with .fifo" in caught.value.response["Error"]["Message"]
    arn = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"


def test_default_attributes(sns: Any) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["Owner"] == "123456789012"
    assert attributes["DisplayName"] == ""
    assert attributes["SubscriptionsConfirmed"] == "0"
    assert "FifoTopic" not in attributes
    assert "SignatureVersion" not in attributes
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {"AWS:SourceOwner": "123456789012"}}
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3


def test_set_topic_attributes(sns: Any) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Orders")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="TracingConfig", AttributeValue="Active")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (attributes["DisplayName"], attributes["SignatureVersion"], attributes["TracingConfig"]) == (
        "Orders",
        "2",
        "Active",
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SignatureVersion", "3", "Invalid parameter: SignatureVersion Reason: must be 1 or 2"),
        ("NoSuchAttribute", "x", "Invalid parameter: AttributeName"),
        ("FifoTopic", "true", "Invalid parameter: AttributeName"),
        ("ContentBasedDeduplication", "true", "only valid for FIFO topics"),
        ("DeliveryPolicy", "{", "Invalid parameter: DeliveryPolicy: failed to parse JSON."),
        ("DeliveryPolicy", json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 101}}}), "numRetries"),
        (
            "DeliveryPolicy",
            json.dumps({"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 30, "maxDelayTarget": 20}}}),
            "minDelayTarget must be less than or equal to maxDelayTarget",
        ),
        (
            "DeliveryPolicy",
            json.dumps(
                {"http": {"defaultHealthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60}}}
            ),
            "total retry time cannot be greater than 3600 seconds",
        ),
        ("MaximumMessageSize", "100", "1024 to 1048576"),
        ("Policy", "not json", "Invalid parameter: Policy"),
    ],
)
def test_invalid_topic_attributes(sns: Any, name: str, value: str, message: str) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)
    assert message in caught.value.response["Error"]["Message"]


def test_unknown_topic_is_not_found(sns: Any) -> None:
    with pytest.raises(sns.exceptions.NotFoundException) as caught:
        sns.get_topic_attributes(TopicArn=ARN + "missing")
    error = caught.value.response["Error"]
    assert (error["Type"], error["Code"], error["Message"]) == ("Sender", "NotFound", "Topic does not exist")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete_topic_removes_subscriptions_and_is_idempotent(sns: Any, aws: Cloud) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    aws.lambdas.register("fn", lambda e, c: None)
    sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=aws.lambdas.arn("fn"))
    sns.delete_topic(TopicArn=arn)
    sns.delete_topic(TopicArn=arn)
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_list_topics_pages_by_100(sns: Any) -> None:
    for i in range(205):
        sns.create_topic(Name=f"t{i:03d}")
    first = sns.list_topics()
    assert len(first["Topics"]) == 100
    assert "NextToken" in first
    pages = list(sns.get_paginator("list_topics").paginate())
    assert [len(p["Topics"]) for p in pages] == [100, 100, 5]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.list_topics(NextToken="garbage!")


def test_topics_are_regional(aws: Cloud, sns: Any) -> None:
    sns.create_topic(Name="orders")
    west = boto3.client("sns", region_name="us-west-2")
    assert west.list_topics()["Topics"] == []
    with pytest.raises(west.exceptions.InvalidParameterException):
        west.get_topic_attributes(TopicArn=ARN + "orders")


# -- tags ---------------------------------------------------------------------------------


def test_tags(sns: Any) -> None:
    arn = sns.create_topic(Name="orders", Tags=[{"Key": "team", "Value": "billing"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}])
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]


def test_tag_errors(sns: Any) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    with pytest.raises(sns.exceptions.ResourceNotFoundException):
        sns.list_tags_for_resource(ResourceArn=ARN + "missing")
    with pytest.raises(sns.exceptions.TagLimitExceededException):
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="orders", Tags=[{"Key": "aws:reserved", "Value": "x"}])


def test_recreating_with_different_tags_is_refused(sns: Any) -> None:
    sns.create_topic(Name="orders", Tags=[{"Key": "team", "Value": "a"}])
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_topic(Name="orders", Tags=[{"Key": "team", "Value": "b"}])
    assert "Topic already exists with different tags" in caught.value.response["Error"]["Message"]


# -- permissions -----------------------------------------------------------------------------


def test_other_accounts_need_a_permission(aws: Cloud, sns: Any) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    other = boto3.client("sns", region_name="us-east-1", **aws.credentials_for("111122223333"))
    with pytest.raises(other.exceptions.AuthorizationErrorException) as caught:
        other.publish(TopicArn=arn, Message="hi")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "is not authorized to perform: SNS:Publish" in caught.value.response["Error"]["Message"]

    sns.add_permission(TopicArn=arn, Label="partner", AWSAccountId=["111122223333"], ActionName=["Publish"])
    assert other.publish(TopicArn=arn, Message="hi")["MessageId"]
    with pytest.raises(other.exceptions.AuthorizationErrorException):
        other.subscribe(TopicArn=arn, Protocol="email", Endpoint="a@example.com")

    sns.remove_permission(TopicArn=arn, Label="partner")
    with pytest.raises(other.exceptions.AuthorizationErrorException):
        other.publish(TopicArn=arn, Message="hi")


def test_add_permission_statement_shape_and_errors(sns: Any) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="p", AWSAccountId=["111122223333"], ActionName=["Publish", "Subscribe"])
    policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    assert policy["Statement"][-1] == {
        "Sid": "p",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": ["SNS:Publish", "SNS:Subscribe"],
        "Resource": arn,
    }
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.add_permission(TopicArn=arn, Label="p", AWSAccountId=["111122223333"], ActionName=["Publish"])
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.add_permission(TopicArn=arn, Label="q", AWSAccountId=["111122223333"], ActionName=["SendMessage"])
    assert "out of service scope" in caught.value.response["Error"]["Message"]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.remove_permission(TopicArn=arn, Label="nope")


# -- data protection ----------------------------------------------------------------------------


def _protection(operation: dict[str, Any], identifier: str = "CreditCardNumber") -> str:
    return json.dumps(
        {
            "Name": "policy",
            "Version": "2021-06-01",
            "Statement": [
                {
                    "DataDirection": "Inbound",
                    "Principal": ["*"],
                    "DataIdentifier": [f"arn:aws:dataprotection::aws:data-identifier/{identifier}"],
                    "Operation": operation,
                }
            ],
        }
    )


def test_data_protection_deny_blocks_the_publish(sns: Any, make_topic: Callable[..., str]) -> None:
    arn = make_topic()
    policy = _protection({"Deny": {}})
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=policy)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == policy
    with pytest.raises(sns.exceptions.AuthorizationErrorException) as caught:
        sns.publish(TopicArn=arn, Message="card 4111 1111 1111 1111 please")
    assert "CreditCardNumber" in caught.value.response["Error"]["Message"]
    assert sns.publish(TopicArn=arn, Message="no card here")["MessageId"]


def test_data_protection_masks(aws: Cloud, sns: Any) -> None:
    arn = sns.create_topic(
        Name="orders",
        DataProtectionPolicy=_protection({"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}, "EmailAddress"),
    )["TopicArn"]
    received: list[Any] = []
    aws.lambdas.register("fn", lambda e, c: received.append(e))
    sns.subscribe(TopicArn=arn, Protocol="lambda", Endpoint=aws.lambdas.arn("fn"))
    sns.publish(TopicArn=arn, Message="mail ann@example.com now")
    assert received[0]["Records"][0]["Sns"]["Message"] == "mail " + "#" * 15 + " now"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{", "not valid JSON"),
        (json.dumps({"Name": "x", "Version": "2021-06-01", "Statement": []}), "non-empty Statement"),
        (_protection({"Deny": {}}, "Name"), "does not detect data identifier"),
        (_protection({"Explode": {}}), "unknown operation Explode"),
    ],
)
def test_invalid_data_protection_policies(sns: Any, make_topic: Callable[..., str], policy: str, message: str) -> None:
    arn = make_topic()
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=policy)
    assert message in caught.value.response["Error"]["Message"]


def test_data_protection_of_a_missing_topic(sns: Any) -> None:
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_data_protection_policy(ResourceArn=ARN + "missing")


def test_a_tag_key_given_twice_is_refused(sns: Any) -> None:
    twice = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.create_topic(Name="orders", Tags=twice)
    assert caught.value.response["Error"]["Message"] == "Invalid parameter: Duplicated keys are not allowed."
    arn = sns.create_topic(Name="orders")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.tag_resource(ResourceArn=arn, Tags=twice)
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == []
