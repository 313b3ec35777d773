"""Order intake built for a bad day in AWS.

The producer lets botocore retry what AWS tells it to retry (throttling, 5xx,
dropped connections), with the standard retry mode and a budget of five
retries, and fails over to a second region when the first one cannot be
reached at all. Retries mean a message can arrive twice (an answer lost after
SQS stored it), and standard queues deliver at least once anyway, so the
consumer is idempotent: it keys every order by its id and does the work once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, MutableMapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

# Sane settings for a producer: standard retries (exponential backoff with
# jitter, retry quota), five retries, and short timeouts so a dead endpoint is
# noticed in seconds, not minutes.
RETRYING = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=2, read_timeout=10)


class OrderProducer:
    """Sends orders to the ``queue_name`` queue of the first region that answers."""

    def __init__(self, queue_name: str, regions: Iterable[str] = ("us-east-1", "us-west-2")) -> None:
        self.queue_name = queue_name
        self._clients = [(region, boto3.client("sqs", region_name=region, config=RETRYING)) for region in regions]
        self._urls: dict[str, str] = {}

    def send(self, order: dict[str, Any]) -> str:
        """Queue one order; returns the region that took it."""
        body = json.dumps(order, sort_keys=True)
        unreachable: list[Exception] = []
        for region, client in self._clients:
            try:
                url = self._urls.get(region) or client.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
                self._urls[region] = url
                client.send_message(QueueUrl=url, MessageBody=body)
            except (EndpointConnectionError, ConnectTimeoutError) as error:
                unreachable.append(error)  # the whole region is gone: try the next one
                continue
            return region
        raise ConnectionError(f"no region could take order {order.get('id')}: {unreachable}")


class OrderConsumer:
    """Processes each order once, however many times SQS delivers it."""

    def __init__(self, queue_url: str, region: str, ledger: MutableMapping[str, dict[str, Any]]) -> None:
        self.queue_url = queue_url
        self.sqs = boto3.client("sqs", region_name=region, config=RETRYING)
        self.ledger = ledger  # order id -> order: in production, a table with a conditional put
        self.duplicates = 0

    def poll(self) -> int:
        """Receive one batch, process what is new, delete everything received."""
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = answer.get("Messages", [])
        for message in messages:
            order = json.loads(message["Body"])
            if order["id"] in self.ledger:
                self.duplicates += 1
            else:
                self.ledger[order["id"]] = order
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def drain(self, max_empty_polls: int = 3) -> None:
        """Poll until the queue stays empty for a few long polls."""
        empty = 0
        while empty < max_empty_polls:
            empty = 0 if self.poll() else empty + 1
