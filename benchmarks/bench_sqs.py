"""SQS send + receive + delete through boto3: pytest-awsmsg vs moto vs botocore's floor.

The floor is botocore alone: a ``before-send`` handler that returns a canned,
valid reply for each operation, so it pays for everything botocore does
(validation, serialisation, signing, parsing, MD5 checks) and nothing else.
All three run in the same process, one after the other, and the ratios are
what to read: machines differ, ratios measured together do not drift much.

Run: python benchmarks/bench_sqs.py  (needs the `bench` extra: moto)
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import boto3
from _timing import ops_per_second, report, seconds_per_call
from botocore.awsrequest import AWSResponse

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
REGION = "us-east-1"
ROUND = 300  # send+receive+delete cycles per timed round


def cycle(sqs: Any, url: str, n: int) -> None:
    for i in range(n):
        sqs.send_message(QueueUrl=url, MessageBody=f"order-{i}")
        message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def awsmsg_rate() -> float:
    from pytest_awsmsg import fake_aws

    with fake_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="bench")["QueueUrl"]
        return ops_per_second(lambda n: cycle(sqs, url, n), ROUND)


def moto_rate() -> float:
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="bench")["QueueUrl"]
        return ops_per_second(lambda n: cycle(sqs, url, n), ROUND)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def floor_rate() -> float:
    body = "order-0"
    md5 = hashlib.md5(body.encode()).hexdigest()
    canned = {
        "SendMessage": {"MD5OfMessageBody": md5, "MessageId": "a6e3c1a2-0000-4000-8000-000000000000"},
        "ReceiveMessage": {
            "Messages": [
                {
                    "MessageId": "a6e3c1a2-0000-4000-8000-000000000000",
                    "ReceiptHandle": "rh",
                    "MD5OfBody": md5,
                    "Body": body,
                }
            ]
        },
        "DeleteMessage": {},
    }
    replies = {op: json.dumps(doc).encode() for op, doc in canned.items()}

    def answer(request: Any, **_: Any) -> AWSResponse:
        op = (
            request.headers["X-Amz-Target"].decode().split(".")[1]
            if isinstance(request.headers["X-Amz-Target"], bytes)
            else request.headers["X-Amz-Target"].split(".")[1]
        )
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(replies[op]))

    sqs = boto3.client("sqs", region_name=REGION)
    sqs.meta.events.register_first("before-send.sqs", answer)
    url = f"https://sqs.{REGION}.amazonaws.com/123456789012/bench"
    # The canned receive always returns order-0; the body's MD5 must match.
    return ops_per_second(lambda n: cycle_fixed(sqs, url, n), ROUND)


def cycle_fixed(sqs: Any, url: str, n: int) -> None:
    for _ in range(n):
        sqs.send_message(QueueUrl=url, MessageBody="order-0")
        message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def setup_cost_awsmsg() -> float:
    from pytest_awsmsg import fake_aws

    def one_test() -> None:
        with fake_aws():
            boto3.client("sqs", region_name=REGION).create_queue(QueueName="q")

    return seconds_per_call(one_test)


def setup_cost_moto() -> float:
    from moto import mock_aws

    def one_test() -> None:
        with mock_aws():
            boto3.client("sqs", region_name=REGION).create_queue(QueueName="q")

    return seconds_per_call(one_test)


def main() -> None:
    rates = {"pytest-awsmsg": awsmsg_rate(), "moto": moto_rate(), "botocore floor": floor_rate()}
    print(
        report(f"SQS send+receive+delete cycles ({ROUND}/round, median of 5)", list(rates.items()), "cycles/s", rates)
    )
    setup = {"pytest-awsmsg": setup_cost_awsmsg() * 1000, "moto": setup_cost_moto() * 1000}
    print(report("Enter + one client + one queue + exit", list(setup.items()), "ms", setup))


if __name__ == "__main__":
    main()
