"""``aws.deliveries``: asserts that read naturally and explain a miss, and the failure report section."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import Queue, attrs


@pytest.fixture
def orders(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> tuple[str, Queue, Queue]:
    topic = make_topic()
    billing, audit = make_subscriber_queue("billing-queue"), make_subscriber_queue("audit-queue")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=billing.arn, Attributes={"FilterPolicy": '{"kind": ["paid"]}'}
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=audit.arn)
    return topic, billing, audit


def test_assert_delivered_returns_what_arrived(aws: Cloud, sns: Any, orders: tuple[str, Queue, Queue]) -> None:
    topic, billing, _ = orders
    sns.publish(TopicArn=topic, Message="order 7 paid", MessageAttributes=attrs(kind="paid"))
    (delivery,) = aws.deliveries.assert_delivered(to="billing-queue", containing="order 7")
    assert json.loads(delivery.payload)["Message"] == "order 7 paid"
    aws.deliveries.assert_delivered(to=billing.url, count=1)  # a queue is known by name, URL or ARN
    aws.deliveries.assert_delivered(to=billing.arn, attributes={"kind": "paid"}, source="orders")
    assert [json.loads(b)["Message"] for b in aws.deliveries.received_by("audit-queue")] == ["order 7 paid"]


def test_a_miss_names_the_filter_that_stopped_it(aws: Cloud, sns: Any, orders: tuple[str, Queue, Queue]) -> None:
    topic = orders[0]
    for kind in ("refund", "refund", "placed"):
        sns.publish(TopicArn=topic, Message=f"order {kind}", MessageAttributes=attrs(kind=kind))
    with pytest.raises(AssertionError) as caught:
        aws.deliveries.assert_delivered(to="billing-queue")
    text = str(caught.value)
    assert text.startswith("published 3 message(s) to orders; none reached billing-queue:")
    assert 'filter policy rejected it: kind: "refund" does not match ["paid"]' in text
    assert "-> sqs audit-queue: delivered" in text


def test_a_miss_on_an_unknown_target_lists_the_subscribers(
    aws: Cloud, sns: Any, orders: tuple[str, Queue, Queue]
) -> None:
    sns.publish(TopicArn=orders[0], Message="x", MessageAttributes=attrs(kind="paid"))
    with pytest.raises(
        AssertionError,
        match="shipping-queue never appears as a subscriber; subscribers seen: audit-queue, billing-queue",
    ):
        aws.deliveries.assert_delivered(to="shipping-queue")


def test_wrong_count(aws: Cloud, sns: Any, orders: tuple[str, Queue, Queue]) -> None:
    for _ in range(2):
        sns.publish(TopicArn=orders[0], Message="x", MessageAttributes=attrs(kind="paid"))
    with pytest.raises(AssertionError, match="billing-queue received 2 matching message"):
        aws.deliveries.assert_delivered(to="billing-queue", count=1)


def test_nothing_published(aws: Cloud) -> None:
    with pytest.raises(AssertionError, match="nothing was published at all"):
        aws.deliveries.assert_delivered(to="billing-queue")


def test_assert_not_delivered(aws: Cloud, sns: Any, orders: tuple[str, Queue, Queue]) -> None:
    sns.publish(TopicArn=orders[0], Message="refund 9", MessageAttributes=attrs(kind="refund"))
    aws.deliveries.assert_not_delivered(to="billing-queue")
    with pytest.raises(AssertionError, match="audit-queue received 1 message"):
        aws.deliveries.assert_not_delivered(to="audit-queue", containing="refund")


def test_failures_explain_themselves(aws: Cloud, sns: Any, make_topic: Callable[..., str]) -> None:
    topic = make_topic()
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint="arn:aws:lambda:us-east-1:123456789012:function:gone")
    sns.publish(TopicArn=topic, Message="x")
    with pytest.raises(AssertionError, match="failed: function gone does not exist"):
        aws.deliveries.assert_delivered(to="gone")


def test_a_fifo_duplicate_is_explained(
    aws: Cloud, sns: Any, make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue]
) -> None:
    topic = make_topic("orders.fifo")
    queue = make_subscriber_queue("billing.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    first = sns.publish(TopicArn=topic, Message="a", MessageGroupId="g", MessageDeduplicationId="d")["MessageId"]
    sns.publish(TopicArn=topic, Message="a again", MessageGroupId="g", MessageDeduplicationId="d")
    with pytest.raises(AssertionError) as caught:
        aws.deliveries.assert_delivered(to="billing.fifo", message="a again")
    assert f"duplicate of message {first} (deduplication id d): accepted, not delivered" in str(caught.value)


def test_failed_tests_report_aws_deliveries(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_fanout(aws):
            sns = boto3.client("sns", region_name="us-east-1")
            topic = sns.create_topic(Name="orders")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ann@example.com")
            sns.publish(TopicArn=topic, Message="hello")
            assert False
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*aws deliveries*",
            "*sns publish to orders (message *: 'hello')",
            "*-> email ann@example.com: pending-confirmation (confirm it with ConfirmSubscription*",
        ]
    )
