"""Redelivery, dead letters, transactions, durable subscriptions, expiry and scheduled delivery, sans-IO.

What real ActiveMQ 5.17 does here was found with benchmarks/differential/stomp_vs_activemq.py."""

from __future__ import annotations

import base64

import boto3
import pytest

from pytest_awsmsg import Cloud

from .fakes import Amq


@pytest.fixture
def amq(aws: Cloud) -> Amq:
    return Amq(aws)


def dlq_bodies(amq: Amq) -> list[bytes]:
    return [m.body for m in amq.state.queue("ActiveMQ.DLQ").messages]


def test_a_nack_sends_a_persistent_message_to_the_dlq_at_once_and_drops_a_non_persistent_one(amq: Amq) -> None:
    producer = amq.client()
    producer.send("SEND", "kept", destination="/queue/q", persistent="true")
    producer.send("SEND", "dropped", destination="/queue/q")
    consumer = amq.client()
    first, second = consumer.send("SUBSCRIBE", destination="/queue/q", id="s", ack="client-individual")
    consumer.send("NACK", id=str(first.get("ack")))
    consumer.send("NACK", id=str(second.get("ack")))
    assert dlq_bodies(amq) == [b"kept"]
    (dead,) = amq.client().send("SUBSCRIBE", destination="/queue/ActiveMQ.DLQ", id="d")
    assert dead.get("original-destination") == "/queue/q"
    assert dead.get("originalExpiration") == "0"
    assert dead.get("message-id") == first.get("message-id")
    assert dead.get("dlqDeliveryFailureCause") is None  # a NACK gives no cause
    assert amq.state.queue("q").messages == []


def test_nack_is_not_in_stomp_1_0(amq: Amq) -> None:
    client = amq.client("1.0")
    (error,) = client.send("NACK", **{"message-id": "x"})
    assert error.get("message") == "NACK received but connection is in v1.0 mode."


def test_unacked_messages_come_back_redelivered_after_a_drop_without_limit(amq: Amq) -> None:
    amq.client().send("SEND", "job", destination="/queue/q", persistent="true")
    for attempt in range(9):  # beyond the JMS client's maximumRedeliveries=6: the broker has no limit
        consumer = amq.client()
        (message,) = consumer.send("SUBSCRIBE", destination="/queue/q", id="s", ack="client")
        assert (message.get("redelivered") == "true") is (attempt > 0)
        consumer.lose()
    assert dlq_bodies(amq) == []
    assert amq.state.queue("q").messages[0].redeliveries == 9


def test_a_transaction_sends_at_commit_and_drops_at_abort(amq: Amq) -> None:
    producer, consumer = amq.client(), amq.client()
    consumer.send("SUBSCRIBE", destination="/queue/q", id="s")
    producer.send("BEGIN", transaction="t1")
    producer.send("SEND", "one", destination="/queue/q", transaction="t1")
    assert consumer.frames() == []
    producer.send("COMMIT", transaction="t1")
    assert [f.body for f in consumer.frames()] == [b"one"]
    producer.send("BEGIN", transaction="t2")
    producer.send("SEND", "two", destination="/queue/q", transaction="t2")
    producer.send("ABORT", transaction="t2")
    assert consumer.frames() == []
    assert amq.state.queue("q").messages == []


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ([("BEGIN", {})], "Must specify the transaction you are beginning"),
        ([("BEGIN", {"transaction": "t"}), ("BEGIN", {"transaction": "t"})], "The transaction was already started: t"),
        ([("COMMIT", {"transaction": "nope"})], "Invalid transaction id: nope"),
        ([("SEND", {"transaction": "nope", "destination": "/queue/q"})], "Invalid transaction id: nope"),
    ],
)
def test_transaction_errors_as_activemq_words_them(
    amq: Amq, frames: list[tuple[str, dict[str, str]]], message: str
) -> None:
    client = amq.client()
    answers = [f for command, headers in frames for f in client.send(command, **headers)]
    assert [(f.command, f.get("message")) for f in answers] == [("ERROR", message)]
    assert not client.transport.closed


def test_an_aborted_ack_leaves_the_message_with_its_consumer_to_ack_again(amq: Amq) -> None:
    amq.client().send("SEND", "m", destination="/queue/q")
    consumer = amq.client()
    (message,) = consumer.send("SUBSCRIBE", destination="/queue/q", id="s", ack="client-individual")
    consumer.send("BEGIN", transaction="t")
    consumer.send("ACK", id=str(message.get("ack")), transaction="t")
    consumer.send("ABORT", transaction="t")
    assert list(consumer.session.consumers["s"].unacked) == [message.get("message-id")]
    assert consumer.send("ACK", id=str(message.get("ack")), receipt="r")[0].command == "RECEIPT"
    assert consumer.session.consumers["s"].unacked == {}


def test_a_durable_subscription_keeps_messages_while_its_client_is_away(amq: Amq) -> None:
    durable = {"activemq.subscriptionName": "audit"}
    first = amq.client(**{"client-id": "app"})
    first.send("SUBSCRIBE", destination="/topic/events", id="a", ack="client", **durable)
    first.send("DISCONNECT")
    producer = amq.client()
    producer.send("SEND", "while away", destination="/topic/events")
    producer.send("SEND", "persistent too", destination="/topic/events", persistent="true")
    back = amq.client(**{"client-id": "app"})
    got = back.send("SUBSCRIBE", destination="/topic/events", id="a", ack="client", **durable)
    assert [f.body for f in got] == [b"while away", b"persistent too"]
    (busy,) = back.send("UNSUBSCRIBE", id="a", **durable)
    assert busy.get("message") == "Durable consumer is in use"
    back.send("UNSUBSCRIBE", id="a")
    assert back.send("UNSUBSCRIBE", receipt="gone", **durable)[0].command == "RECEIPT"
    producer.send("SEND", "nobody listens", destination="/topic/events")
    again = amq.client(**{"client-id": "other"})
    assert again.send("SUBSCRIBE", destination="/topic/events", id="a", **durable) == []


def test_a_second_connection_with_the_same_client_id_is_refused(amq: Amq) -> None:
    amq.client(**{"client-id": "app"})
    from .fakes import Client

    second = Client(amq.aws, amq.broker, amq.state, "127.0.0.1:50000")
    (error,) = second.send(
        "CONNECT",
        **{"accept-version": "1.2", "login": "admin", "passcode": "correct-horse-battery", "client-id": "app"},
    )
    assert error.get("message") == "Broker: orders - Client: app already connected from tcp://127.0.0.1:40001"
    assert second.transport.closed


def test_an_expired_persistent_message_goes_to_the_dlq_in_virtual_time(aws: Cloud, amq: Amq) -> None:
    aws.clock.freeze("2026-05-01T00:00:00Z")
    now = aws.clock.now_ms()
    producer = amq.client()
    producer.send("SEND", "p", destination="/queue/q", persistent="true", expires=str(now + 60_000))
    producer.send("SEND", "np", destination="/queue/q", expires=str(now + 60_000))
    aws.clock.advance(59)
    assert [m.body for m in amq.state.queue("q").messages] == [b"p", b"np"]
    aws.clock.advance(1)
    assert amq.state.queue("q").messages == []
    (dead,) = amq.state.queue("ActiveMQ.DLQ").messages
    assert dead.body == b"p"
    assert dead.expires == 0
    assert dead.headers["dlqDeliveryFailureCause"] == f"java.lang.Throwable: Message Expired. Expiration:{now + 60_000}"
    assert dead.headers["originalExpiration"] == str(now + 60_000)


def test_a_consumer_never_receives_an_expired_message(aws: Cloud, amq: Amq) -> None:
    aws.clock.freeze("2026-05-01T00:00:00Z")
    producer = amq.client()
    producer.send("SEND", "late", destination="/queue/q", expires=str(aws.clock.now_ms() + 1000))
    producer.send("SEND", "fine", destination="/queue/q")
    aws.clock.advance(2)
    consumer = amq.client()
    assert [f.body for f in consumer.send("SUBSCRIBE", destination="/queue/q", id="s")] == [b"fine"]


SCHEDULER = """<?xml version="1.0" encoding="UTF-8"?>
<broker xmlns="http://activemq.apache.org/schema/core" schedulerSupport="true"/>"""


def test_scheduled_delivery_waits_in_virtual_time_when_the_configuration_enables_the_scheduler(aws: Cloud) -> None:
    mq = boto3.client("mq", region_name="us-east-1")
    config = mq.create_configuration(Name="sched", EngineType="ACTIVEMQ", EngineVersion="5.18")
    revision = mq.update_configuration(ConfigurationId=config["Id"], Data=base64.b64encode(SCHEDULER.encode()).decode())
    amq = Amq(aws, Configuration={"Id": config["Id"], "Revision": revision["LatestRevision"]["Revision"]})
    consumer = amq.client()
    consumer.send("SUBSCRIBE", destination="/queue/q", id="s")
    amq.client().send("SEND", "later", destination="/queue/q", AMQ_SCHEDULED_DELAY="30000")
    aws.clock.advance(29)
    assert consumer.frames() == []
    aws.clock.advance(1)
    (message,) = consumer.frames()
    assert message.body == b"later"
    assert message.get("AMQ-SCHEDULED-DELAY") == "30000"


def test_without_the_scheduler_a_delay_is_only_a_property(amq: Amq) -> None:
    consumer = amq.client()
    consumer.send("SUBSCRIBE", destination="/queue/q", id="s")
    amq.client().send("SEND", "now", destination="/queue/q", AMQ_SCHEDULED_DELAY="30000")
    (message,) = consumer.frames()
    assert message.get("AMQ_SCHEDULED_DELAY") == "30000"
