"""The timeline: one test's calls, faults, outages and deliveries in virtual-time order."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

from pytest_awsmsg import fake_aws
from pytest_awsmsg.core.timeline import timeline


def test_the_timeline_orders_calls_faults_outages_and_deliveries() -> None:
    retrying = Config(retries={"mode": "standard", "max_attempts": 5})
    with fake_aws(seed=5, region="us-east-1") as aws:
        sns = boto3.client("sns", region_name="us-east-1", config=retrying)
        sqs = boto3.client("sqs", region_name="us-east-1")
        topic = sns.create_topic(Name="orders")["TopicArn"]
        url = sqs.create_queue(QueueName="billing")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        aws.faults.inject("sns", "Publish", error="internal", count=1)
        aws.clock.advance(5)
        sns.publish(TopicArn=topic, Message="order-1")
        aws.region_outage("eu-west-1", duration=30)
        aws.clock.advance(30)

        story = json.loads(json.dumps(timeline(aws)))  # plain JSON all the way down

    assert story["seed"] == 5
    events = [(e["kind"], e.get("operation") or e.get("name") or e.get("source_name")) for e in story["events"]]
    assert events[-6:] == [
        ("call", "Publish"),
        ("fault", "Publish"),
        ("call", "Publish"),
        ("delivery", "orders"),
        ("region-change", "eu-west-1"),
        ("region-change", "eu-west-1"),
    ]
    times = [e["t"] for e in story["events"]]
    assert times == sorted(times)
    delivery = next(e for e in story["events"] if e["kind"] == "delivery")
    assert delivery["message"] == "order-1"
    assert [d["target"] for d in delivery["deliveries"]] == ["billing"]
