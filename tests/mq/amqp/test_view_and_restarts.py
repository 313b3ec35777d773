"""What a test sees of a RabbitMQ broker (aws.mq.broker(...)), and what a reboot keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pika
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.views import NotFound

from ..brokers import running_broker

Connect = Callable[..., pika.BlockingConnection]


def test_the_view_shows_queues_messages_consumers_and_bindings(connect: Connect, aws: Cloud) -> None:
    channel = connect().channel()
    channel.exchange_declare("orders", "topic", durable=True)
    channel.queue_declare("eu-orders", durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind("eu-orders", "orders", "orders.eu.*")
    channel.confirm_delivery()
    channel.basic_publish(
        "orders", "orders.eu.created", b"o-1", pika.BasicProperties(delivery_mode=2, headers={"v": 1})
    )
    channel.basic_publish("orders", "orders.eu.paid", b"o-2")
    channel.basic_get("eu-orders")
    channel.basic_consume("eu-orders", lambda *args: None, consumer_tag="billing")

    broker = aws.mq.broker("events")
    queue = broker.queue("eu-orders")
    assert (queue.durable, queue.exclusive, queue.arguments) == (True, False, {"x-queue-type": "quorum"})
    assert queue.unacked == 2  # one got, one delivered to the consumer
    assert queue.depth == 0
    assert queue.consumers == ["billing"]
    exchange = broker.exchange("orders")
    assert (exchange.type, exchange.durable) == ("topic", True)
    assert [(b.destination, b.routing_key) for b in exchange.bindings] == [("eu-orders", "orders.eu.*")]
    assert "amq.topic" in broker.exchanges
    assert broker.queues == ["eu-orders"]
    with pytest.raises(NotFound, match="no queue 'missing'"):
        broker.queue("missing")


def test_messages_in_the_view_carry_body_headers_and_properties(channel: Any, aws: Cloud) -> None:
    channel.queue_declare("jobs")
    channel.confirm_delivery()
    channel.basic_publish("", "jobs", b"job-1", pika.BasicProperties(content_type="text/plain", headers={"try": 2}))
    (message,) = aws.mq.broker("events").queue("jobs").messages
    assert (message.body, message.routing_key, message.exchange) == (b"job-1", "jobs", "")
    assert message.headers == {"try": 2}
    assert message.properties["content_type"] == "text/plain"
    assert not message.persistent


def test_a_reboot_keeps_durable_queues_and_persistent_messages_only(connect: Connect, aws: Cloud) -> None:
    channel = connect().channel()
    channel.exchange_declare("durable-x", "fanout", durable=True)
    channel.exchange_declare("transient-x", "fanout")
    channel.queue_declare("kept", durable=True)
    channel.queue_declare("lost")
    channel.queue_bind("kept", "durable-x")
    channel.confirm_delivery()
    channel.basic_publish("durable-x", "", b"persistent", pika.BasicProperties(delivery_mode=2))
    channel.basic_publish("durable-x", "", b"transient")
    channel.basic_get("kept")  # in flight at the reboot: back in the queue, redelivered
    broker = aws.mq.broker("events")

    boto3.client("mq", region_name="us-east-1").reboot_broker(BrokerId=broker.id)
    aws.clock.advance(minutes=10)
    assert broker.state == "RUNNING"
    assert broker.queues == ["kept"]
    assert "transient-x" not in broker.exchanges
    assert [b.destination for b in broker.exchange("durable-x").bindings] == ["kept"]
    (message,) = broker.queue("kept").messages
    assert (message.body, message.redelivered) == (b"persistent", True)
    method, _, body = connect().channel().basic_get("kept", auto_ack=True)
    assert (body, method.redelivered) == (b"persistent", True)


def test_an_activemq_broker_has_no_rabbitmq_view(aws: Cloud) -> None:
    running_broker(aws, "ACTIVEMQ", name="legacy")
    with pytest.raises(NotFound, match="runs ACTIVEMQ"):
        aws.mq.broker("legacy").exchange("amq.direct")
