"""Order notifications: one SNS topic fanned out to the queues that care.

Production-style code: plain boto3, no knowledge of tests. The app publishes
every order event once, to the ``order-events`` topic, with the event kind
and the order total as message attributes. Each team's queue subscribes with
a filter policy, so billing sees payments and refunds, shipping sees paid
orders only, and fraud review sees large orders; nobody filters in code.

SQS only accepts messages from SNS when the queue's access policy allows the
topic (``aws:SourceArn``): :func:`wire_up` sets that policy, as a real
deployment must.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

TOPIC = "order-events"
LARGE_ORDER = 1000

# queue name -> the filter policy of its subscription
SUBSCRIBERS: dict[str, dict[str, Any]] = {
    "billing": {"event": ["paid", "refunded"]},
    "shipping": {"event": ["paid"]},
    "fraud-review": {"event": ["placed"], "total": [{"numeric": [">=", LARGE_ORDER]}]},
}


@dataclass
class Notifications:
    topic_arn: str
    queue_urls: dict[str, str]


def wire_up(sns: Any = None, sqs: Any = None) -> Notifications:
    """Create the topic and the team queues, allow the topic to send, subscribe with filters."""
    sns = sns or boto3.client("sns")
    sqs = sqs or boto3.client("sqs")
    topic_arn = sns.create_topic(Name=TOPIC)["TopicArn"]
    urls = {}
    for name, policy in SUBSCRIBERS.items():
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _allow_topic(arn, topic_arn)})
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"},
        )
        urls[name] = url
    return Notifications(topic_arn, urls)


def _allow_topic(queue_arn: str, topic_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
    )


def publish_event(topic_arn: str, order_id: str, event: str, total: float, sns: Any = None) -> str:
    """Announce an order event; returns the SNS message id."""
    sns = sns or boto3.client("sns")
    body = json.dumps({"order": order_id, "event": event, "total": total})
    result = sns.publish(
        TopicArn=topic_arn,
        Message=body,
        MessageAttributes={
            "event": {"DataType": "String", "StringValue": event},
            "total": {"DataType": "Number", "StringValue": str(total)},
        },
    )
    return str(result["MessageId"])


def drain(queue_url: str, sqs: Any = None) -> list[dict[str, Any]]:
    """Read and delete everything waiting in a team queue (the team's worker, in short)."""
    sqs = sqs or boto3.client("sqs")
    events: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return events
        for message in messages:
            events.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
