"""Retry and Catch as AWS defines them, predefined States.* errors and task timeouts."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud, fake_aws

from .conftest import LAMBDA, ROLE, MachineFactory, Runner, events, single


class PaymentDeclined(Exception):
    pass


def flaky(failures: int, error: type[Exception] = PaymentDeclined) -> Any:
    calls: list[float] = []

    def handler(event: Any, context: Any) -> Any:
        calls.append(context.get_remaining_time_in_millis())
        if len(calls) <= failures:
            raise error(f"attempt {len(calls)}")
        return {"paid": True, "attempts": len(calls)}

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def task(**extra: Any) -> dict[str, Any]:
    return single({"Type": "Task", "Resource": LAMBDA + "pay", **extra})


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
def test_retry_waits_the_interval_with_backoff_in_virtual_time(aws: Cloud, sfn: Any, run: Runner) -> None:
    aws.lambdas.register("pay", flaky(2))
    retry = [{"ErrorEquals": ["PaymentDeclined"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}]
    described = run(task(Retry=retry))
    arn = described["executionArn"]
    assert described["status"] == "RUNNING"
    aws.clock.advance(2)  # first retry after 2 s
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(5)  # second after 2 * 3 = 6 s more
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(1)
    described = sfn.describe_execution(executionArn=arn)
    assert json.loads(described["output"]) == {"paid": True, "attempts": 3}
    types = [e["type"] for e in events(sfn, arn)]
    assert types.count("LambdaFunctionScheduled") == 3
    assert types.count("LambdaFunctionFailed") == 2
    assert types.count("TaskStateEntered") == 1


def test_retries_exhausted_then_caught_with_result_path(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("pay", flaky(10))
    definition = {
        "StartAt": "Pay",
        "States": {
            "Pay": {
                "Type": "Task",
                "Resource": LAMBDA + "pay",
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.failure", "Next": "Refund"}],
                "End": True,
            },
            "Refund": {"Type": "Pass", "End": True},
        },
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(definition), input='{"order": 1}')["executionArn"]
    aws.clock.advance(10)
    out = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert out["order"] == 1
    assert out["failure"]["Error"] == "PaymentDeclined"
    cause = json.loads(out["failure"]["Cause"])
    assert cause["errorMessage"] == "attempt 3"
    assert cause["errorType"] == "PaymentDeclined"
    assert aws.stepfunctions.execution(arn).states == ["Pay", "Refund"]


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
def test_max_delay_seconds_caps_the_backoff(aws: Cloud, sfn: Any, run: Runner) -> None:
    aws.lambdas.register("pay", flaky(3))
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 10, "MaxDelaySeconds": 15}]
    arn = run(task(Retry=retry))["executionArn"]
    aws.clock.advance(10 + 15 + 14)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(1)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def _retry_gaps(cloud: Cloud, retry: dict[str, Any], failures: int) -> list[float]:
    """Seconds between each failed attempt and the next attempt, read from the execution's history."""
    cloud.clock.freeze("2024-01-01T00:00:00Z")
    cloud.lambdas.register("pay", flaky(failures))
    client = boto3.client("stepfunctions", region_name="us-east-1")
    machine = client.create_state_machine(name="pay", definition=json.dumps(task(Retry=[retry])), roleArn=ROLE)
    arn = client.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    cloud.stepfunctions.wait_for(arn)
    history = events(client, arn)
    failed = [e["timestamp"] for e in history if e["type"] == "LambdaFunctionFailed"]
    retried = [e["timestamp"] for e in history if e["type"] == "LambdaFunctionScheduled"][1:]
    assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    return [(after - before).total_seconds() for before, after in zip(failed, retried, strict=True)]


def test_full_jitter_waits_a_seeded_random_part_of_each_backoff_interval(aws: Cloud) -> None:
    retry = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 100, "BackoffRate": 2, "JitterStrategy": "FULL"}
    gaps = _retry_gaps(aws, retry, failures=3)
    ceilings = [100, 200, 400]
    assert len(gaps) == 3
    assert all(0 <= gap <= ceiling for gap, ceiling in zip(gaps, ceilings, strict=True))
    assert gaps != ceilings  # jittered, not the plain backoff
    with fake_aws(seed=aws.seed) as again:
        assert _retry_gaps(again, retry, failures=3) == gaps  # the same seed waits the same


def test_without_jitter_the_gaps_are_the_backoff_intervals(aws: Cloud) -> None:
    retry = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "BackoffRate": 1.5, "MaxDelaySeconds": 6}
    assert _retry_gaps(aws, retry, failures=3) == [3, 4.5, 6]


def test_max_attempts_zero_never_retries(aws: Cloud, run: Runner) -> None:
    aws.lambdas.register("pay", flaky(1))
    described = run(task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]))
    assert described["error"] == "PaymentDeclined"


def test_first_matching_retrier_decides(aws: Cloud, run: Runner) -> None:
    aws.lambdas.register("pay", flaky(1))
    retry = [
        {"ErrorEquals": ["PaymentDeclined"], "MaxAttempts": 0},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5},
    ]
    assert run(task(Retry=retry))["status"] == "FAILED"


def test_task_failed_matches_task_errors(aws: Cloud, run: Runner) -> None:
    aws.lambdas.register("pay", flaky(1))
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]
    definition = {
        "StartAt": "S",
        "States": {
            "S": {"Type": "Task", "Resource": LAMBDA + "pay", "Catch": catch, "End": True},
            "Caught": {"Type": "Pass", "Result": "caught", "End": True},
        },
    }
    assert run(definition)["out"] == "caught"


def test_states_all_does_not_catch_runtime_errors(run: Runner) -> None:
    definition = {
        "StartAt": "S",
        "States": {
            "S": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.nope", "End": True}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    assert run(definition)["error"] == "States.Runtime"


def test_catch_on_parallel_branch_error(run: Runner) -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Inner", "Cause": "why"}}}],
                "Catch": [{"ErrorEquals": ["Inner"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    assert run(definition, {"x": 1})["out"] == {"Error": "Inner", "Cause": "why"}


def test_lambda_timeout_errors_and_missing_functions(run: Runner) -> None:
    described = run(task())
    assert described["error"] == "Lambda.ResourceNotFoundException"
    assert "aws.lambdas.register" in described["cause"]


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
@pytest.mark.parametrize(
    ("extra", "advance", "error"),
    [
        ({"TimeoutSeconds": 30}, 30, "States.Timeout"),
        ({"TimeoutSecondsPath": "$.timeout"}, 45, "States.Timeout"),
        ({"TimeoutSeconds": 300, "HeartbeatSeconds": 20}, 20, "States.HeartbeatTimeout"),
    ],
)
def test_callback_timeouts(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, extra: dict[str, Any], advance: int, error: str
) -> None:
    aws.lambdas.register("notify", lambda event, context: None)
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        **extra,
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(single(state)), input='{"timeout": 45}')["executionArn"]
    aws.clock.advance(advance - 1)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(1)
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", error)
    assert events(sfn, arn)[-2]["type"] == "TaskTimedOut"


@pytest.mark.parametrize(
    ("catch", "caught"),
    [(["States.Timeout"], True), (["States.HeartbeatTimeout"], True), (["States.TaskFailed"], False)],
)
def test_a_heartbeat_timeout_is_caught_as_a_timeout(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, catch: list[str], caught: bool
) -> None:
    aws.lambdas.register("notify", lambda event, context: None)
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 10,
                "Catch": [{"ErrorEquals": catch, "Next": "Gave up"}],
                "End": True,
            },
            "Gave up": {"Type": "Pass", "End": True},
        },
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    aws.clock.advance(10)
    view = aws.stepfunctions.execution(arn)
    if caught:
        assert (view.status, view.output) == ("SUCCEEDED", {"Error": "States.HeartbeatTimeout"})
    else:
        assert (view.status, view.error) == ("FAILED", "States.HeartbeatTimeout")


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
def test_heartbeats_keep_a_callback_alive(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("notify", lambda event, context: None)
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        "HeartbeatSeconds": 10,
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(single(state)))["executionArn"]
    token = aws.lambdas.invocations[-1].event["token"]
    for _ in range(5):
        aws.clock.advance(9)
        sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"done": true}')
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"done": True}
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=token, output="{}")


def test_retry_count_in_the_context_object(aws: Cloud, run: Runner) -> None:
    seen: list[int] = []

    def handler(event: Any, context: Any) -> Any:
        seen.append(event["retry"])
        if len(seen) < 3:
            raise RuntimeError("again")
        return "ok"

    aws.lambdas.register("pay", handler)
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 1}]
    arn = run(task(Retry=retry, Parameters={"retry.$": "$$.State.RetryCount"}))["executionArn"]
    aws.stepfunctions.wait_for(arn)
    assert seen == [0, 1, 2]


def test_states_runtime_is_not_caught_or_retried_even_when_named(aws: Cloud, sfn: Any, run: Runner) -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.nope", "End": True}}}],
                "Retry": [{"ErrorEquals": ["States.Runtime"], "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    described = run(definition)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    types = [e["type"] for e in events(sfn, described["executionArn"])]
    assert types.count("ParallelStateStarted") == 1  # no retry
    assert "SucceedStateEntered" not in types  # not caught
    assert aws.clock.pending == []
