"""Sending and receiving: bodies, attributes, MD5 digests, batches, limits."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import counts, error_of, receive


def _md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """AWS's documented algorithm, written out independently of the fake's."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        for part in (name.encode(), value["DataType"].encode()):
            digest.update(struct.pack(">I", len(part)) + part)
        if "BinaryValue" in value:
            digest.update(b"\x02" + struct.pack(">I", len(value["BinaryValue"])) + value["BinaryValue"])
        else:
            data = value["StringValue"].encode()
            digest.update(b"\x01" + struct.pack(">I", len(data)) + data)
    return digest.hexdigest()


ATTRIBUTES: dict[str, dict[str, Any]] = {
    "customer": {"DataType": "String", "StringValue": "Zoë"},
    "total": {"DataType": "Number", "StringValue": "12.50"},
    "thumbnail": {"DataType": "Binary", "BinaryValue": b"\x89PNG\x00"},
    "order.priority": {"DataType": "String.custom", "StringValue": "high"},
}


def test_send_and_receive_round_trip(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody='{"order": 1}')
    assert sent["MD5OfMessageBody"] == hashlib.md5(b'{"order": 1}').hexdigest()
    assert "MD5OfMessageAttributes" not in sent
    (message,) = receive(sqs, url)
    assert message["Body"] == '{"order": 1}'
    assert message["MessageId"] == sent["MessageId"]
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


def test_unicode_body_md5(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    body = "Grüße \U0001f600 \t\n"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body)
    assert sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
    assert receive(sqs, url)[0]["Body"] == body


def test_message_attributes_and_their_md5(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageAttributes"] == _md5_of_attributes(ATTRIBUTES)
    (message,) = receive(sqs, url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_known_md5_of_message_attributes(sqs: Any, make_queue: QueueFactory) -> None:
    """A fixed vector, so a symmetric mistake in both implementations cannot hide."""
    url = make_queue()
    sent = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageAttributes={"a": {"DataType": "String", "StringValue": "x"}}
    )
    name, kind, value = b"a", b"String", b"x"
    raw = struct.pack(">I", 1) + name + struct.pack(">I", 6) + kind + b"\x01" + struct.pack(">I", 1) + value
    assert sent["MD5OfMessageAttributes"] == hashlib.md5(raw).hexdigest()


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["All"], set(ATTRIBUTES)),
        ([".*"], set(ATTRIBUTES)),
        (["order.*"], {"order.priority"}),
        (["customer", "total"], {"customer", "total"}),
        (["nothing"], set()),
    ],
)
def test_message_attribute_name_selection(
    sqs: Any, make_queue: QueueFactory, names: list[str], expected: set[str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    (message,) = receive(sqs, url, MessageAttributeNames=names)
    got = message.get("MessageAttributes", {})
    assert set(got) == expected
    if expected:
        assert message["MD5OfMessageAttributes"] == _md5_of_attributes(got)
    else:
        assert "MD5OfMessageAttributes" not in message


def test_no_attributes_unless_asked(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=ATTRIBUTES)
    (message,) = receive(sqs, url)
    assert "MessageAttributes" not in message
    assert "Attributes" not in message


def test_system_attributes(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    aws.clock.freeze("2024-05-01T12:00:00Z")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    aws.clock.advance(2.5)
    (message,) = receive(sqs, url, AttributeNames=["All"], VisibilityTimeout=0)
    assert message["Attributes"] == {
        "SenderId": "123456789012",
        "SentTimestamp": "1714564800000",
        "ApproximateReceiveCount": "1",
        "ApproximateFirstReceiveTimestamp": "1714564802500",
    }
    aws.clock.advance(1)
    (again,) = receive(sqs, url, AttributeNames=["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"])
    assert again["Attributes"] == {"ApproximateReceiveCount": "2", "ApproximateFirstReceiveTimestamp": "1714564802500"}


def test_aws_trace_header(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageSystemAttributes=trace)
    assert sent["MD5OfMessageSystemAttributes"] == _md5_of_attributes(trace)
    (message,) = receive(sqs, url, AttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793"}


def test_only_aws_trace_header_is_a_system_attribute(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageSystemAttributes={"Other": {"DataType": "String", "StringValue": "y"}},
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_empty_body_is_refused(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert error_of(excinfo) == ("MissingParameter", "The request must contain the parameter MessageBody.")


def test_invalid_characters_are_refused(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.InvalidMessageContents) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="bell \x07")
    assert error_of(excinfo)[1].startswith("Invalid characters found.")


def test_message_size_limit_counts_body_and_attributes(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(MaximumMessageSize=262_144)
    sqs.send_message(QueueUrl=url, MessageBody="x" * 262_144)
    attribute = {"k": {"DataType": "String", "StringValue": "v"}}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 262_142, MessageAttributes=attribute)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
    )


def test_default_maximum_is_one_mebibyte(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1_048_576)
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1_048_577)


@pytest.mark.parametrize(
    ("attribute", "fragment"),
    [
        ({"DataType": "Text", "StringValue": "v"}, "supported type prefixes"),
        ({"DataType": "Number", "StringValue": "ten"}, "to a number"),
        ({"DataType": "String", "StringValue": ""}, "non-empty message attribute value"),
    ],
)
def test_invalid_message_attributes(
    sqs: Any, make_queue: QueueFactory, attribute: dict[str, str], fragment: str
) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={"a": attribute})
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert fragment in message


def test_at_most_ten_message_attributes(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    many = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=many)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Number of message attributes [11] exceeds the allowed maximum [10].",
    )


@pytest.mark.parametrize("name", ["AWS.x", "amazon.x", ".x", "x.", "a..b", "with space"])
def test_reserved_and_malformed_attribute_names(sqs: Any, make_queue: QueueFactory, name: str) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=url, MessageBody="x", MessageAttributes={name: {"DataType": "String", "StringValue": "v"}}
        )
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert message.startswith(f"Message (user) attribute name '{name}' is invalid.")
    assert counts(sqs, url) == (0, 0, 0)


def test_receive_up_to_max_number_of_messages(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    for index in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    assert len(receive(sqs, url)) == 1
    assert len(receive(sqs, url, MaxNumberOfMessages=10)) == 10
    assert len(receive(sqs, url, MaxNumberOfMessages=10)) == 4
    assert receive(sqs, url, MaxNumberOfMessages=10) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"MaxNumberOfMessages": 11},
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            {"MaxNumberOfMessages": 0},
            "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            {"WaitTimeSeconds": 21},
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        ),
    ],
)
def test_receive_parameter_ranges(sqs: Any, make_queue: QueueFactory, kwargs: dict[str, int], message: str) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=url, **kwargs)
    assert error_of(excinfo) == ("InvalidParameterValue", message)


def test_send_batch_with_per_entry_failures(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok-1", "MessageBody": "first"},
            {"Id": "bad", "MessageBody": "x", "DelaySeconds": 901},
            {"Id": "ok_2", "MessageBody": "second", "MessageAttributes": ATTRIBUTES},
        ],
    )
    assert [e["Id"] for e in result["Successful"]] == ["ok-1", "ok_2"]
    assert result["Successful"][1]["MD5OfMessageAttributes"] == _md5_of_attributes(ATTRIBUTES)
    (failed,) = result["Failed"]
    assert failed["Id"] == "bad"
    assert failed["SenderFault"] is True
    assert failed["Code"] == "InvalidParameterValue"
    assert "DelaySeconds" in failed["Message"]
    assert sorted(m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)) == ["first", "second"]


def test_batch_errors(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.EmptyBatchRequest) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[])
    assert error_of(excinfo)[0] == "AWS.SimpleQueueService.EmptyBatchRequest"
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 11.",
    )
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}] * 2)
    assert error_of(excinfo) == ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.")
    with pytest.raises(sqs.exceptions.InvalidBatchEntryId):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "no spaces", "MessageBody": "x"}])
    with pytest.raises(sqs.exceptions.BatchRequestTooLong) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 200_000} for i in range(6)])
    assert error_of(excinfo)[0] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert counts(sqs, url) == (0, 0, 0)


def test_delete_batch(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    for index in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    messages = receive(sqs, url, MaxNumberOfMessages=10)
    entries = [{"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    entries.append({"Id": "garbage", "ReceiptHandle": "not-a-handle"})
    result = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    assert sorted(e["Id"] for e in result["Successful"]) == ["m0", "m1", "m2"]
    assert [(f["Id"], f["Code"]) for f in result["Failed"]] == [("garbage", "ReceiptHandleIsInvalid")]
    assert counts(sqs, url) == (0, 0, 0)


def test_standard_queue_refuses_deduplication_id(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_same_seed_gives_byte_identical_answers() -> None:
    import boto3

    from pytest_awsmsg import fake_aws

    def run() -> list[Any]:
        with fake_aws(seed=42) as cloud:
            cloud.clock.freeze("2024-01-01T00:00:00Z")
            client = boto3.client("sqs", region_name="us-east-1")
            url = client.create_queue(QueueName="orders")["QueueUrl"]
            sent = client.send_message(QueueUrl=url, MessageBody="x")
            got = client.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
            return [sent["MessageId"], got]

    assert run() == run()


@pytest.mark.requires_api("sqs", "ReceiveMessage", "MessageSystemAttributeNames")
def test_message_system_attribute_names_on_json_botocore(sqs: Any, make_queue: QueueFactory) -> None:
    """Newer botocore replaces AttributeNames with MessageSystemAttributeNames; both select the same."""
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (message,) = receive(sqs, url, MessageSystemAttributeNames=["SenderId", "ApproximateReceiveCount"])
    assert message["Attributes"] == {"SenderId": "123456789012", "ApproximateReceiveCount": "1"}


def test_batches_leave_out_failed_when_nothing_failed(sqs_each_protocol: Any) -> None:
    """AWS omits an empty ``Failed`` from every batch result (JSON and query alike)."""
    sqs = sqs_each_protocol
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}])
    assert "Failed" not in sent
    (message,) = receive(sqs, url)
    entry = {"Id": "a", "ReceiptHandle": message["ReceiptHandle"]}
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[{**entry, "VisibilityTimeout": 5}])
    assert "Failed" not in changed
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[entry])
    assert "Failed" not in deleted
    assert [e["Id"] for e in deleted["Successful"]] == ["a"]


TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def in_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a Lambda function's environment holds: botocore then sends ``X-Amzn-Trace-Id``."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "producer")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)


@pytest.mark.usefixtures("in_lambda")
def test_the_trace_header_travels_as_aws_trace_header(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="single")
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "b", "MessageBody": "batched"}])
    received = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["AWSTraceHeader"])
    assert {m["Body"]: m["Attributes"]["AWSTraceHeader"] for m in received} == {"single": TRACE, "batched": TRACE}
    assert [m.trace_header for m in aws.sqs.queue("orders").messages] == [TRACE, TRACE]


@pytest.mark.usefixtures("in_lambda")
def test_an_explicit_aws_trace_header_wins_over_the_http_header(sqs: Any, make_queue: QueueFactory) -> None:
    """AWS's X-Ray guide: the message system attribute overrides the HTTP trace header."""
    url = make_queue()
    own = "Root=1-00000000-000000000000000000000001"
    sqs.send_message(
        QueueUrl=url,
        MessageBody="x",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": own}},
    )
    (message,) = receive(sqs, url, AttributeNames=["AWSTraceHeader"])
    assert message["Attributes"] == {"AWSTraceHeader": own}


def test_no_trace_header_outside_lambda(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (message,) = receive(sqs, url, AttributeNames=["All"])
    assert "AWSTraceHeader" not in message["Attributes"]
