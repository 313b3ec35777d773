"""SNS to SQS: the envelope, raw delivery, queue policies, failures and dead-letter queues."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pytest_awsmsg import Cloud

from .conftest import Queue, attrs


def test_the_json_envelope(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    # A frozen instant with whole milliseconds and one with none: user code parses Timestamp
    # with a fixed format, and AWS always writes three digits of milliseconds.
    aws.clock.freeze("2024-01-02T03:04:05.678Z")
    topic = make_topic()
    queue = make_subscriber_queue()
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
    assert envelope["Subject"] == "greeting"
    assert envelope["Timestamp"] == "2024-01-02T03:04:05.678Z"
    assert envelope["SignatureVersion"] == "1"
    assert envelope["SigningCertURL"] == aws.sns.signing_certificate_url()
    assert envelope["SigningCertURL"].startswith("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-")
    assert aws.sns.verify(envelope)
    assert envelope["UnsubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}"
    )
    assert envelope["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "order"},
        "n": {"Type": "Number", "Value": "3"},
    }
    aws.clock.travel_to("2024-01-02T03:04:06Z")
    sns.publish(TopicArn=topic, Message="on the second")
    (later,) = queue.envelopes()
    assert later["Timestamp"] == "2024-01-02T03:04:06.000Z"
    assert "Subject" not in later
    assert "MessageAttributes" not in later


def test_raw_delivery_passes_the_body_and_attributes(
    sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_subscriber_queue()
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


def test_more_than_ten_attributes_reach_an_envelope_but_not_a_raw_queue(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    # SNS itself takes more than ten; SQS does not, so raw delivery discards the message.
    topic = make_topic()
    enveloped, raw = make_subscriber_queue("enveloped"), make_subscriber_queue("raw")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=enveloped.arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw.arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="many", MessageAttributes=attrs(**{f"a{i}": i for i in range(12)}))
    (envelope,) = enveloped.envelopes()
    assert sorted(envelope["MessageAttributes"]) == sorted(f"a{i}" for i in range(12))
    assert raw.receive() == []
    delivery = aws.deliveries.publications[0].deliveries[1]
    assert (delivery.status, delivery.attempts) == ("failed", 1)  # a client-side error: not retried
    assert "at most 10 message attributes and the message has 12" in delivery.reason


def test_fan_out_to_several_queues_with_filters(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    billing, shipping, audit = (
        make_subscriber_queue("billing"),
        make_subscriber_queue("shipping"),
        make_subscriber_queue("audit"),
    )
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
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_subscriber_queue("locked", allow_sns=False)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    sns.publish(TopicArn=topic, Message="hello")
    assert queue.receive() == []
    delivery = aws.deliveries.publications[0].deliveries[0]
    assert delivery.status == "failed"
    assert "does not allow sns.amazonaws.com to sqs:SendMessage" in delivery.reason


def test_a_deleted_queue_is_a_client_error_sent_to_the_dlq(
    aws: Cloud, sns: Any, sqs: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue, dlq = make_subscriber_queue("gone"), make_subscriber_queue("dlq")
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


def test_an_sqs_outage_is_retried_on_awss_schedule_for_its_own_endpoints(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_subscriber_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    aws.faults.inject("sqs", "SendMessage", error="unavailable", count=6, include_internal=True)
    sns.publish(TopicArn=topic, Message="eventually")
    delivery = aws.deliveries.publications[0].deliveries[0]
    # the first attempt and 3 immediate retries failed at once; then 2 retries 1 s apart
    assert (delivery.status, delivery.attempts) == ("retrying", 4)
    aws.clock.advance(2)
    assert (delivery.status, delivery.attempts) == ("retrying", 6)
    aws.clock.advance(2)  # the first backoff retry, just over 1 s later, gets through
    assert (delivery.status, delivery.attempts) == ("delivered", 7)
    assert [e["Message"] for e in queue.envelopes()] == ["eventually"]


def test_throttling_is_retried_too(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic()
    queue = make_subscriber_queue()
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    aws.faults.inject("sqs", "SendMessage", error="throttle", count=1, include_internal=True)
    sns.publish(TopicArn=topic, Message="soon")
    assert aws.deliveries.publications[0].deliveries[0].attempts == 2
    assert [e["Message"] for e in queue.envelopes()] == ["soon"]


def test_fifo_order_holds_while_a_message_is_retried(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic("orders.fifo", ContentBasedDeduplication=True)
    queue = make_subscriber_queue("billing.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn, Attributes={"RawMessageDelivery": "true"})
    aws.faults.inject("sqs", "SendMessage", error="unavailable", count=4, include_internal=True)
    sns.publish(TopicArn=topic, Message="first", MessageGroupId="o-1")
    sns.publish(TopicArn=topic, Message="second", MessageGroupId="o-1")
    sns.publish(TopicArn=topic, Message="other group", MessageGroupId="o-2")
    second = aws.deliveries.publications[1].deliveries[0]
    assert (second.status, second.reason) == ("retrying", "waiting behind an earlier message of group o-1")
    assert [m["Body"] for m in queue.receive()] == ["other group"]
    aws.clock.advance(1)
    assert [m["Body"] for m in queue.receive(VisibilityTimeout=0)] == ["first", "second"]


def test_a_fifo_topic_delivers_unsigned_envelopes_to_fifo_and_standard_queues(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    aws.clock.freeze("2024-01-02T03:04:05.678Z")
    topic = make_topic("orders.fifo")
    fifo, standard = make_subscriber_queue("billing.fifo"), make_subscriber_queue("audit")
    subs = [sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q.arn)["SubscriptionArn"] for q in (fifo, standard)]
    sent = sns.publish(TopicArn=topic, Message="paid", MessageGroupId="o-1", MessageDeduplicationId="d-1")
    for queue, sub in zip((fifo, standard), subs, strict=True):
        (message,) = queue.receive()
        envelope = json.loads(message["Body"])
        # FIFO topics do not sign: no SignatureVersion, Signature or SigningCertURL.
        assert envelope == {
            "Type": "Notification",
            "MessageId": sent["MessageId"],
            "SequenceNumber": sent["SequenceNumber"],
            "TopicArn": topic,
            "Message": "paid",
            "Timestamp": "2024-01-02T03:04:05.678Z",
            "UnsubscribeURL": f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}",
        }
        assert message["Attributes"]["MessageGroupId"] == "o-1"
        # A standard queue takes no deduplication id; the FIFO queue gets the topic's.
        assert message["Attributes"].get("MessageDeduplicationId") == ("d-1" if queue is fifo else None)
