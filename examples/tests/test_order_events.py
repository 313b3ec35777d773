"""Order events through an Amazon MQ broker: the broker is made through boto3 as infrastructure
code would, and the app's stomp.py publisher and consumer reach it unchanged over TLS."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from orders.order_events import OrderEventPublisher, ShippingConsumer

from pytest_awsmsg import Cloud

USER, PASSWORD = "orders-app", "a-long-secret-1"
# Real time a socket round trip may take on a busy machine; never used to let business time pass.
IO_WAIT = 10.0


def make_broker(aws: Cloud, mode: str = "SINGLE_INSTANCE") -> None:
    """What the infrastructure code does: create the broker, which takes 15 (virtual) minutes."""
    mq = boto3.client("mq")
    mq.create_broker(
        BrokerName="orders",
        EngineType="ACTIVEMQ",
        EngineVersion="5.18",
        AutoMinorVersionUpgrade=True,
        DeploymentMode=mode,
        HostInstanceType="mq.t3.micro" if mode == "SINGLE_INSTANCE" else "mq.m5.large",
        PubliclyAccessible=False,
        Users=[{"Username": USER, "Password": PASSWORD}],
    )
    aws.clock.advance(minutes=15)


class Shipping:
    """The shipping service's handler: records what it shipped; refuses orders it cannot ship.

    Idempotent, as a consumer of at-least-once delivery must be: a publisher that
    resends after a lost receipt may deliver an event twice.
    """

    def __init__(self) -> None:
        self.shipped: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, event: dict[str, Any]) -> None:
        with self._changed:
            if event.get("country") == "Atlantis":
                self.refused.append(event["order_id"])
                self._changed.notify_all()
                raise ValueError("no carrier ships there")
            if event not in self.shipped:
                self.shipped.append(event)
            self._changed.notify_all()

    def wait_for(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.shipped) + len(self.refused) >= count, IO_WAIT)


@pytest.fixture
def shipping() -> Shipping:
    return Shipping()


@pytest.fixture
def closing() -> Iterator[list[Any]]:
    """Publishers and consumers a test opened, closed at its end (their sockets and threads)."""
    opened: list[Any] = []
    yield opened
    for client in reversed(opened):
        client.close()


def test_order_events_reach_shipping_in_order(aws: Cloud, shipping: Shipping, closing: list[Any]) -> None:
    make_broker(aws)
    publisher = OrderEventPublisher("orders", USER, PASSWORD)
    closing.append(publisher)
    for number in (1, 2, 3):
        publisher.publish(f"order-{number}", "placed", country="NZ")
    assert aws.mq.broker("orders").queue("orders.events").depth == 3  # waiting: nobody consumes yet

    closing.append(ShippingConsumer("orders", USER, PASSWORD, shipping))
    assert shipping.wait_for(3)
    assert [e["order_id"] for e in shipping.shipped] == ["order-1", "order-2", "order-3"]


def test_an_event_shipping_cannot_handle_is_dead_lettered(aws: Cloud, shipping: Shipping, closing: list[Any]) -> None:
    make_broker(aws)
    closing.append(ShippingConsumer("orders", USER, PASSWORD, shipping))
    publisher = OrderEventPublisher("orders", USER, PASSWORD)
    closing.append(publisher)
    publisher.publish("order-7", "placed", country="Atlantis")
    publisher.publish("order-8", "placed", country="NZ")
    assert shipping.wait_for(2)
    assert shipping.refused == ["order-7"]
    assert [e["order_id"] for e in shipping.shipped] == ["order-8"]
    (dead,) = aws.mq.broker("orders").dlq.messages
    assert '"order-7"' in dead.text


def test_publishing_fails_over_to_the_standby_when_the_active_az_goes_down(
    aws: Cloud, shipping: Shipping, closing: list[Any]
) -> None:
    make_broker(aws, "ACTIVE_STANDBY_MULTI_AZ")
    # The publisher learns of a dropped connection from a receipt that does not come (see
    # RECEIPT_TIMEOUT): half a second of real time here instead of ten.
    publisher = OrderEventPublisher("orders", USER, PASSWORD, receipt_timeout=0.5)
    closing.append(publisher)
    publisher.publish("order-1", "placed", country="NZ")

    with aws.az_outage(aws.mq.broker("orders").zones[0]):
        # The active broker's connections drop; the publisher reconnects to the standby, which
        # took over the same (persistent) messages.
        publisher.publish("order-2", "placed", country="NZ")
        closing.append(ShippingConsumer("orders", USER, PASSWORD, shipping))
        assert shipping.wait_for(2)

    assert [e["order_id"] for e in shipping.shipped] == ["order-1", "order-2"]
    connected_to = {c.instance for c in aws.mq.broker("orders").connections}
    assert connected_to == {2}  # the old active came back as the standby
