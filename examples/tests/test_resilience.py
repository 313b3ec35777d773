"""The order app on a bad day: an AZ outage, a region outage, lost answers and
duplicate deliveries. Each test is what a team would write to prove it."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from orders.resilient_producer import OrderConsumer, OrderProducer

from pytest_awsmsg import Cloud

pytestmark = pytest.mark.aws(region="us-east-1")


def orders(n: int) -> list[dict[str, Any]]:
    return [{"id": f"order-{i}", "total": 10 * i} for i in range(n)]


@pytest.fixture
def queues(aws: Cloud) -> dict[str, str]:
    return {
        region: boto3.client("sqs", region_name=region).create_queue(QueueName="orders")["QueueUrl"]
        for region in ("us-east-1", "us-west-2")
    }


@pytest.mark.aws_az_outage("us-east-1a")
def test_the_producer_rides_out_an_az_outage(aws: Cloud, queues: dict[str, str]) -> None:
    producer = OrderProducer("orders")
    regions = {producer.send(order) for order in orders(50)}

    assert regions == {"us-east-1"}  # no failover needed: retries were enough
    assert len(aws.sqs.queue("orders").messages) == 50
    assert aws.calls.retried(), "the outage should have been felt"
    assert all(call.ok for call in aws.calls.invocations("sqs", "SendMessage"))


@pytest.mark.aws_az_outage("us-east-1a")
def test_a_producer_without_retries_loses_orders_in_the_same_outage(aws: Cloud, queues: dict[str, str]) -> None:
    naive = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 0}))
    lost = 0
    for order in orders(50):
        try:
            naive.send_message(QueueUrl=queues["us-east-1"], MessageBody=str(order))
        except botocore.exceptions.ClientError:
            lost += 1
    assert lost > 0
    assert len(aws.sqs.queue("orders").messages) == 50 - lost


def test_the_producer_fails_over_when_its_region_goes_down(aws: Cloud, queues: dict[str, str]) -> None:
    producer = OrderProducer("orders")
    assert producer.send({"id": "before"}) == "us-east-1"
    with aws.region_outage("us-east-1"):
        assert producer.send({"id": "during"}) == "us-west-2"
    assert producer.send({"id": "after"}) == "us-east-1"
    assert aws.sqs.queue("orders", region="us-west-2").bodies == ['{"id": "during"}']


def test_the_consumer_processes_each_order_once_under_duplicate_delivery(aws: Cloud, queues: dict[str, str]) -> None:
    aws.sqs.quirks(duplicate_rate=0.5, queue="orders")  # at-least-once delivery, at its worst
    producer = OrderProducer("orders")
    for order in orders(20):
        producer.send(order)

    ledger: dict[str, dict[str, Any]] = {}
    consumer = OrderConsumer(queues["us-east-1"], "us-east-1", ledger)
    consumer.drain()

    assert sorted(ledger) == sorted(o["id"] for o in orders(20))
    assert consumer.duplicates > 0, "SQS should have delivered some orders twice"
    assert aws.sqs.queue("orders").messages == []


@pytest.mark.aws_fault("sqs", "SendMessage", connection="closed", processed=True, nth=3)
def test_an_answer_lost_after_sqs_stored_the_order_is_harmless(aws: Cloud, queues: dict[str, str]) -> None:
    producer = OrderProducer("orders")
    for order in orders(5):
        producer.send(order)
    assert len(aws.sqs.queue("orders").messages) == 6  # botocore retried: one order went in twice

    ledger: dict[str, dict[str, Any]] = {}
    consumer = OrderConsumer(queues["us-east-1"], "us-east-1", ledger)
    consumer.drain()
    assert len(ledger) == 5
    assert consumer.duplicates == 1
