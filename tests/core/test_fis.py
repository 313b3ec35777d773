"""AWS FIS experiment templates: their API fault actions run as written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from pytest_awsmsg import Cloud, fake_aws

THROTTLE = "RequestThrottled"  # how SQS answers FIS's throttle action

# Shaped as `aws fis get-experiment-template` returns it and as teams keep
# them in their repositories.
TEMPLATE: dict[str, Any] = {
    "description": "SQS producers ride out throttling, then internal errors",
    "targets": {
        "producer-role": {
            "resourceType": "aws:iam:role",
            "resourceArns": ["arn:aws:iam::123456789012:role/order-producer"],
            "selectionMode": "ALL",
        }
    },
    "actions": {
        "throttle-sends": {
            "actionId": "aws:fis:inject-api-throttle-error",
            "description": "throttle every send for a minute",
            "parameters": {
                "service": "sqs",
                "operations": "SendMessage,SendMessageBatch",
                "percentage": "100",
                "duration": "PT1M",
            },
            "targets": {"Roles": "producer-role"},
        },
        "calm": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT1M"}, "startAfter": ["throttle-sends"]},
        "break-receives": {
            "actionId": "aws:fis:inject-api-internal-error",
            "parameters": {"service": "sqs", "operations": "ReceiveMessage", "percentage": "100", "duration": "PT2M"},
            "targets": {"Roles": "producer-role"},
            "startAfter": ["calm"],
        },
    },
    "stopConditions": [{"source": "none"}],
    "roleArn": "arn:aws:iam::123456789012:role/fis",
}


def sqs() -> Any:
    return boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 0}))


@pytest.fixture
def aws() -> Iterator[Cloud]:
    with fake_aws(seed=3, region="us-east-1") as cloud:
        yield cloud


def outcome(call: Any, **params: Any) -> str:
    try:
        call(**params)
    except botocore.exceptions.ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def test_an_fis_template_runs_its_actions_in_order_in_virtual_time(aws: Cloud) -> None:
    url = sqs().create_queue(QueueName="orders")["QueueUrl"]
    experiment = aws.faults.fis(TEMPLATE)

    def now() -> tuple[str, str]:
        client = sqs()
        return outcome(client.send_message, QueueUrl=url, MessageBody="x"), outcome(
            client.receive_message, QueueUrl=url
        )

    seen = {"start": now()}
    aws.clock.advance(60)  # throttling over, the wait runs
    seen["after 1 min"] = now()
    aws.clock.advance(60)  # the wait is over: receives break for two minutes
    seen["after 2 min"] = now()
    assert experiment.state == "running"
    aws.clock.advance(120)
    seen["after 4 min"] = now()

    assert seen == {
        "start": (THROTTLE, "ok"),
        "after 1 min": ("ok", "ok"),
        "after 2 min": ("ok", "InternalFailure"),
        "after 4 min": ("ok", "ok"),
    }
    assert experiment.state == "completed"


def test_a_template_file_and_the_get_experiment_template_wrapper_are_accepted(aws: Cloud, tmp_path: Path) -> None:
    path = tmp_path / "experiment.json"
    path.write_text(json.dumps({"experimentTemplate": TEMPLATE}))
    url = sqs().create_queue(QueueName="orders")["QueueUrl"]
    with aws.faults.fis(path) as experiment:
        assert outcome(sqs().send_message, QueueUrl=url, MessageBody="x") == THROTTLE
    assert experiment.state == "stopped"
    assert outcome(sqs().send_message, QueueUrl=url, MessageBody="x") == "ok"


def _half_throttled(seed: int) -> list[str]:
    template = json.loads(json.dumps(TEMPLATE))
    template["actions"]["throttle-sends"]["parameters"]["percentage"] = "50"
    with fake_aws(seed=seed, region="us-east-1") as aws:
        url = sqs().create_queue(QueueName="orders")["QueueUrl"]
        aws.faults.fis(template)
        return [outcome(sqs().send_message, QueueUrl=url, MessageBody=str(n)) for n in range(20)]


def test_a_percentage_in_a_template_is_seeded() -> None:
    first = _half_throttled(seed=3)
    assert 0 < first.count(THROTTLE) < 20
    assert _half_throttled(seed=3) == first  # the same calls fail on every run
    assert _half_throttled(seed=4) != first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"actionId": "aws:ec2:stop-instances"}, "not an API fault action"),
        (
            {"parameters": {"service": "ec2", "operations": "RunInstances", "percentage": "5", "duration": "PT1M"}},
            "ec2",
        ),
        (
            {"parameters": {"service": "sqs", "operations": "SendMessage", "percentage": "0", "duration": "PT1M"}},
            "1-100",
        ),
        (
            {"parameters": {"service": "sqs", "operations": "SendMessage", "percentage": "5", "duration": "1 minute"}},
            "ISO",
        ),
        (
            {"parameters": {"service": "sqs", "operations": "SendMessage", "percentage": "5", "duration": "PT30S"}},
            "one minute to 12 hours",
        ),
        (
            {"parameters": {"service": "sqs", "operations": "SendMessage", "percentage": "5", "duration": "PT12H1S"}},
            "one minute to 12 hours",
        ),
        ({"parameters": {"service": "sqs", "percentage": "5", "duration": "PT1M"}}, "needs parameters operations"),
        ({"targets": {"Roles": "nobody"}}, "aws:iam:role"),
        ({"startAfter": ["missing"]}, "not an action"),
    ],
)
def test_what_fis_would_refuse_is_refused_when_the_experiment_starts(
    aws: Cloud, change: dict[str, Any], message: str
) -> None:
    template = json.loads(json.dumps(TEMPLATE))
    template["actions"]["throttle-sends"].update(change)
    with pytest.raises(ValueError, match=message):
        aws.faults.fis(template)
    assert aws.faults.rules == []
