"""Long polls move virtual time instead of sleeping, and wake for other threads' sends."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from freezegun import freeze_time

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import receive


def test_empty_long_poll_returns_at_the_end_of_the_wait(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")
    url = make_queue()
    before = aws.clock.now()
    assert receive(sqs, url, WaitTimeSeconds=20) == []
    assert aws.clock.now() - before == 20


def test_long_poll_wakes_when_a_delayed_message_becomes_visible(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=7)
    before = aws.clock.now()
    (message,) = receive(sqs, url, WaitTimeSeconds=20)
    assert message["Body"] == "soon"
    assert aws.clock.now() - before == 7


def test_long_poll_wakes_when_visibility_expires(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")
    url = make_queue(VisibilityTimeout=12)
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    receive(sqs, url)
    before = aws.clock.now()
    (message,) = receive(sqs, url, WaitTimeSeconds=20, AttributeNames=["ApproximateReceiveCount"])
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"
    assert aws.clock.now() - before == 12


def test_queue_wait_time_is_the_default(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")
    url = make_queue(ReceiveMessageWaitTimeSeconds=15)
    before = aws.clock.now()
    receive(sqs, url)
    assert aws.clock.now() - before == 15
    receive(sqs, url, WaitTimeSeconds=0)
    assert aws.clock.now() - before == 15


def test_long_poll_returns_at_once_inside_freeze_time(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with freeze_time("2024-01-01T00:00:00Z"):
        before = aws.clock.now()
        assert receive(sqs, url, WaitTimeSeconds=20) == []
        assert receive(sqs, url, WaitTimeSeconds=20) == []
        # The polls moved the cloud's clock, not the frozen one: a poll that waited for the frozen
        # clock (moto's behaviour) would hang and never get here.
        assert aws.clock.now() - before == 40


def test_long_poll_wakes_for_another_threads_send(aws: Cloud, make_queue: QueueFactory) -> None:
    url = make_queue()
    received: list[str] = []
    polls = 0
    ready = threading.Event()

    def consumer() -> None:
        nonlocal polls
        client = boto3.client("sqs", region_name="us-east-1")
        ready.set()
        while len(received) < 5 and polls < 10_000:
            polls += 1
            for message in receive(client, url, WaitTimeSeconds=20, MaxNumberOfMessages=10):
                received.append(message["Body"])
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def producer() -> None:
        client = boto3.client("sqs", region_name="us-east-1")
        ready.wait()
        for index in range(5):
            client.send_message(QueueUrl=url, MessageBody=f"order-{index}")

    threads = [threading.Thread(target=consumer), threading.Thread(target=producer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert sorted(received) == [f"order-{i}" for i in range(5)]
    assert aws.sqs.queue("orders").messages == []


def test_long_poll_from_inside_a_timer_does_not_spin(aws: Cloud, make_queue: QueueFactory) -> None:
    """A scheduled callback (a Step Functions task, say) sees time stand still: its poll answers at once."""
    url = make_queue()
    answers: list[dict[str, Any]] = []
    aws.clock.call_later(
        5, lambda: answers.append(aws.call("sqs", "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 20}))
    )
    aws.clock.advance(5)
    assert answers == [{}]
