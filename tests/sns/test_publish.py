"""Publish and PublishBatch: validation, message structure, size limits, FIFO semantics."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .conftest import Queue, attrs


def test_publish_returns_a_message_id(sns: Any, make_topic: Callable[..., str]) -> None:
    result = sns.publish(TopicArn=make_topic(), Message="hello")
    assert len(result["MessageId"]) == 36
    assert "SequenceNumber" not in result


def test_publish_through_target_arn(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    topic = make_topic()
    assert sns.publish(TargetArn=topic, Message="hello")["MessageId"]
    assert aws.deliveries.published_to("orders")[0].message == "hello"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"Message": ""}, "Invalid parameter: Empty message"),
        ({"Message": "x", "Subject": "a" * 100}, "Invalid parameter: Subject"),
        ({"Message": "x", "Subject": "line\nbreak"}, "Invalid parameter: Subject"),
        ({"Message": "x" * 262_145}, "Invalid parameter: Message too long"),
        ({"Message": "x", "MessageStructure": "xml"}, "Invalid parameter: MessageStructure"),
        (
            {"Message": "{", "MessageStructure": "json"},
            "Invalid parameter: Message Structure - JSON message body failed to parse",
        ),
        (
            {"Message": '{"sqs": "x"}', "MessageStructure": "json"},
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
        (
            {"Message": "x", "MessageDeduplicationId": "d"},
            "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
            "that is not valid for this topic type",
        ),
    ],
)
def test_publish_validation(sns: Any, make_topic: Callable[..., str], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish(TopicArn=make_topic(), **kwargs)
    assert caught.value.response["Error"]["Message"] == message


def test_attributes_count_toward_the_size_limit(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    sns.publish(TopicArn=topic, Message="x" * 262_144)
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=topic, Message="x" * 262_100, MessageAttributes=attrs(note="y" * 100))


def test_a_larger_maximum_message_size(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic(MaximumMessageSize=1_048_576)
    assert sns.publish(TopicArn=topic, Message="x" * 1_000_000)["MessageId"]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"a": {"DataType": "String", "StringValue": ""}},
            "The message attribute 'a' must contain non-empty message attribute value "
            "for message attribute type 'String'.",
        ),
        ({"a": {"DataType": "Boolean", "StringValue": "true"}}, "has an invalid message attribute type"),
        ({"a": {"DataType": "Number", "StringValue": "ten"}}, "must use a valid number value"),
        ({"a": {"DataType": "String.Array", "StringValue": "not an array"}}, "must be a JSON array"),
        ({"AWS.secret": {"DataType": "String", "StringValue": "x"}}, "is invalid"),
    ],
)
def test_message_attribute_validation(
    sns: Any, make_topic: Callable[..., str], attributes: dict[str, Any], message: str
) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as caught:
        sns.publish(TopicArn=make_topic(), Message="x", MessageAttributes=attributes)
    assert caught.value.response["Error"]["Code"] == "ParameterValueInvalid"
    assert message in caught.value.response["Error"]["Message"]


def test_message_structure_json_sends_each_protocol_its_text(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_subscriber_queue()
    received: list[Any] = []
    aws.lambdas.register("fn", lambda e, c: received.append(e))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=aws.lambdas.arn("fn"))
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ann@example.com")
    aws.sns.confirm("ann@example.com")
    sns.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "plain", "sqs": "for the queue", "email": "for a person"}),
    )
    assert queue.envelopes()[0]["Message"] == "for the queue"
    assert received[0]["Records"][0]["Sns"]["Message"] == "plain"
    assert aws.sns.emails("ann@example.com")[-1].body == "for a person"


def test_a_json_structured_message_filters_on_its_attributes_but_does_not_carry_them(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    enveloped, raw = make_subscriber_queue("enveloped"), make_subscriber_queue("raw")
    received: list[Any] = []
    aws.lambdas.register("fn", lambda e, c: received.append(e))
    policy = {"FilterPolicy": '{"kind": ["order"]}'}
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=enveloped.arn, Attributes=policy)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw.arn, Attributes={**policy, "RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=aws.lambdas.arn("fn"), Attributes=policy)
    for kind in ("refund", "order"):
        sns.publish(
            TopicArn=topic,
            MessageStructure="json",
            Message=json.dumps({"default": kind}),
            MessageAttributes=attrs(kind=kind),
        )
    # "Message attributes are sent only when the message structure is String, not JSON."
    (envelope,) = enveloped.envelopes()
    assert envelope["Message"] == "order"
    assert "MessageAttributes" not in envelope
    (message,) = raw.receive()
    assert (message["Body"], message.get("MessageAttributes")) == ("order", None)
    assert [e["Records"][0]["Sns"]["MessageAttributes"] for e in received] == [{}]


def test_publish_batch_reports_each_entry(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    # What fails while one entry is published (here a data protection Deny) is that entry's failure.
    topic = make_topic()
    policy = {
        "Name": "policy",
        "Version": "2021-06-01",
        "Statement": [
            {
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"],
                "Operation": {"Deny": {}},
            }
        ],
    }
    sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=json.dumps(policy))
    result = sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[
            {"Id": "ok", "Message": "one"},
            {"Id": "card", "Message": "card 4111 1111 1111 1111"},
        ],
    )
    assert [s["Id"] for s in result["Successful"]] == ["ok"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [("card", "AuthorizationError", True)]
    assert [p.message for p in aws.deliveries] == ["one"]


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        ({"Message": ""}, "InvalidParameterException", "Invalid parameter: Empty message"),
        (
            {"Message": "x", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "x"}}},
            "InvalidParameterValueException",
            "The message attribute 'n' with type 'Number' must use a valid number value: x",
        ),
        (
            {"Message": "{}", "MessageStructure": "json"},
            "InvalidParameterException",
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
        (
            {"Message": "m", "MessageDeduplicationId": "d"},
            "InvalidParameterException",
            "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
            "parameter that is not valid for this topic type",
        ),
    ],
)
def test_an_entry_publish_would_refuse_fails_the_whole_batch(
    sns: Any, make_topic: Callable[..., str], aws: Cloud, entry: dict[str, Any], error: str, message: str
) -> None:
    with pytest.raises(getattr(sns.exceptions, error)) as caught:
        sns.publish_batch(
            TopicArn=make_topic(), PublishBatchRequestEntries=[{"Id": "ok", "Message": "one"}, {"Id": "bad", **entry}]
        )
    assert caught.value.response["Error"]["Message"] == message
    assert list(aws.deliveries) == []  # not even the valid entry went out


def test_a_fifo_batch_missing_a_group_id_fails_whole(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    topic = make_topic("orders.fifo", ContentBasedDeduplication=True)
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish_batch(
            TopicArn=topic,
            PublishBatchRequestEntries=[
                {"Id": "a", "Message": "m", "MessageGroupId": "g"},
                {"Id": "b", "Message": "n"},
            ],
        )
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    )
    assert list(aws.deliveries) == []


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        ([], "EmptyBatchRequestException"),
        ([{"Id": str(i), "Message": "m"} for i in range(11)], "TooManyEntriesInBatchRequestException"),
        ([{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "n"}], "BatchEntryIdsNotDistinctException"),
        ([{"Id": "not ok!", "Message": "m"}], "InvalidBatchEntryIdException"),
        ([{"Id": str(i), "Message": "x" * 30_000} for i in range(10)], "BatchRequestTooLongException"),
    ],
)
def test_publish_batch_errors(sns: Any, make_topic: Callable[..., str], entries: list[Any], error: str) -> None:
    with pytest.raises(getattr(sns.exceptions, error)):
        sns.publish_batch(TopicArn=make_topic(), PublishBatchRequestEntries=entries)


def test_a_batch_must_fit_the_topics_maximum_message_size(sns: Any, make_topic: Callable[..., str]) -> None:
    # Bodies and attributes of every entry together, against the topic's MaximumMessageSize.
    big = [{"Id": str(i), "Message": "x" * 26_000, "MessageAttributes": attrs(note="y" * 300)} for i in range(10)]
    with pytest.raises(sns.exceptions.BatchRequestTooLongException):
        sns.publish_batch(TopicArn=make_topic(), PublishBatchRequestEntries=big)
    small = make_topic("small", MaximumMessageSize=2048)
    with pytest.raises(sns.exceptions.BatchRequestTooLongException) as caught:
        sns.publish_batch(
            TopicArn=small,
            PublishBatchRequestEntries=[{"Id": "a", "Message": "x" * 1500}, {"Id": "b", "Message": "x" * 1500}],
        )
    assert caught.value.response["Error"]["Code"] == "BatchRequestTooLong"
    result = sns.publish_batch(TopicArn=small, PublishBatchRequestEntries=[{"Id": "a", "Message": "x" * 2000}])
    assert [s["Id"] for s in result["Successful"]] == ["a"]


# -- FIFO ---------------------------------------------------------------------------------------


def test_fifo_needs_a_group_and_a_deduplication_id(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic("orders.fifo")
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish(TopicArn=topic, Message="x", MessageDeduplicationId="d")
    assert caught.value.response["Error"]["Message"] == (
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    )
    with pytest.raises(sns.exceptions.InvalidParameterException) as caught:
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert "ContentBasedDeduplication enabled or MessageDeduplicationId" in caught.value.response["Error"]["Message"]


def test_fifo_sequence_numbers_grow_and_duplicates_are_dropped(
    sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue], aws: Cloud
) -> None:
    topic = make_topic("orders.fifo")
    queue = make_subscriber_queue("billing.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    first = sns.publish(TopicArn=topic, Message="a", MessageGroupId="g", MessageDeduplicationId="1")
    second = sns.publish(TopicArn=topic, Message="b", MessageGroupId="g", MessageDeduplicationId="2")
    again = sns.publish(TopicArn=topic, Message="a again", MessageGroupId="g", MessageDeduplicationId="1")
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    assert again["MessageId"] == first["MessageId"]
    assert [e["Message"] for e in queue.envelopes()] == ["a", "b"]
    assert "duplicate of message" in aws.deliveries.publications[-1].note
    aws.clock.advance(minutes=5, seconds=1)
    sns.publish(TopicArn=topic, Message="a late", MessageGroupId="g", MessageDeduplicationId="1")
    assert aws.deliveries.publications[-1].deliveries[0].status == "delivered"


def test_the_deduplication_window_holds_when_time_travels_back(
    sns: Any, make_topic: Callable[..., str], aws: Cloud
) -> None:
    aws.clock.freeze("2024-01-01T12:00:00Z")
    topic = make_topic("orders.fifo")
    sns.publish(TopicArn=topic, Message="a", MessageGroupId="g", MessageDeduplicationId="late")
    aws.clock.travel_to("2024-01-01T11:00:00Z")
    early = sns.publish(TopicArn=topic, Message="b", MessageGroupId="g", MessageDeduplicationId="early")
    aws.clock.advance(minutes=5, seconds=1)  # "early" has expired; "late", made first, has not
    again = sns.publish(TopicArn=topic, Message="b again", MessageGroupId="g", MessageDeduplicationId="early")
    assert again["MessageId"] != early["MessageId"]
    aws.clock.travel_to("2024-01-01T12:01:00Z")
    repeat = sns.publish(TopicArn=topic, Message="a again", MessageGroupId="g", MessageDeduplicationId="late")
    assert "duplicate of message" in aws.deliveries.publications[-1].note
    assert repeat["MessageId"] == aws.deliveries.publications[0].message_id


def test_content_based_deduplication(sns: Any, make_topic: Callable[..., str], aws: Cloud) -> None:
    topic = make_topic("orders.fifo", ContentBasedDeduplication=True)
    one = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    two = sns.publish(TopicArn=topic, Message="same", MessageGroupId="other")
    assert one["MessageId"] == two["MessageId"]


def test_deduplication_per_message_group(sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic("orders.fifo", ContentBasedDeduplication=True, FifoThroughputScope="MessageGroup")
    one = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    two = sns.publish(TopicArn=topic, Message="same", MessageGroupId="other")
    assert one["MessageId"] != two["MessageId"]


def test_fifo_envelope_to_a_fifo_queue_keeps_group_and_order(
    sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic("orders.fifo", ContentBasedDeduplication=True)
    queue = make_subscriber_queue("billing.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn, Attributes={"RawMessageDelivery": "true"})
    for i in range(5):
        sns.publish(TopicArn=topic, Message=f"m{i}", MessageGroupId="customer-1")
    messages = queue.receive()
    assert [m["Body"] for m in messages] == ["m0", "m1", "m2", "m3", "m4"]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"customer-1"}


# -- direct publishes ----------------------------------------------------------------------------


def test_publish_to_a_phone_number(sns: Any, aws: Cloud) -> None:
    aws.sns.leave_sms_sandbox()
    sns.publish(PhoneNumber="+15555550100", Message="your code is 1234")
    (sms,) = aws.sns.sms_messages("+15555550100")
    assert sms.body == "your code is 1234"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(PhoneNumber="not a number", Message="x")


def test_publish_needs_exactly_one_target(sns: Any, make_topic: Callable[..., str]) -> None:
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(Message="x")
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=make_topic(), PhoneNumber="+15555550100", Message="x")


def test_publish_to_a_missing_topic(sns: Any) -> None:
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:missing", Message="x")


def test_same_seed_same_ids() -> None:
    from pytest_awsmsg import fake_aws

    def first_message_id(seed: int) -> str:
        with fake_aws(seed=seed):
            client = boto3.client("sns", region_name="us-east-1")
            arn = client.create_topic(Name="t")["TopicArn"]
            return str(client.publish(TopicArn=arn, Message="x")["MessageId"])

    assert first_message_id(7) == first_message_id(7)
    assert first_message_id(7) != first_message_id(8)  # the ids come from the seed, not a constant
