"""Express workflows, versions and aliases, distributed Map and map runs, redrive, TestState."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.stepfunctions import TaskFailure

from .conftest import LAMBDA, ROLE, MachineFactory, events, single

WAIT_THEN_PASS = {
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "P"}, "P": {"Type": "Pass", "Result": "done", "End": True}},
}


def test_start_sync_execution_runs_an_express_machine_to_the_end(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    machine = make_machine(WAIT_THEN_PASS, type="EXPRESS", name="quick")
    result = sfn.start_sync_execution(stateMachineArn=machine, input="{}")
    assert result["status"] == "SUCCEEDED"
    assert result["output"] == '"done"'
    assert result["executionArn"].startswith("arn:aws:states:us-east-1:123456789012:express:quick:")
    assert result["billingDetails"]["billedDurationInMilliseconds"] >= 5000
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn=result["executionArn"])
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.get_execution_history(executionArn=result["executionArn"])
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.list_executions(stateMachineArn=machine)


def test_start_sync_execution_reports_failure(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(single({"Type": "Fail", "Error": "E", "Cause": "C"}), type="EXPRESS")
    result = sfn.start_sync_execution(stateMachineArn=machine)
    assert (result["status"], result["error"], result["cause"]) == ("FAILED", "E", "C")


def test_start_sync_execution_refuses_standard_machines(sfn: Any, make_machine: MachineFactory) -> None:
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=make_machine(WAIT_THEN_PASS))


def test_express_async_start_is_visible_in_python(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(WAIT_THEN_PASS, type="EXPRESS"))["executionArn"]
    assert aws.stepfunctions.wait_for(arn).output == "done"


def test_versions_and_aliases(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(single({"Type": "Pass", "Result": 1}), publish=True, versionDescription="first")
    v1 = f"{machine}:1"
    sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(single({"Type": "Pass", "Result": 2})))
    v2 = sfn.publish_state_machine_version(stateMachineArn=machine, description="second")["stateMachineVersionArn"]
    assert v2 == f"{machine}:2"
    assert [
        v["stateMachineVersionArn"]
        for v in sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    ] == [v2, v1]
    assert sfn.describe_state_machine(stateMachineArn=v1)["description"] == "first"
    # Publishing an unchanged revision returns the latest version.
    assert sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"] == v2
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.publish_state_machine_version(stateMachineArn=machine, revisionId="stale")

    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]
    assert alias == f"{machine}:live"
    started = sfn.start_execution(stateMachineArn=alias)
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["output"] == "1"
    assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (alias, v1)
    assert sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=v2)["executionArn"])["output"] == "2"

    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias,
        routingConfiguration=[
            {"stateMachineVersionArn": v1, "weight": 50},
            {"stateMachineVersionArn": v2, "weight": 50},
        ],
    )
    outputs = {
        sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=alias)["executionArn"])["output"]
        for _ in range(20)
    }
    assert outputs == {"1", "2"}
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["name"] == "live"
    assert [
        a["stateMachineAliasArn"]
        for a in sfn.list_state_machine_aliases(stateMachineArn=machine)["stateMachineAliases"]
    ] == [alias]
    with pytest.raises(sfn.exceptions.ConflictException, match="referenced by an alias"):
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)


def test_alias_routing_is_validated(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(single({"Type": "Pass"}), publish=True)
    with pytest.raises(sfn.exceptions.ValidationException, match="weights"):
        sfn.create_state_machine_alias(
            name="a", routingConfiguration=[{"stateMachineVersionArn": f"{machine}:1", "weight": 60}]
        )
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.create_state_machine_alias(
            name="a", routingConfiguration=[{"stateMachineVersionArn": f"{machine}:9", "weight": 100}]
        )
    alias = sfn.create_state_machine_alias(
        name="a", routingConfiguration=[{"stateMachineVersionArn": f"{machine}:1", "weight": 100}]
    )["stateMachineAliasArn"]
    # UpdateStateMachineAlias models ResourceNotFound for a missing version, not StateMachineDoesNotExist.
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.update_state_machine_alias(
            stateMachineAliasArn=alias,
            routingConfiguration=[{"stateMachineVersionArn": f"{machine}:9", "weight": 100}],
        )


DISTRIBUTED = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "Label": "fan",
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": LAMBDA + "work", "End": True}},
            },
            "End": True,
        }
    },
}


def test_distributed_map_runs_child_executions_in_a_map_run(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("work", lambda event, context: event * 10)
    machine = make_machine(DISTRIBUTED, name="fanout")
    arn = sfn.start_execution(stateMachineArn=machine, input="[1, 2, 3]")["executionArn"]
    described = sfn.describe_execution(executionArn=arn)
    assert json.loads(described["output"]) == [10, 20, 30]
    (run,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert run["mapRunArn"].startswith("arn:aws:states:us-east-1:123456789012:mapRun:fanout/fan:")
    map_run = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert map_run["status"] == "SUCCEEDED"
    assert map_run["executionCounts"]["succeeded"] == 3
    assert map_run["maxConcurrency"] == 2
    children = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert {c["status"] for c in children} == {"SUCCEEDED"}
    assert len(children) == 3
    types = [e["type"] for e in events(sfn, arn)]
    assert types[1:5] == ["MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded"]


def test_distributed_map_tolerated_failures_and_batching(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    def work(event: Any, context: Any) -> Any:
        if 4 in event["Items"]:
            raise ValueError("four")
        return sum(event["Items"]) + event["BatchInput"]["bonus"]

    aws.lambdas.register("work", work)
    definition = json.loads(json.dumps(DISTRIBUTED))
    fan = definition["States"]["Fan"]
    fan["ItemBatcher"] = {"MaxItemsPerBatch": 2, "BatchInput": {"bonus": 100}}
    fan["ToleratedFailureCount"] = 1
    arn = sfn.start_execution(stateMachineArn=make_machine(definition), input="[1, 2, 3, 4, 5]")["executionArn"]
    out = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert out[0] == 103
    assert out[1]["Error"] == "ValueError"
    assert out[2] == 105
    (run,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    counts = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert (counts["itemCounts"]["total"], counts["itemCounts"]["failed"]) == (5, 2)
    assert (counts["executionCounts"]["total"], counts["executionCounts"]["failed"]) == (3, 1)
    fan["ToleratedFailureCount"] = 0
    failed = sfn.start_execution(stateMachineArn=make_machine(definition), input="[1, 2, 3, 4, 5]")["executionArn"]
    described = sfn.describe_execution(executionArn=failed)
    assert described["error"] == "States.ExceedToleratedFailureThreshold"
    (run,) = sfn.list_map_runs(executionArn=failed)["mapRuns"]
    children = sfn.list_executions(mapRunArn=run["mapRunArn"], statusFilter="FAILED")["executions"]
    child = sfn.describe_execution(executionArn=children[0]["executionArn"])
    assert (child["mapRunArn"], child["redriveStatus"]) == (run["mapRunArn"], "REDRIVABLE_BY_MAP_RUN")


def test_update_map_run_changes_concurrency(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    definition = json.loads(json.dumps(DISTRIBUTED))
    definition["States"]["Fan"]["ItemProcessor"]["States"] = {"Work": {"Type": "Wait", "Seconds": 10, "End": True}}
    definition["States"]["Fan"]["MaxConcurrency"] = 1
    arn = sfn.start_execution(stateMachineArn=make_machine(definition), input="[1, 2, 3, 4]")["executionArn"]
    (run,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    sfn.update_map_run(mapRunArn=run["mapRunArn"], maxConcurrency=4)
    aws.clock.advance(10)
    aws.clock.advance(10)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.update_map_run(mapRunArn=run["mapRunArn"], maxConcurrency=1)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_map_run(mapRunArn=run["mapRunArn"] + "x")


def test_redrive_reruns_from_the_failed_state(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    calls: list[Any] = []

    def charge(event: Any, context: Any) -> Any:
        calls.append(event)
        if len(calls) == 1:
            raise ConnectionError("bank down")
        return {"charged": True}

    aws.lambdas.register("charge", charge)
    definition = {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": {"amount": 5}, "Next": "Charge"},
            "Charge": {"Type": "Task", "Resource": LAMBDA + "charge", "End": True},
        },
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["redriveStatus"] == "REDRIVABLE"
    sfn.redrive_execution(executionArn=arn)
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert calls == [{"amount": 5}, {"amount": 5}]
    assert aws.stepfunctions.execution(arn).output == {"charged": True}
    types = [e["type"] for e in events(sfn, arn)]
    assert "ExecutionRedriven" in types
    assert types.count("PassStateEntered") == 1
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=arn)
    redriven = sfn.list_executions(stateMachineArn=described["stateMachineArn"], redriveFilter="REDRIVEN")
    assert len(redriven["executions"]) == 1


def test_test_state_runs_one_state_with_inspection_data(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "InputPath": "$.order",
        "Parameters": {"id.$": "$.id"},
        "ResultPath": "$.copy",
        "Next": "Elsewhere",
    }
    result = sfn.test_state(
        definition=json.dumps(state),
        roleArn="arn:aws:iam::123456789012:role/tester",  # older botocore models require it
        input='{"order": {"id": 3}}',
        inspectionLevel="DEBUG",
    )
    assert result["status"] == "SUCCEEDED"
    assert result["nextState"] == "Elsewhere"
    assert json.loads(result["output"]) == {"order": {"id": 3}, "copy": {"id": 3}}
    data = result["inspectionData"]
    assert json.loads(data["afterInputPath"]) == {"id": 3}
    assert json.loads(data["afterParameters"]) == {"id": 3}
    assert json.loads(data["afterResultPath"]) == {"order": {"id": 3}, "copy": {"id": 3}}


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
def test_test_state_with_a_mock_and_catch(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:getItem",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.err"}],
        "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2}],
        "End": True,
    }
    caught = sfn.test_state(
        definition=json.dumps(state), input="{}", mock={"errorOutput": {"error": "Boom", "cause": "c"}}
    )
    assert (caught["status"], caught["nextState"]) == ("CAUGHT_ERROR", "Handle")
    assert json.loads(caught["output"]) == {"err": {"Error": "Boom", "Cause": "c"}}
    debug = sfn.test_state(
        definition=json.dumps(state), mock={"errorOutput": {"error": "Boom", "cause": "c"}}, inspectionLevel="DEBUG"
    )
    assert debug["inspectionData"]["errorDetails"] == {"catchIndex": 0}  # no retrier handled it: no retryIndex
    retriable = sfn.test_state(definition=json.dumps(state), mock={"errorOutput": {"error": "Throttled", "cause": ""}})
    assert retriable["status"] == "RETRIABLE"
    item = {"Item": {"id": {"S": "1"}}}  # a GetItem response, as the mock's STRICT field validation wants
    ok = sfn.test_state(definition=json.dumps(state), mock={"result": json.dumps(item)}, inspectionLevel="DEBUG")
    assert json.loads(ok["output"]) == item
    assert json.loads(ok["inspectionData"]["result"]) == item


@pytest.mark.requires_api("stepfunctions", "TestState", "mock", "stateConfiguration")
def test_test_state_reports_the_backoff_of_the_retry_to_come(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:getItem",
        "Retry": [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxDelaySeconds": 10}],
        "End": True,
    }
    backoffs = []
    for done in range(3):
        answer = sfn.test_state(
            definition=json.dumps(state),
            mock={"errorOutput": {"error": "Throttled", "cause": ""}},
            stateConfiguration={"retrierRetryCount": done},
            inspectionLevel="DEBUG",
        )
        assert answer["status"] == "RETRIABLE"
        backoffs.append(answer["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"])
    assert backoffs == [3, 6, 10]  # 3 * 2^n, capped by MaxDelaySeconds


@pytest.mark.requires_api("stepfunctions", "TestState", "stateName")
def test_test_state_invokes_lambda_and_picks_a_state_by_name(aws: Cloud, sfn: Any) -> None:
    aws.lambdas.register("up", lambda event, context: event["s"].upper())
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": LAMBDA + "up", "Next": "B"}, "B": {"Type": "Succeed"}},
    }
    result = sfn.test_state(definition=json.dumps(definition), stateName="A", roleArn=ROLE, input='{"s": "hi"}')
    assert (result["status"], result["output"], result["nextState"]) == ("SUCCEEDED", '"HI"', "B")
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="does not support Map or Parallel states"):
        sfn.test_state(
            definition=json.dumps(
                {"Type": "Map", "Iterator": {"StartAt": "x", "States": {"x": {"Type": "Succeed"}}}, "End": True}
            )
        )


def test_an_express_execution_times_out_after_five_minutes(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    long_wait = single({"Type": "Wait", "Seconds": 600})
    arn = sfn.start_execution(stateMachineArn=make_machine(long_wait, type="EXPRESS"))["executionArn"]
    aws.clock.advance(300)
    view = aws.stepfunctions.execution(arn)
    assert (view.status, view.error) == ("TIMED_OUT", "States.Timeout")
    result = sfn.start_sync_execution(stateMachineArn=make_machine(long_wait, type="EXPRESS"))
    assert result["status"] == "TIMED_OUT"


def test_redrive_of_a_map_reruns_only_the_iterations_that_failed(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    calls: list[int] = []
    broken: dict[str, int | None] = {"item": 2}

    def work(event: Any, context: Any) -> Any:
        calls.append(event)
        if event == broken["item"]:
            raise ConnectionError("flaky")
        return event * 10

    aws.lambdas.register("work", work)
    definition = single(
        {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "W",
                "States": {"W": {"Type": "Task", "Resource": LAMBDA + "work", "End": True}},
            },
        }
    )
    arn = sfn.start_execution(stateMachineArn=make_machine(definition), input="[1, 2, 3]")["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["status"] == "FAILED"
    calls.clear()
    broken["item"] = None
    sfn.redrive_execution(executionArn=arn)
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == [10, 20, 30]
    assert 2 in calls
    assert 1 not in calls


def test_redrive_of_a_distributed_map_reruns_only_failed_children(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    calls: list[int] = []
    broken: dict[str, int | None] = {"item": 2}

    def work(event: Any, context: Any) -> Any:
        calls.append(event)
        if event == broken["item"]:
            raise ConnectionError("flaky")
        return event * 10

    aws.lambdas.register("work", work)
    definition = json.loads(json.dumps(DISTRIBUTED))
    definition["States"]["Fan"]["ToleratedFailureCount"] = 0
    arn = sfn.start_execution(stateMachineArn=make_machine(definition), input="[1, 2, 3]")["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["error"] == "States.ExceedToleratedFailureThreshold"
    calls.clear()
    broken["item"] = None
    sfn.redrive_execution(executionArn=arn)
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == [10, 20, 30]
    assert 1 not in calls
    assert 2 in calls


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
def test_test_state_of_a_map_processes_input_and_a_mocked_result(sfn: Any) -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$.orders",
        "ItemSelector": {"id.$": "$$.Map.Item.Value.id", "shop.$": "$.shop"},
        "MaxConcurrency": 3,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "ResultPath": "$.done",
        "End": True,
    }
    result = sfn.test_state(
        definition=json.dumps(state),
        input='{"shop": "s", "orders": [{"id": 1}, {"id": 2}]}',
        mock={"result": '["ok", "ok"]'},
        inspectionLevel="DEBUG",
    )
    assert json.loads(result["output"])["done"] == ["ok", "ok"]
    data = result["inspectionData"]
    assert json.loads(data["afterItemSelector"]) == [{"id": 1, "shop": "s"}, {"id": 2, "shop": "s"}]
    assert data["maxConcurrency"] == 3
    parallel = {
        "Type": "Parallel",
        "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
        "End": True,
    }
    failed = sfn.test_state(
        definition=json.dumps(parallel), mock={"errorOutput": {"error": "Branch.Bad", "cause": "x"}}
    )
    assert (failed["status"], failed["error"]) == ("FAILED", "Branch.Bad")


def test_the_context_object_after_a_redrive(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.stepfunctions.mock_task("Flaky", TaskFailure("Down"), {"ok": True})
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Next": "Show"},
            "Show": {
                "Type": "Pass",
                "Parameters": {"count.$": "$$.Execution.RedriveCount", "at.$": "$$.Execution.RedriveTime"},
                "End": True,
            },
        },
    }
    aws.clock.freeze("2024-01-01T00:00:00Z")
    arn = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    aws.clock.advance(90.25)
    redriven = sfn.redrive_execution(executionArn=arn)["redriveDate"]
    assert redriven == datetime(2024, 1, 1, 0, 1, 30, 250000, tzinfo=timezone.utc)
    out = aws.stepfunctions.execution(arn).output
    assert out == {"count": 1, "at": "2024-01-01T00:01:30.250Z"}
