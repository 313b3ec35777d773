"""Order intake on SQS: a producer, a worker with retries, and a FIFO event log.

Production-style code: plain boto3, no knowledge of tests. Orders go to a
standard queue with a dead-letter queue behind it; a worker long-polls, and
any order its handler fails on stays in the queue, comes back after the
visibility timeout, and after ``MAX_ATTEMPTS`` lands in the dead-letter queue.
Per-order events go to a FIFO queue so each order's history stays in order
and a retried publish is not recorded twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

MAX_ATTEMPTS = 3
VISIBILITY_TIMEOUT = 30

Handler = Callable[[dict[str, Any]], None]


@dataclass
class OrderQueues:
    orders: str
    dead_letters: str
    events: str


def sqs_client() -> Any:
    return boto3.client("sqs")


def create_queues(prefix: str = "orders", client: Any = None) -> OrderQueues:
    """Create (or find: CreateQueue is idempotent) the three queues the app uses."""
    sqs = client or sqs_client()
    dlq_url = sqs.create_queue(QueueName=f"{prefix}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_ATTEMPTS}
    orders_url = sqs.create_queue(
        QueueName=prefix,
        Attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT), "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    events_url = sqs.create_queue(
        QueueName=f"{prefix}-events.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"},
    )["QueueUrl"]
    return OrderQueues(orders_url, dlq_url, events_url)


def submit_order(queue_url: str, order: dict[str, Any], client: Any = None) -> str:
    """Queue an order; returns its message id."""
    sqs = client or sqs_client()
    attributes = {"customer": {"DataType": "String", "StringValue": str(order.get("customer", "unknown"))}}
    return str(
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(order), MessageAttributes=attributes)["MessageId"]
    )


def work_once(queue_url: str, handler: Handler, client: Any = None, wait_seconds: int = 20) -> int:
    """One long poll: handle what arrives, delete what was handled. Returns how many were handled.

    A handler that raises leaves its message alone: it becomes visible again
    when its visibility timeout ends, and SQS counts the attempt.
    """
    sqs = client or sqs_client()
    response = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds, MessageAttributeNames=["All"]
    )
    handled = 0
    for message in response.get("Messages", []):
        try:
            handler(json.loads(message["Body"]))
        except Exception:  # a failed order is retried by SQS, not by us
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        handled += 1
    return handled


def record_event(events_url: str, order_id: str, event_id: str, kind: str, client: Any = None) -> None:
    """Append an event to the order's history. Publishing the same event id twice records it once."""
    sqs = client or sqs_client()
    sqs.send_message(
        QueueUrl=events_url,
        MessageBody=json.dumps({"order": order_id, "event": kind}),
        MessageGroupId=order_id,
        MessageDeduplicationId=event_id,
    )


def read_events(events_url: str, client: Any = None) -> list[dict[str, str]]:
    """Drain the event log, in the order each order's events happened."""
    sqs = client or sqs_client()
    events: list[dict[str, str]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=events_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return events
        for message in messages:
            events.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=events_url, ReceiptHandle=message["ReceiptHandle"])


def redrive_dead_letters(queues: OrderQueues, per_second: int = 10, client: Any = None) -> str:
    """Send every dead-lettered order back to the orders queue; returns the move task's handle."""
    sqs = client or sqs_client()
    dlq_arn = sqs.get_queue_attributes(QueueUrl=queues.dead_letters, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return str(sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=per_second)["TaskHandle"])
