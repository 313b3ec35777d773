"""SNS fan-out through boto3: one publish to three SQS queues with filter policies.

pytest-awsmsg and moto's ``mock_aws`` run the same workload in the same
process, one after the other: a topic, three queues (each with the access
policy SNS needs), three filtered subscriptions, then timed publishes whose
attributes match two of the three filters. Each publish is delivered (JSON
envelope, signed), filtered, and logged. Read the ratio, not the absolute
numbers: machines differ, ratios measured together do not drift much.

Run: python benchmarks/bench_sns_fanout.py  (needs the `bench` extra: moto)
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from _timing import ops_per_second, report

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
REGION = "us-east-1"
ROUND = 200  # publishes per timed round
FILTERS = {
    "billing": {"event": ["paid", "refunded"]},
    "shipping": {"event": ["paid"], "total": [{"numeric": [">", 0]}]},
    "fraud": {"event": ["placed"]},
}
ATTRIBUTES = {
    "event": {"DataType": "String", "StringValue": "paid"},
    "total": {"DataType": "Number", "StringValue": "42.5"},
}


def wire_up() -> tuple[Any, Any, str, list[str]]:
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="orders")["TopicArn"]
    urls = []
    for name, policy in FILTERS.items():
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        allow = {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ]
        }
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(allow)})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": json.dumps(policy)})
        urls.append(url)
    return sns, sqs, topic, urls


def publish(sns: Any, topic: str, n: int) -> None:
    for i in range(n):
        sns.publish(TopicArn=topic, Message=json.dumps({"order": i, "event": "paid"}), MessageAttributes=ATTRIBUTES)


def check(sqs: Any, urls: list[str]) -> list[int]:
    """Messages waiting per queue: proves both fakes delivered and filtered the same way."""
    counts = []
    for url in urls:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        counts.append(int(attributes["Attributes"]["ApproximateNumberOfMessages"]))
    return counts


def awsmsg_rate() -> tuple[float, list[int]]:
    from pytest_awsmsg import fake_aws

    with fake_aws():
        sns, sqs, topic, urls = wire_up()
        publish(sns, topic, 1)
        counts = check(sqs, urls)
        return ops_per_second(lambda n: publish(sns, topic, n), ROUND), counts


def moto_rate() -> tuple[float, list[int]]:
    from moto import mock_aws

    with mock_aws():
        sns, sqs, topic, urls = wire_up()
        publish(sns, topic, 1)
        counts = check(sqs, urls)
        return ops_per_second(lambda n: publish(sns, topic, n), ROUND), counts


def main() -> None:
    ours, our_counts = awsmsg_rate()
    theirs, their_counts = moto_rate()
    print(f"after one publish, messages per queue (billing, shipping, fraud): awsmsg {our_counts}, moto {their_counts}")
    # A fake that skipped delivery or filtering would look fast: refuse to report its rate.
    expected = [1, 1, 0]  # "paid" matches billing and shipping, not fraud
    if our_counts != expected or their_counts != expected:
        raise SystemExit(f"the fakes did not fan out as SNS does: expected {expected} messages per queue")
    rows = [("pytest-awsmsg", ours), ("moto", theirs)]
    print(report("SNS publish fanned out to 3 filtered SQS queues", rows, "publishes/s", dict(rows)))


if __name__ == "__main__":
    main()
