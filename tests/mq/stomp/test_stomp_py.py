"""stomp.py, unchanged, against a broker made through boto3: the endpoint AWS lists, TLS, ActiveMQ's answers."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.mq.stomp import ActiveMqState

from ..brokers import running_broker
from .clients import connect, eventually


@pytest.fixture
def broker(aws: Cloud) -> dict[str, Any]:
    return running_broker(aws)


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_a_message_goes_through_a_queue_over_each_version(aws: Cloud, broker: dict[str, Any], version: str) -> None:
    consumer, inbox = connect(broker, version=version)
    consumer.subscribe("/queue/orders", id="orders", ack="client-individual" if version != "1.0" else "client")
    producer, sent = connect(broker, version=version)
    aws.clock.freeze("2026-03-01T12:00:00Z")
    producer.send("/queue/orders", "order 1", headers={"persistent": "true", "order-id": "1"}, receipt="r1")
    sent.wait_receipt("r1")
    (message,) = inbox.wait_messages(1)
    assert message.body == "order 1"
    assert message.headers["destination"] == "/queue/orders"
    assert message.headers["order-id"] == "1"
    assert message.headers["persistent"] == "true"
    assert message.headers["timestamp"] == "1772366400000"
    assert message.headers["message-id"].startswith(f"ID:{broker['BrokerId']}-1.mq.us-east-1.amazonaws.com-")
    if version == "1.2":
        consumer.ack(message.headers["ack"])
    elif version == "1.1":
        consumer.ack(message.headers["message-id"], "orders")
    else:
        consumer.ack(message.headers["message-id"])
    consumer.disconnect(receipt="bye")
    producer.disconnect()
    state = aws.mq.broker("orders").engine_state("stomp")
    assert isinstance(state, ActiveMqState)
    assert state.queue("orders").messages == []


def test_a_wrong_password_is_refused_with_activemqs_error(aws: Cloud, broker: dict[str, Any]) -> None:
    conn, inbox = connect(broker, password="wrong", wait=False)
    error = inbox.wait_error()
    assert error.headers["message"] == "User name [admin] or password is invalid."
    assert error.body == "User name [admin] or password is invalid."
    assert eventually(lambda: not conn.is_connected())
    assert eventually(lambda: aws.mq.broker("orders").connections == [])


def test_a_client_asking_for_heart_beats_is_told_the_broker_sends_none(broker: dict[str, Any]) -> None:
    conn, _ = connect(broker, heartbeats=(4000, 4000))
    # stomp.py keeps what CONNECTED negotiated: it sends every 4 s, expects nothing from the broker.
    assert conn.heartbeats == (4000, 0)
    assert conn.is_connected()
    conn.disconnect()


def test_queue_consumers_take_turns_and_topic_subscribers_each_get_every_message(broker: dict[str, Any]) -> None:
    a, inbox_a = connect(broker)
    b, inbox_b = connect(broker)
    for conn, inbox in ((a, inbox_a), (b, inbox_b)):  # in this order: a's receipt before b subscribes
        conn.subscribe("/queue/work", id="work", ack="auto")
        conn.subscribe("/topic/news", id="news", ack="auto", headers={"receipt": "subscribed"})
        inbox.wait_receipt("subscribed")
    producer, sent = connect(broker)
    for n in range(4):
        producer.send("/queue/work", f"job {n}")
    producer.send("/topic/news", "hello all", receipt="done")
    sent.wait_receipt("done")
    inbox_a.wait_messages(3)
    inbox_b.wait_messages(3)
    assert inbox_a.bodies() == ["job 0", "job 2", "hello all"]
    assert inbox_b.bodies() == ["job 1", "job 3", "hello all"]
    for conn in (a, b, producer):
        conn.disconnect()


def test_a_nacked_persistent_message_lands_in_the_dlq_for_the_test_to_read(aws: Cloud, broker: dict[str, Any]) -> None:
    consumer, inbox = connect(broker)
    consumer.subscribe("/queue/payments", id="p", ack="client-individual")
    producer, sent = connect(broker)
    producer.send("/queue/payments", "bad card", headers={"persistent": "true"}, receipt="r")
    sent.wait_receipt("r")
    (message,) = inbox.wait_messages(1)
    consumer.nack(message.headers["ack"], receipt="nacked")
    inbox.wait_receipt("nacked")
    view = aws.mq.broker("orders")
    assert [m.text for m in view.dlq.messages] == ["bad card"]
    assert view.dlq.messages[0].original_destination == "/queue/payments"
    assert view.queue("payments").depth == 0


def test_ttl_runs_out_in_virtual_time(aws: Cloud, broker: dict[str, Any]) -> None:
    producer, sent = connect(broker)
    expires = aws.clock.now_ms() + 3_600_000
    producer.send("/queue/offers", "flash sale", headers={"persistent": "true", "expires": str(expires)}, receipt="r")
    sent.wait_receipt("r")
    view = aws.mq.broker("orders")
    aws.clock.advance(minutes=59)
    assert [m.text for m in view.queue("offers").messages] == ["flash sale"]
    aws.clock.advance(minutes=1)
    assert view.queue("offers").messages == []
    assert [m.text for m in view.dlq.messages] == ["flash sale"]


def test_a_dropped_connection_gives_its_unacked_messages_to_the_next_consumer(
    aws: Cloud, broker: dict[str, Any]
) -> None:
    first, inbox = connect(broker)
    first.subscribe("/queue/jobs", id="j", ack="client")
    producer, sent = connect(broker)
    producer.send("/queue/jobs", "job", receipt="r")
    sent.wait_receipt("r")
    inbox.wait_messages(1)
    view = aws.mq.broker("orders")
    assert [m.text for m in view.queue("jobs").in_flight] == ["job"]
    assert view.drop_connections() == 2
    second, again = connect(broker)
    second.subscribe("/queue/jobs", id="j", ack="client")
    (message,) = again.wait_messages(1)
    assert message.headers["redelivered"] == "true"
    assert view.queue("jobs").in_flight[0].redeliveries == 1


def test_a_reboot_keeps_persistent_messages_only(aws: Cloud, broker: dict[str, Any]) -> None:
    producer, sent = connect(broker)
    producer.send("/queue/q", "persistent", headers={"persistent": "true"})
    producer.send("/queue/q", "in memory", receipt="r")
    sent.wait_receipt("r")
    aws.mq.set_durations(reboot=0)
    mq = boto3.client("mq", region_name="us-east-1")
    mq.reboot_broker(BrokerId=broker["BrokerId"])
    aws.clock.advance(1)
    assert mq.describe_broker(BrokerId=broker["BrokerId"])["BrokerState"] == "RUNNING"
    assert aws.mq.broker("orders").connections == []
    assert [m.text for m in aws.mq.broker("orders").queue("q").messages] == ["persistent"]
    consumer, inbox = connect(broker)
    consumer.subscribe("/queue/q", id="q")
    assert [m.body for m in inbox.wait_messages(1)] == ["persistent"]
