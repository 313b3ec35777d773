"""Fixtures for the SNS tests: boto3 clients on the fake, topic and queue factories.

``make_subscriber_queue`` gives a queue whose policy lets SNS topics of the account send
to it, as a real SNS-to-SQS subscription needs (see docs/sns.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud


@pytest.fixture
def sns(aws: Cloud) -> Any:
    return boto3.client("sns", region_name="us-east-1")


@pytest.fixture
def make_topic(sns: Any) -> Callable[..., str]:
    def make(name: str = "orders", **attributes: Any) -> str:
        if name.endswith(".fifo"):
            attributes.setdefault("FifoTopic", "true")
        rendered = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in attributes.items()}
        return str(sns.create_topic(Name=name, Attributes=rendered)["TopicArn"])

    return make


def sns_send_policy(queue_arn: str, source: str = "arn:aws:sns:*:123456789012:*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnLike": {"aws:SourceArn": source}},
                }
            ],
        }
    )


class Queue:
    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs = sqs
        self.url = url
        self.arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def receive(self, n: int = 10, **kwargs: Any) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=n, MessageAttributeNames=["All"], AttributeNames=["All"], **kwargs
        ).get("Messages", [])
        return messages

    def bodies(self) -> list[str]:
        return [m["Body"] for m in self.receive()]

    def envelopes(self) -> list[dict[str, Any]]:
        return [json.loads(b) for b in self.bodies()]


@pytest.fixture
def make_subscriber_queue(sqs: Any) -> Callable[..., Queue]:
    def make(name: str = "billing", *, allow_sns: bool = True, **attributes: Any) -> Queue:
        if name.endswith(".fifo"):
            attributes.setdefault("FifoQueue", "true")
        rendered = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in attributes.items()}
        url = sqs.create_queue(QueueName=name, Attributes=rendered)["QueueUrl"]
        queue = Queue(sqs, url)
        if allow_sns:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": sns_send_policy(queue.arn)})
        return queue

    return make


@pytest.fixture
def subscribe(sns: Any) -> Callable[..., str]:
    """Subscribe and return the subscription ARN (even while pending)."""

    def sub(topic_arn: str, protocol: str, endpoint: str, **attributes: Any) -> str:
        rendered = {k: v if isinstance(v, str) else json.dumps(v) for k, v in attributes.items()}
        if "RawMessageDelivery" in attributes:
            rendered["RawMessageDelivery"] = str(attributes["RawMessageDelivery"]).lower()
        return str(
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol=protocol,
                Endpoint=endpoint,
                Attributes=rendered,
                ReturnSubscriptionArn=True,
            )["SubscriptionArn"]
        )

    return sub


def attrs(**values: Any) -> dict[str, dict[str, str]]:
    """MessageAttributes from plain values: str -> String, int/float -> Number, list -> String.Array."""
    out = {}
    for name, value in values.items():
        if isinstance(value, bool):
            out[name] = {"DataType": "String", "StringValue": str(value).lower()}
        elif isinstance(value, (int, float)):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        elif isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": str(value)}
    return out
