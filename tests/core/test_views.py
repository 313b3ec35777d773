"""``aws.<service>`` is a view, the same shape for every service: lookups that return live,
read-only views and fail with one error naming what exists and where, and assert helpers
that explain a miss. The fakes' internals are out of reach."""

from __future__ import annotations

import json

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.views import NotFound

ROLE = "arn:aws:iam::123456789012:role/sfn"


def test_a_queue_in_another_region_is_named_where_it_is(aws: Cloud) -> None:
    boto3.client("sqs", region_name="eu-west-1").create_queue(QueueName="orders")
    with pytest.raises(NotFound) as missed:
        aws.sqs.queue("orders")
    assert str(missed.value) == (
        "No SQS queue 'orders' in 123456789012/us-east-1; queues there: []; 'orders' exists in 123456789012/eu-west-1"
    )
    assert isinstance(missed.value, KeyError)  # what a mapping's miss is
    assert aws.sqs.queue("orders", region="eu-west-1").region == "eu-west-1"


@pytest.mark.parametrize(
    ("service", "lookup", "key"),
    [
        ("sqs", "queue", "nope"),
        ("sns", "topic", "nope"),
        ("sns", "subscription", "nope"),
        ("stepfunctions", "execution", "arn:aws:states:us-east-1:123456789012:execution:m:nope"),
        ("stepfunctions", "state_machine", "nope"),
        ("secretsmanager", "secret", "nope"),
    ],
)
def test_every_lookup_misses_with_the_same_error(aws: Cloud, service: str, lookup: str, key: str) -> None:
    with pytest.raises(NotFound, match=r"^No .*'(nope|arn:.*nope)'"):
        getattr(getattr(aws, service), lookup)(key)


@pytest.mark.parametrize(
    ("service", "internals"),
    [
        ("sqs", ["take", "enqueue", "queue_by_arn", "send_message", "stores"]),
        ("sns", ["publish", "find_subscription", "fanout", "duplicate_rate", "stores"]),
        ("stepfunctions", ["tokens", "new_token", "start_execution", "mocks", "stores"]),
        ("secretsmanager", ["run_rotation", "get_secret_value", "stores", "forget"]),
    ],
)
def test_the_fakes_internals_are_out_of_reach(aws: Cloud, service: str, internals: list[str]) -> None:
    view = getattr(aws, service)
    assert [name for name in internals if hasattr(view, name)] == []
    assert hasattr(aws.service(service), internals[0])  # the fake itself still has them


def test_views_are_live_and_read_only(aws: Cloud) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    queue = aws.sqs.queue("orders")
    assert queue.bodies == []
    sqs.send_message(QueueUrl=url, MessageBody="one")
    assert queue.bodies == ["one"]  # the same view shows the message sent after it was made
    assert queue == aws.sqs.queue("orders")
    with pytest.raises(AttributeError):
        queue.name = "other"


def test_assert_helpers_explain_a_miss(aws: Cloud) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(
        QueueUrl=url, MessageBody="one", MessageAttributes={"kind": {"DataType": "String", "StringValue": "a"}}
    )
    assert aws.sqs.queue("orders").assert_has("one", kind="a").body == "one"
    with pytest.raises(AssertionError) as missed:
        aws.sqs.queue("orders").assert_has("two")
    assert str(missed.value).splitlines() == [
        "No message in SQS queue orders matches body='two'; it holds 1:",
        "  <visible 'one' received=0, attributes={'kind': 'a'}>",
    ]

    sfn = boto3.client("stepfunctions")
    definition = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Oops", "Cause": "bad"}}}
    machine = sfn.create_state_machine(name="m", definition=json.dumps(definition), roleArn=ROLE)
    run = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    execution = aws.stepfunctions.wait_for(run)
    execution.assert_status("FAILED")
    with pytest.raises(AssertionError) as missed:
        execution.assert_status("SUCCEEDED")
    assert str(missed.value).splitlines()[:2] == [
        f"Step Functions execution {execution.name} is FAILED, not SUCCEEDED",
        "  error: Oops: bad",
    ]
    assert aws.stepfunctions.state_machine("m").executions == [execution]


def test_a_service_without_production_quirks_has_no_quirks(aws: Cloud) -> None:
    assert not hasattr(aws.secretsmanager, "quirks")
    for service in ("sqs", "sns", "stepfunctions"):
        assert callable(getattr(aws, service).quirks)
