"""Production quirks: a standard topic may deliver a message twice (aws.sns.quirks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud, fake_aws

from .conftest import Queue, sns_send_policy


@pytest.fixture
def orders(
    make_topic: Callable[..., str], make_subscriber_queue: Callable[..., Queue], subscribe: Callable[..., str]
) -> tuple[str, Queue]:
    """The standard topic "orders" with the queue "billing" subscribed to it."""
    topic = make_topic("orders")
    queue = make_subscriber_queue("billing")
    subscribe(topic, "sqs", queue.arn)
    return topic, queue


def test_a_duplicate_is_the_same_notification_again(aws: Cloud, sns: Any, orders: tuple[str, Queue]) -> None:
    topic, queue = orders
    aws.sns.quirks(duplicate_rate=1.0, topic="orders")

    message_id = sns.publish(TopicArn=topic, Message="order-1")["MessageId"]

    envelopes = queue.envelopes()
    assert [(e["MessageId"], e["Message"]) for e in envelopes] == [(message_id, "order-1")] * 2
    deliveries = aws.deliveries.publications[-1].deliveries
    assert [d.ok for d in deliveries] == [True, True]
    assert deliveries[1].reason == "a duplicate delivery (aws.sns.quirks)"


def test_quirks_leave_fifo_topics_and_other_topics_alone(
    aws: Cloud,
    sns: Any,
    make_topic: Callable[..., str],
    make_subscriber_queue: Callable[..., Queue],
    subscribe: Callable[..., str],
) -> None:
    fifo = make_topic("orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    other = make_topic("audit")
    fifo_queue, other_queue = make_subscriber_queue("billing.fifo"), make_subscriber_queue("audit-log")
    subscribe(fifo, "sqs", fifo_queue.arn)
    subscribe(other, "sqs", other_queue.arn)
    aws.sns.quirks(duplicate_rate=1.0, topic="orders.fifo")

    sns.publish(TopicArn=fifo, Message="once", MessageGroupId="g")
    sns.publish(TopicArn=other, Message="once too")

    assert [e["Message"] for e in fifo_queue.envelopes()] == ["once"]
    assert [e["Message"] for e in other_queue.envelopes()] == ["once too"]


def test_the_same_seed_duplicates_the_same_messages() -> None:
    def duplicated(seed: int) -> list[int]:
        with fake_aws(seed=seed, region="us-east-1") as cloud:
            sns = boto3.client("sns", region_name="us-east-1")
            sqs = boto3.client("sqs", region_name="us-east-1")
            topic = sns.create_topic(Name="orders")["TopicArn"]
            url = sqs.create_queue(QueueName="billing")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": sns_send_policy(arn)})
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
            cloud.sns.quirks(duplicate_rate=0.5)
            for n in range(20):
                sns.publish(TopicArn=topic, Message=str(n))
            return [len(p.deliveries) for p in cloud.deliveries.publications]

    first = duplicated(3)
    assert first == duplicated(3)
    assert 1 in first
    assert 2 in first


def test_switching_quirks_off_and_refusing_a_bad_rate(aws: Cloud, sns: Any, orders: tuple[str, Queue]) -> None:
    topic, queue = orders
    aws.sns.quirks(duplicate_rate=1.0)
    aws.sns.quirks()

    sns.publish(TopicArn=topic, Message="just once")

    assert [e["Message"] for e in queue.envelopes()] == ["just once"]
    with pytest.raises(ValueError, match="between 0 and 1"):
        aws.sns.quirks(duplicate_rate=1.5)


def test_quirks_without_arguments_switch_off_a_topics_own_setting(
    aws: Cloud, sns: Any, orders: tuple[str, Queue]
) -> None:
    topic, queue = orders
    aws.sns.quirks(duplicate_rate=1.0, topic="orders")
    aws.sns.quirks()

    sns.publish(TopicArn=topic, Message="once")

    assert [e["Message"] for e in queue.envelopes()] == ["once"]
