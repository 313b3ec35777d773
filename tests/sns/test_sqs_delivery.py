"""SNS to SQS: the envelope, raw delivery, queue policies, failures and dead-letter queues."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pytest_awsmsg.core.cloud import Cloud

from .conftest import Queue, attrs


def test_the_json_envelope(sns: Any, make_topic: Callable[..., str], make_queue: Callable[..., Queue]) -> None:
    topic = make_topic()
    queue = make_queue()
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    sent = sns.publish(TopicArn=topic, Message="hello", Subject="greeting", MessageAttributes=attrs(kind="order", n=3))
    (envelope,) = queue.envelopes()
    assert list(envelope) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == sent["MessageId"]
    assert envelope["TopicArn"] == topic
    assert envelope["Message"] == "hello"
    assert envelope["Timestamp"].endswith("Z")
    assert envelope["UnsubscribeURL"].endswith(f"SubscriptionArn={sub}")
    assert envelope["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "order"},
        "n": {"Type": "Number", "Value": "3"},
    }


def test_raw_delivery_passes_the_body_and_attributes(
    sns: Any, make_topic: Callable[..., str], make_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(
        TopicArn=topic,
        Message='{"order": 7}',
        MessageAttributes={**attrs(kind="order"), "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}},
    )
    (message,) = queue.receive()
    assert message["Body"] == '{"order": 7}'
    assert message["MessageAttributes"]["kind"] == {"StringValue": "order", "DataType": "String"}
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x01\x02"


def test_fan_out_to_several_queues_with_filters(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    billing, shipping, audit = make_queue("billing"), make_queue("shipping"), make_queue("audit")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=billing.arn, Attributes={"FilterPolicy": '{"kind": ["paid"]}'}
    )
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=shipping.arn, Attributes={"FilterPolicy": '{"kind": ["packed"]}'}
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=audit.arn)
    for kind in ("paid", "packed", "refunded"):
        sns.publish(TopicArn=topic, Message=kind, MessageAttributes=attrs(kind=kind))
    assert [e["Message"] for e in billing.envelopes()] == ["paid"]
    assert [e["Message"] for e in shipping.envelopes()] == ["packed"]
    assert sorted(e["Message"] for e in audit.envelopes()) == ["packed", "paid", "refunded"]
    aws.deliveries.assert_delivered(to="billing", count=1)
    aws.deliveries.assert_not_delivered(to="billing", attributes={"kind": "refunded"})


def test_a_queue_without_a_policy_for_sns_gets_nothing(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_queue("locked", allow_sns=False)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    sns.publish(TopicArn=topic, Message="hello")
    assert queue.receive() == []
    delivery = aws.deliveries.publications[0].deliveries[0]
    assert delivery.status == "failed"
    assert "does not allow sns.amazonaws.com to sqs:SendMessage" in delivery.reason


def test_a_deleted_queue_is_a_client_error_sent_to_the_dlq(
    aws: Cloud, sns: Any, sqs: Any, make_topic: Callable[..., str], make_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue, dlq = make_queue("gone"), make_queue("dlq")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue.arn,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn})},
    )
    sqs.delete_queue(QueueUrl=queue.url)
    sns.publish(TopicArn=topic, Message="lost")
    (envelope,) = dlq.envelopes()
    assert envelope["Message"] == "lost"
    delivery = aws.deliveries.publications[0].deliveries[0]
    assert delivery.status == "dead-lettered"
    assert delivery.attempts == 1  # client-side errors are not retried


def test_sqs_server_errors_are_retried(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_queue: Callable[..., Queue], monkeypatch: Any
) -> None:
    from pytest_awsmsg.core.errors import ServiceUnavailable

    topic = make_topic()
    queue = make_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    real_call = aws.call
    failures = {"left": 4}

    def flaky(service: str, operation: str, params: Any = None, **kwargs: Any) -> Any:
        if service == "sqs" and operation == "SendMessage" and failures["left"]:
            failures["left"] -= 1
            raise ServiceUnavailable()
        return real_call(service, operation, params, **kwargs)

    monkeypatch.setattr(aws, "call", flaky)
    sns.publish(TopicArn=topic, Message="eventually")
    delivery = aws.deliveries.publications[0].deliveries[0]
    # 1 attempt + 3 immediate retries all failed; the 5th attempt is 1 s later
    assert delivery.status == "retrying"
    assert delivery.attempts == 4
    aws.clock.advance(1)
    assert delivery.status == "delivered"
    assert delivery.attempts == 5
    assert [e["Message"] for e in queue.envelopes()] == ["eventually"]
