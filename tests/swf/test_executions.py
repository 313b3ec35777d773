"""Starting executions, visibility, signals, cancellation, termination and history paging."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import DOMAIN, WORKFLOW, Starter, attrs, decide, decision, history, types_of

EPOCH = {"oldestDate": datetime(2000, 1, 1, tzinfo=timezone.utc)}


def test_start_records_the_type_defaults_and_schedules_a_decision_task(swf: Any, start: Starter) -> None:
    run_id = start(input='{"order": 1}', tagList=["vip"])
    events = history(swf, "order-1", run_id)
    assert types_of(events) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert [e["eventId"] for e in events] == [1, 2]
    started = attrs(events[0])
    assert started == {
        "input": '{"order": 1}',
        "executionStartToCloseTimeout": "3600",
        "taskStartToCloseTimeout": "30",
        "childPolicy": "TERMINATE",
        "taskList": {"name": "deciders"},
        "workflowType": WORKFLOW,
        "tagList": ["vip"],
    }
    assert attrs(events[1]) == {"taskList": {"name": "deciders"}, "startToCloseTimeout": "30"}


def test_start_overrides_the_defaults(swf: Any, start: Starter) -> None:
    run_id = start(
        taskList={"name": "urgent"},
        taskPriority="5",
        executionStartToCloseTimeout="60",
        taskStartToCloseTimeout="NONE",
        childPolicy="ABANDON",
        lambdaRole="arn:aws:iam::123456789012:role/swf-lambda",
    )
    described = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert described["executionConfiguration"] == {
        "taskStartToCloseTimeout": "NONE",
        "executionStartToCloseTimeout": "60",
        "taskList": {"name": "urgent"},
        "taskPriority": "5",
        "childPolicy": "ABANDON",
        "lambdaRole": "arn:aws:iam::123456789012:role/swf-lambda",
    }
    assert described["executionInfo"]["executionStatus"] == "OPEN"
    assert described["openCounts"] == {
        "openActivityTasks": 0,
        "openDecisionTasks": 1,
        "openTimers": 0,
        "openChildWorkflowExecutions": 0,
        "openLambdaFunctions": 0,
    }


def test_a_setting_with_no_default_is_a_default_undefined_fault(swf: Any, domain: str) -> None:
    swf.register_workflow_type(domain=domain, name="bare", version="1")
    with pytest.raises(swf.exceptions.DefaultUndefinedFault):
        swf.start_workflow_execution(domain=domain, workflowId="w", workflowType={"name": "bare", "version": "1"})
    swf.start_workflow_execution(
        domain=domain,
        workflowId="w",
        workflowType={"name": "bare", "version": "1"},
        taskList={"name": "t"},
        executionStartToCloseTimeout="60",
        taskStartToCloseTimeout="10",
        childPolicy="TERMINATE",
    )


def test_start_errors(swf: Any, start: Starter) -> None:
    start()
    with pytest.raises(swf.exceptions.WorkflowExecutionAlreadyStartedFault):
        start()
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.start_workflow_execution(domain=DOMAIN, workflowId="x", workflowType={"name": "nope", "version": "1"})
    with pytest.raises(swf.exceptions.ClientError) as caught:
        start("y", executionStartToCloseTimeout="NONE")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(swf.exceptions.ClientError):
        start("y", tagList=["a", "b", "c", "d", "e", "f"])
    with pytest.raises(swf.exceptions.ClientError):
        start("y", executionStartToCloseTimeout=str(366 * 86400))
    swf.deprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    with pytest.raises(swf.exceptions.TypeDeprecatedFault):
        start("z")


def test_a_workflow_id_is_free_again_once_its_run_closed(swf: Any, start: Starter) -> None:
    first = start()
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="order-1")
    second = start()
    assert first != second


def test_signal_is_recorded_and_schedules_no_second_decision_task(swf: Any, start: Starter) -> None:
    run_id = start()
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="approved", input="yes")
    events = history(swf, "order-1", run_id)
    assert types_of(events) == ["WorkflowExecutionStarted", "DecisionTaskScheduled", "WorkflowExecutionSignaled"]
    assert attrs(events[2]) == {"signalName": "approved", "input": "yes"}
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="other", signalName="x")


def test_a_signal_during_a_started_decision_task_schedules_the_next_one_after_it(swf: Any, start: Starter) -> None:
    run_id = start()
    task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="ping")
    assert types_of(history(swf, "order-1", run_id))[-1] == "WorkflowExecutionSignaled"
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    assert types_of(history(swf, "order-1", run_id))[-2:] == ["DecisionTaskCompleted", "DecisionTaskScheduled"]


def test_request_cancel_records_the_request(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf)
    swf.request_cancel_workflow_execution(domain=DOMAIN, workflowId="order-1")
    events = history(swf, "order-1", run_id)
    assert types_of(events)[-2:] == ["WorkflowExecutionCancelRequested", "DecisionTaskScheduled"]
    described = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert described["executionInfo"]["cancelRequested"] is True
    decide(swf, decision("CancelWorkflowExecution", details="asked to"))
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert info["executionInfo"]["closeStatus"] == "CANCELED"


def test_terminate_closes_the_run(swf: Any, start: Starter) -> None:
    run_id = start()
    swf.terminate_workflow_execution(
        domain=DOMAIN, workflowId="order-1", reason="stuck", details="ops", childPolicy="ABANDON"
    )
    events = history(swf, "order-1", run_id)
    assert events[-1]["eventType"] == "WorkflowExecutionTerminated"
    assert attrs(events[-1]) == {"reason": "stuck", "details": "ops", "childPolicy": "ABANDON"}
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert info["executionInfo"]["executionStatus"] == "CLOSED"
    assert info["executionInfo"]["closeStatus"] == "TERMINATED"
    assert info["openCounts"]["openDecisionTasks"] == 0
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.terminate_workflow_execution(domain=DOMAIN, workflowId="order-1", runId=run_id)


def test_list_and_count_open_executions_with_every_filter(swf: Any, start: Starter, aws: Cloud) -> None:
    start("a", tagList=["red"])
    aws.clock.advance(10)
    start("b", tagList=["blue"])
    aws.clock.advance(10)
    start("c", tagList=["red"])

    def ids(**kwargs: Any) -> list[str]:
        found = swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=EPOCH, **kwargs)
        return [i["execution"]["workflowId"] for i in found["executionInfos"]]

    assert ids() == ["c", "b", "a"]  # newest first
    assert ids(reverseOrder=True) == ["a", "b", "c"]
    assert ids(tagFilter={"tag": "red"}) == ["c", "a"]
    assert ids(executionFilter={"workflowId": "b"}) == ["b"]
    assert ids(typeFilter={"name": WORKFLOW["name"]}) == ["c", "b", "a"]
    assert ids(typeFilter={"name": WORKFLOW["name"], "version": "2"}) == []
    now = aws.clock.now_dt()
    recent = {"oldestDate": now - timedelta(seconds=15)}
    assert [
        i["execution"]["workflowId"]
        for i in swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=recent)["executionInfos"]
    ] == ["c", "b"]
    count = swf.count_open_workflow_executions(domain=DOMAIN, startTimeFilter=EPOCH, tagFilter={"tag": "red"})
    assert (count["count"], count["truncated"]) == (2, False)
    first = swf.list_open_workflow_executions(domain=DOMAIN, startTimeFilter=EPOCH, maximumPageSize=2)
    rest = swf.list_open_workflow_executions(
        domain=DOMAIN, startTimeFilter=EPOCH, maximumPageSize=2, nextPageToken=first["nextPageToken"]
    )
    assert [i["execution"]["workflowId"] for i in rest["executionInfos"]] == ["a"]
    with pytest.raises(swf.exceptions.ClientError) as caught:
        ids(tagFilter={"tag": "red"}, executionFilter={"workflowId": "a"})
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_list_and_count_closed_executions(swf: Any, start: Starter, aws: Cloud) -> None:
    start("done")
    decide(swf, decision("CompleteWorkflowExecution", result="ok"))
    aws.clock.advance(5)
    start("killed")
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="killed")
    start("running")

    def ids(**kwargs: Any) -> list[str]:
        found = swf.list_closed_workflow_executions(domain=DOMAIN, **kwargs)
        return [i["execution"]["workflowId"] for i in found["executionInfos"]]

    assert ids(startTimeFilter=EPOCH) == ["killed", "done"]
    assert ids(closeTimeFilter=EPOCH, reverseOrder=True) == ["done", "killed"]
    assert ids(startTimeFilter=EPOCH, closeStatusFilter={"status": "TERMINATED"}) == ["killed"]
    closed = swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter=EPOCH)["executionInfos"][1]
    assert closed["closeStatus"] == "COMPLETED"
    assert "closeTimestamp" in closed
    counted = swf.count_closed_workflow_executions(
        domain=DOMAIN, closeTimeFilter=EPOCH, closeStatusFilter={"status": "COMPLETED"}
    )
    assert counted["count"] == 1
    with pytest.raises(swf.exceptions.ClientError):
        swf.list_closed_workflow_executions(domain=DOMAIN)  # needs a start or a close time filter
    with pytest.raises(swf.exceptions.ClientError):
        swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter=EPOCH, closeTimeFilter=EPOCH)


def test_history_pages_and_reverse_order(swf: Any, start: Starter) -> None:
    run_id = start()
    for number in range(5):
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName=f"s{number}")
    execution = {"workflowId": "order-1", "runId": run_id}
    first = swf.get_workflow_execution_history(domain=DOMAIN, execution=execution, maximumPageSize=3)
    assert [e["eventId"] for e in first["events"]] == [1, 2, 3]
    second = swf.get_workflow_execution_history(
        domain=DOMAIN, execution=execution, maximumPageSize=3, nextPageToken=first["nextPageToken"]
    )
    assert [e["eventId"] for e in second["events"]] == [4, 5, 6]
    assert "nextPageToken" in second
    reverse = swf.get_workflow_execution_history(domain=DOMAIN, execution=execution, reverseOrder=True)
    assert [e["eventId"] for e in reverse["events"]] == [7, 6, 5, 4, 3, 2, 1]
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.get_workflow_execution_history(domain=DOMAIN, execution={"workflowId": "order-1", "runId": "nope"})


def test_closed_runs_are_forgotten_after_the_retention_period(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="order-1")
    execution = {"workflowId": "order-1", "runId": run_id}
    aws.clock.advance(days=6)
    assert swf.describe_workflow_execution(domain=DOMAIN, execution=execution)["executionInfo"]["closeStatus"]
    aws.clock.advance(days=1)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.describe_workflow_execution(domain=DOMAIN, execution=execution)


def test_pending_task_counts(swf: Any, start: Starter) -> None:
    start("a")
    start("b")
    assert swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "deciders"})["count"] == 2
    decide(swf, decision("ScheduleActivityTask", activityType={"name": "charge", "version": "1"}, activityId="x"))
    assert swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "deciders"})["count"] == 1
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "workers"})["count"] == 1
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "elsewhere"})["count"] == 0


def test_a_run_reaching_the_history_limit_is_terminated(
    swf: Any, start: Starter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_awsmsg.services.swf import engine

    monkeypatch.setattr(engine, "MAX_EVENTS", 10)  # SWF's is 25,000
    run_id = start()
    for number in range(7):  # events 3 to 9; the tenth is the termination
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName=f"s{number}")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="one too many")
    events = history(swf, "order-1", run_id)
    assert len(events) == 10
    assert attrs(events[-1]) == {"childPolicy": "TERMINATE", "cause": "EVENT_LIMIT_EXCEEDED"}
