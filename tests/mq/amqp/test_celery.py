"""Celery (kombu over py-amqp) against the kit's RabbitMQ broker: a task runs end to end over amqps://."""

from __future__ import annotations

import pytest

from pytest_awsmsg import Cloud

from ..brokers import PASSWORD, USER
from .conftest import Address

celery = pytest.importorskip("celery")


def test_a_celery_task_runs_end_to_end_through_the_broker(address: Address, aws: Cloud) -> None:
    from celery.contrib.testing.worker import start_worker  # type: ignore[import-untyped]

    host, port = address
    app = celery.Celery("shop", broker=f"amqps://{USER}:{PASSWORD}@{host}:{port}//", backend="cache+memory://")
    app.conf.broker_heartbeat = 0  # no heartbeat timer: the worker stops at once
    app.conf.broker_connection_retry_on_startup = False

    @app.task
    def total(prices: list[int]) -> int:
        return sum(prices)

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        assert total.delay([3, 4, 5]).get(timeout=10) == 12

    broker = aws.mq.broker("events")
    celery_queue = broker.queue("celery")
    assert celery_queue.durable
    assert celery_queue.depth == 0
    assert celery_queue.unacked == 0
    assert [b.destination for b in broker.exchange("celery").bindings] == ["celery"]
