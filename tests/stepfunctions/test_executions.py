"""Executions: start, describe, list, stop, history with AWS's event types, ids and details."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import MachineFactory, events, single

TWO_PASSES = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Result": {"step": 1}, "ResultPath": "$.first", "Next": "Second"},
        "Second": {"Type": "Pass", "End": True},
    },
}
WAIT_HOUR = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def test_start_runs_until_done_and_describe_reports_it(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(TWO_PASSES, name="flow")
    started = sfn.start_execution(stateMachineArn=machine, name="run-1", input='{"order": 7}')
    assert started["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:flow:run-1"
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "first": {"step": 1}}
    assert described["input"] == '{"order": 7}'
    assert described["stateMachineArn"] == machine
    assert described["stopDate"] >= described["startDate"]
    assert described["redriveStatus"] == "NOT_REDRIVABLE"


def test_history_has_aws_event_types_ids_and_details(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(TWO_PASSES)
    arn = sfn.start_execution(stateMachineArn=machine, input='{"a":1}')["executionArn"]
    history = events(sfn, arn)
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),  # AWS: the first state links to no event
        (3, 2, "PassStateExited"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]
    assert history[0]["executionStartedEventDetails"] == {
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::123456789012:role/sfn",
    }
    assert history[1]["stateEnteredEventDetails"] == {
        "name": "First",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert history[2]["stateExitedEventDetails"] == {
        "name": "First",
        "output": '{"a":1,"first":{"step":1}}',
        "outputDetails": {"truncated": False},
    }
    assert history[5]["executionSucceededEventDetails"]["output"] == '{"a":1,"first":{"step":1}}'


def test_history_reverse_order_pagination_and_without_data(sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(TWO_PASSES))["executionArn"]
    reverse = sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"]
    assert [e["id"] for e in reverse] == [6, 5, 4, 3, 2, 1]
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=arn, PaginationConfig={"PageSize": 4})
    assert [len(page["events"]) for page in pages] == [4, 2]
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert bare[1]["stateEnteredEventDetails"] == {"name": "First"}


def test_wait_resumes_when_the_clock_moves(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.clock.freeze("2024-01-01T00:00:00Z")
    arn = sfn.start_execution(stateMachineArn=make_machine(WAIT_HOUR))["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(minutes=59)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(minutes=1)
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "SUCCEEDED"
    assert described["stopDate"] - described["startDate"] == timedelta(hours=1)


def test_list_executions_newest_first_with_status_filter(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    waiting = make_machine(WAIT_HOUR, name="waits")
    for name in ("a", "b", "c"):
        sfn.start_execution(stateMachineArn=waiting, name=name)
    sfn.stop_execution(executionArn=f"{waiting.replace('stateMachine', 'execution')}:b")
    listed = sfn.list_executions(stateMachineArn=waiting)["executions"]
    assert [(e["name"], e["status"]) for e in listed] == [("c", "RUNNING"), ("b", "ABORTED"), ("a", "RUNNING")]
    running = sfn.list_executions(stateMachineArn=waiting, statusFilter="RUNNING")["executions"]
    assert [e["name"] for e in running] == ["c", "a"]
    paged = sfn.list_executions(stateMachineArn=waiting, maxResults=2)
    assert len(paged["executions"]) == 2
    assert "nextToken" in paged


def test_stop_execution_records_abort_and_cancels_the_wait(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(WAIT_HOUR))["executionArn"]
    sfn.stop_execution(executionArn=arn, error="Cancelled", cause="by the user")
    aws.clock.advance(hours=2)
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Cancelled", "by the user")
    history = events(sfn, arn)
    assert [e["type"] for e in history] == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
    assert history[-1]["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "by the user"}
    assert history[-1]["previousEventId"] == 0


def test_stop_without_a_reason_leaves_error_and_cause_out(sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(WAIT_HOUR))["executionArn"]
    sfn.stop_execution(executionArn=arn)
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "ABORTED"
    assert "error" not in described
    assert "cause" not in described
    assert events(sfn, arn)[-1]["executionAbortedEventDetails"] == {}


def test_execution_names_are_unique(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(TWO_PASSES)
    sfn.start_execution(stateMachineArn=machine, name="once", input="{}")
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine, name="once", input="{}")


def test_a_running_execution_started_again_with_the_same_input_is_idempotent(
    sfn: Any, make_machine: MachineFactory
) -> None:
    machine = make_machine(WAIT_HOUR)
    first = sfn.start_execution(stateMachineArn=machine, name="same", input="{}")
    assert (
        sfn.start_execution(stateMachineArn=machine, name="same", input="{}")["executionArn"] == first["executionArn"]
    )


def test_start_errors(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(TWO_PASSES)
    with pytest.raises(sfn.exceptions.InvalidExecutionInput, match="Invalid State Machine Execution Input"):
        sfn.start_execution(stateMachineArn=machine, input="{nope")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=machine + "-gone")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.start_execution(stateMachineArn="arn:aws:sqs:us-east-1:123456789012:queue")
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.start_execution(stateMachineArn=machine, name="bad name")
    with pytest.raises(sfn.exceptions.ValidationException, match="less than or equal to 262144"):
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"blob": "x" * 262144}))
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist, match="Execution Does Not Exist"):
        sfn.describe_execution(executionArn="arn:aws:states:us-east-1:123456789012:execution:x:y")


def test_machine_timeout_times_the_execution_out(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine({**WAIT_HOUR, "TimeoutSeconds": 60}))["executionArn"]
    aws.clock.advance(seconds=60)
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described
    assert described["redriveStatus"] == "REDRIVABLE"
    assert described["stopDate"] - described["startDate"] == timedelta(seconds=60)
    last = events(sfn, arn)[-1]
    assert (last["type"], last["previousEventId"]) == ("ExecutionTimedOut", 0)
    assert last["executionTimedOutEventDetails"] == {"error": "States.Timeout"}


def test_describe_state_machine_for_execution(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(TWO_PASSES)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(single({"Type": "Succeed"})))
    described = sfn.describe_state_machine_for_execution(executionArn=arn)
    assert json.loads(described["definition"]) == TWO_PASSES
    assert described["stateMachineArn"] == machine


@pytest.mark.requires_api("stepfunctions", "DescribeExecution", "includedData")
def test_describe_execution_metadata_only(sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(TWO_PASSES), input='{"secret": 1}')["executionArn"]
    described = sfn.describe_execution(executionArn=arn, includedData="METADATA_ONLY")
    assert "input" not in described
    assert described["inputDetails"] == {"included": False}


def test_same_seed_same_history() -> None:
    from pytest_awsmsg import fake_aws

    def one_run() -> list[Any]:
        import boto3

        with fake_aws(seed=42):
            client = boto3.client("stepfunctions", region_name="us-east-1")
            definition = json.dumps(single({"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}}))
            arn = client.create_state_machine(name="m", definition=definition, roleArn="arn:aws:iam::1:role/r")
            started = client.start_execution(stateMachineArn=arn["stateMachineArn"])
            described = client.describe_execution(executionArn=started["executionArn"])
            return [started["executionArn"], described["output"]]

    assert one_run() == one_run()


def test_a_runaway_loop_ends_at_the_history_limit(sfn: Any, make_machine: MachineFactory) -> None:
    loop = {
        "StartAt": "Again",
        "States": {
            "Again": {"Type": "Pass", "Next": "Check"},
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "Again",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(loop))["executionArn"]
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"] == "The execution reached the maximum number of history events (25000)."
    last = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"][0]
    assert (last["id"], last["type"]) == (25000, "ExecutionFailed")
