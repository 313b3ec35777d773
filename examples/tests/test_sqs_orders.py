"""The order app's SQS side at work: a visibility timeout, a FIFO queue and a dead-letter queue.

Every wait below is virtual: the worker long-polls for 20 seconds and the
dead-letter scenario spans minutes, yet the file runs in milliseconds.
"""

from __future__ import annotations

from typing import Any

import pytest
from orders.queue_worker import (
    MAX_ATTEMPTS,
    VISIBILITY_TIMEOUT,
    create_queues,
    read_events,
    record_event,
    redrive_dead_letters,
    submit_order,
    work_once,
)

from pytest_awsmsg import Cloud


def test_creating_the_queues_again_finds_them(aws: Cloud) -> None:
    """A second deployment (or a second worker starting) gets the same queues back."""
    assert create_queues() == create_queues()


def test_a_crashed_worker_is_retried_after_the_visibility_timeout(aws: Cloud) -> None:
    queues = create_queues()
    submit_order(queues.orders, {"id": "o-1", "customer": "ada"})
    attempts: list[str] = []

    def flaky(order: dict[str, Any]) -> None:
        attempts.append(order["id"])
        if len(attempts) == 1:
            raise ConnectionError("payment service down")

    assert work_once(queues.orders, flaky) == 0
    (message,) = aws.sqs.queue("orders").messages
    assert (message.state, message.receive_count, message.attributes) == ("in-flight", 1, {"customer": "ada"})

    # Nothing to see until the visibility timeout ends: a short poll returns empty...
    aws.clock.advance(VISIBILITY_TIMEOUT - 1)
    assert work_once(queues.orders, flaky, wait_seconds=0) == 0
    # ...and a long poll waits (virtually) the last second, then gets the order again.
    assert work_once(queues.orders, flaky) == 1
    assert attempts == ["o-1", "o-1"]
    assert aws.sqs.queue("orders").messages == []


def test_fifo_keeps_each_orders_history_in_order_and_drops_duplicates(aws: Cloud) -> None:
    queues = create_queues()
    record_event(queues.events, "o-1", "e-1", "placed")
    record_event(queues.events, "o-2", "e-2", "placed")
    record_event(queues.events, "o-1", "e-3", "paid")
    record_event(queues.events, "o-1", "e-3", "paid")  # a retried publish: same event id
    record_event(queues.events, "o-2", "e-4", "cancelled")
    record_event(queues.events, "o-1", "e-5", "shipped")

    events = read_events(queues.events)
    history = {order: [e["event"] for e in events if e["order"] == order] for order in ("o-1", "o-2")}
    assert history == {"o-1": ["placed", "paid", "shipped"], "o-2": ["placed", "cancelled"]}


def test_a_poison_order_ends_in_the_dead_letter_queue_and_can_be_redriven(aws: Cloud) -> None:
    queues = create_queues()
    submit_order(queues.orders, {"id": "o-1", "customer": "ada", "sku": "discontinued"})
    submit_order(queues.orders, {"id": "o-2", "customer": "bob", "sku": "book"})
    shipped: list[str] = []

    def ship(order: dict[str, Any]) -> None:
        if order["sku"] == "discontinued":
            raise ValueError("unknown sku")
        shipped.append(order["id"])

    for _ in range(MAX_ATTEMPTS + 1):
        work_once(queues.orders, ship)
        aws.clock.advance(VISIBILITY_TIMEOUT)

    assert shipped == ["o-2"]
    assert aws.sqs.queue("orders").messages == []
    (dead,) = aws.sqs.queue("orders-dlq").messages
    assert dead.json()["id"] == "o-1"
    assert dead.dead_letter_source_arn == aws.sqs.queue("orders").arn

    # The sku is back in the catalogue: move the dead letters home and ship them.
    def ship_anything(order: dict[str, Any]) -> None:
        shipped.append(order["id"])

    redrive_dead_letters(queues)
    aws.clock.advance(1)  # the move task runs in virtual time
    assert work_once(queues.orders, ship_anything) == 1
    assert shipped == ["o-2", "o-1"]


@pytest.mark.aws(seed=7)
def test_production_quirks_catch_a_worker_that_is_not_idempotent(aws: Cloud) -> None:
    """Standard queues deliver at least once; switch the quirk on to prove the worker copes."""
    queues = create_queues()
    aws.sqs.quirks(duplicate_rate=0.5, queue="orders")
    for index in range(10):
        submit_order(queues.orders, {"id": f"o-{index}", "customer": "ada"})
    seen: list[str] = []
    while work_once(queues.orders, lambda order: seen.append(order["id"])):
        pass
    assert len(seen) > 10  # some orders arrived twice...
    assert sorted(set(seen)) == sorted(f"o-{i}" for i in range(10))  # ...and a set-based worker is still right
