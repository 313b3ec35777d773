"""RespondDecisionTaskCompleted with every decision type, and how each fails (never as an error)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import ACTIVITY, DOMAIN, WORKFLOW, Starter, attrs, decide, decision, history, last, schedule, types_of

ROLE = "arn:aws:iam::123456789012:role/swf-lambda"


def test_decision_task_events_refer_to_each_other(swf: Any, start: Starter) -> None:
    run_id = start()
    task = decide(swf, schedule(input="42", control="c"), executionContext="ctx-1")
    assert task["startedEventId"] == 3
    assert task["previousStartedEventId"] == 0
    assert [e["eventId"] for e in task["events"]] == [1, 2, 3]
    events = history(swf, "order-1", run_id)
    assert types_of(events) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
    ]
    assert attrs(events[2]) == {"identity": "decider-1", "scheduledEventId": 2}
    assert attrs(events[3]) == {"executionContext": "ctx-1", "scheduledEventId": 2, "startedEventId": 3}
    assert attrs(events[4]) == {
        "activityType": ACTIVITY,
        "activityId": "charge-1",
        "input": "42",
        "control": "c",
        "scheduleToStartTimeout": "60",
        "scheduleToCloseTimeout": "600",
        "startToCloseTimeout": "300",
        "taskList": {"name": "workers"},
        "decisionTaskCompletedEventId": 4,
        "heartbeatTimeout": "NONE",
    }
    described = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert described["latestExecutionContext"] == "ctx-1"
    assert described["openCounts"]["openActivityTasks"] == 1


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({"activityType": {"name": "nope", "version": "1"}}, "ACTIVITY_TYPE_DOES_NOT_EXIST"),
        ({"deprecate": True}, "ACTIVITY_TYPE_DEPRECATED"),
        ({"twice": True}, "ACTIVITY_ID_ALREADY_IN_USE"),
        ({"bare": "DEFAULT_TASK_LIST_UNDEFINED"}, "DEFAULT_TASK_LIST_UNDEFINED"),
    ],
)
def test_schedule_activity_task_failures(swf: Any, start: Starter, change: dict[str, Any], cause: str) -> None:
    activity_type = change.get("activityType", ACTIVITY)
    if change.get("deprecate"):
        swf.deprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    if change.get("bare"):
        swf.register_activity_type(domain=DOMAIN, name="bare", version="1")
        activity_type = {"name": "bare", "version": "1"}
    run_id = start()
    decisions = [decision("ScheduleActivityTask", activityType=activity_type, activityId="a1")]
    if change.get("twice"):
        decisions.append(decisions[0])
    decide(swf, *decisions)
    events = history(swf, "order-1", run_id)
    failed = last(events, "ScheduleActivityTaskFailed")
    assert failed == {
        "activityType": activity_type,
        "activityId": "a1",
        "cause": cause,
        "decisionTaskCompletedEventId": 4,
    }
    assert events[-1]["eventType"] == "DecisionTaskScheduled"  # the failure gives the decider another task


def test_missing_activity_defaults_have_their_own_causes(swf: Any, start: Starter) -> None:
    swf.register_activity_type(domain=DOMAIN, name="bare", version="1", defaultTaskList={"name": "w"})
    run_id = start()
    bare = {"name": "bare", "version": "1"}
    decide(
        swf,
        decision("ScheduleActivityTask", activityType=bare, activityId="a"),
        decision("ScheduleActivityTask", activityType=bare, activityId="b", scheduleToCloseTimeout="10"),
        decision(
            "ScheduleActivityTask",
            activityType=bare,
            activityId="c",
            scheduleToCloseTimeout="10",
            scheduleToStartTimeout="10",
        ),
        decision(
            "ScheduleActivityTask",
            activityType=bare,
            activityId="d",
            scheduleToCloseTimeout="10",
            scheduleToStartTimeout="10",
            startToCloseTimeout="10",
        ),
    )
    causes = [
        attrs(e)["cause"] for e in history(swf, "order-1", run_id) if e["eventType"] == "ScheduleActivityTaskFailed"
    ]
    assert causes == [
        "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
        "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
        "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED",
    ]


def test_request_cancel_of_an_activity_not_yet_started_cancels_it(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, schedule())
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="stop")
    decide(swf, decision("RequestCancelActivityTask", activityId="charge-1"))
    events = history(swf, "order-1", run_id)
    assert last(events, "ActivityTaskCancelRequested") == {"decisionTaskCompletedEventId": 9, "activityId": "charge-1"}
    assert last(events, "ActivityTaskCanceled") == {
        "scheduledEventId": 5,
        "startedEventId": 0,
        "latestCancelRequestedEventId": 10,
    }
    assert swf.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": "workers"})["count"] == 0


def test_request_cancel_of_a_started_activity_reaches_the_worker_by_heartbeat(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, schedule())
    work = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"}, identity="w1")
    assert swf.record_activity_task_heartbeat(taskToken=work["taskToken"])["cancelRequested"] is False
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="stop")
    decide(swf, decision("RequestCancelActivityTask", activityId="charge-1"))
    assert swf.record_activity_task_heartbeat(taskToken=work["taskToken"], details="50%")["cancelRequested"] is True
    swf.respond_activity_task_canceled(taskToken=work["taskToken"], details="rolled back")
    canceled = last(history(swf, "order-1", run_id), "ActivityTaskCanceled")
    assert canceled["details"] == "rolled back"
    assert canceled["startedEventId"] == 6
    assert canceled["latestCancelRequestedEventId"] == 11


def test_request_cancel_of_an_unknown_activity_fails(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, decision("RequestCancelActivityTask", activityId="ghost"))
    assert last(history(swf, "order-1", run_id), "RequestCancelActivityTaskFailed") == {
        "activityId": "ghost",
        "cause": "ACTIVITY_ID_UNKNOWN",
        "decisionTaskCompletedEventId": 4,
    }


@pytest.mark.parametrize(
    ("kind", "attributes", "event", "status"),
    [
        ("CompleteWorkflowExecution", {"result": "done"}, "WorkflowExecutionCompleted", "COMPLETED"),
        ("FailWorkflowExecution", {"reason": "r", "details": "d"}, "WorkflowExecutionFailed", "FAILED"),
        ("CancelWorkflowExecution", {"details": "d"}, "WorkflowExecutionCanceled", "CANCELED"),
    ],
)
def test_close_decisions(
    swf: Any, start: Starter, kind: str, attributes: dict[str, str], event: str, status: str
) -> None:
    run_id = start()
    decide(swf, decision(kind, **attributes))
    events = history(swf, "order-1", run_id)
    assert events[-1]["eventType"] == event
    assert attrs(events[-1]) == {**attributes, "decisionTaskCompletedEventId": 4}
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert info["executionInfo"]["closeStatus"] == status


@pytest.mark.parametrize(
    "kind",
    ["CompleteWorkflowExecution", "FailWorkflowExecution", "CancelWorkflowExecution", "ContinueAsNewWorkflowExecution"],
)
def test_a_close_decision_with_unseen_events_fails_as_unhandled(swf: Any, start: Starter, kind: str) -> None:
    run_id = start()
    task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="late")
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{"decisionType": kind}])
    events = history(swf, "order-1", run_id)
    assert last(events, f"{kind}Failed") == {"cause": "UNHANDLED_DECISION", "decisionTaskCompletedEventId": 5}
    assert events[-1]["eventType"] == "DecisionTaskScheduled"
    # The next decision task shows the signal; now completing works.
    decide(swf, decision("CompleteWorkflowExecution"))
    assert history(swf, "order-1", run_id)[-1]["eventType"] == "WorkflowExecutionCompleted"


def test_continue_as_new_starts_a_new_run(swf: Any, start: Starter) -> None:
    first = start(tagList=["t"])
    decide(swf, decision("ContinueAsNewWorkflowExecution", input="page-2", tagList=["t2"]))
    closed = history(swf, "order-1", first)
    continued = attrs(closed[-1])
    assert closed[-1]["eventType"] == "WorkflowExecutionContinuedAsNew"
    assert continued["input"] == "page-2"
    assert continued["workflowType"] == WORKFLOW
    assert continued["taskList"] == {"name": "deciders"}
    second = continued["newExecutionRunId"]
    started = attrs(history(swf, "order-1", second)[0])
    assert started["continuedExecutionRunId"] == first
    assert started["input"] == "page-2"
    assert started["tagList"] == ["t2"]
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": first})
    assert info["executionInfo"]["closeStatus"] == "CONTINUED_AS_NEW"


def test_continue_as_new_to_an_unknown_version_fails(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, decision("ContinueAsNewWorkflowExecution", workflowTypeVersion="9"))
    failed = last(history(swf, "order-1", run_id), "ContinueAsNewWorkflowExecutionFailed")
    assert failed["cause"] == "WORKFLOW_TYPE_DOES_NOT_EXIST"


def test_markers(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, decision("RecordMarker", markerName="checkpoint", details="step 3"))
    events = history(swf, "order-1", run_id)
    assert attrs(events[-1]) == {"markerName": "checkpoint", "details": "step 3", "decisionTaskCompletedEventId": 4}
    assert swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "deciders"})["count"] == 0


def test_timers_fire_in_virtual_time(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    decide(swf, decision("StartTimer", timerId="remind", startToFireTimeout="1800", control="c"))
    assert last(history(swf, "order-1", run_id), "TimerStarted") == {
        "timerId": "remind",
        "control": "c",
        "startToFireTimeout": "1800",
        "decisionTaskCompletedEventId": 4,
    }
    aws.clock.advance(1799)
    assert "TimerFired" not in types_of(history(swf, "order-1", run_id))
    aws.clock.advance(1)
    events = history(swf, "order-1", run_id)
    assert types_of(events)[-2:] == ["TimerFired", "DecisionTaskScheduled"]
    assert attrs(events[-2]) == {"timerId": "remind", "startedEventId": 5}


def test_timer_failures_and_cancellation(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    timer = decision("StartTimer", timerId="t", startToFireTimeout="60")
    decide(swf, timer, timer, decision("CancelTimer", timerId="ghost"))
    events = history(swf, "order-1", run_id)
    assert last(events, "StartTimerFailed") == {
        "timerId": "t",
        "cause": "TIMER_ID_ALREADY_IN_USE",
        "decisionTaskCompletedEventId": 4,
    }
    assert last(events, "CancelTimerFailed")["cause"] == "TIMER_ID_UNKNOWN"
    decide(swf, decision("CancelTimer", timerId="t"))
    assert last(history(swf, "order-1", run_id), "TimerCanceled") == {
        "timerId": "t",
        "startedEventId": 5,
        "decisionTaskCompletedEventId": 10,
    }
    aws.clock.advance(120)
    assert "TimerFired" not in types_of(history(swf, "order-1", run_id))


def test_signal_and_cancel_another_execution(swf: Any, start: Starter) -> None:
    sender = start("sender")
    target = start("target")
    decide(swf)  # sender's first decision task
    decide(swf)  # target's
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="sender", signalName="go")
    decide(
        swf,
        decision("SignalExternalWorkflowExecution", workflowId="target", signalName="hello", input="hi", control="c"),
        decision("SignalExternalWorkflowExecution", workflowId="nobody", signalName="hello"),
        decision("RequestCancelExternalWorkflowExecution", workflowId="target", runId=target),
        decision("RequestCancelExternalWorkflowExecution", workflowId="target", runId="wrong-run"),
    )
    mine = history(swf, "sender", sender)
    initiated = next(e for e in mine if e["eventType"] == "SignalExternalWorkflowExecutionInitiated")
    assert attrs(initiated)["control"] == "c"
    assert last(mine, "ExternalWorkflowExecutionSignaled") == {
        "workflowExecution": {"workflowId": "target", "runId": target},
        "initiatedEventId": initiated["eventId"],
    }
    assert last(mine, "SignalExternalWorkflowExecutionFailed")["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    assert last(mine, "RequestCancelExternalWorkflowExecutionFailed")["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    assert "ExternalWorkflowExecutionCancelRequested" in types_of(mine)
    theirs = history(swf, "target", target)
    assert last(theirs, "WorkflowExecutionSignaled") == {
        "signalName": "hello",
        "input": "hi",
        "externalWorkflowExecution": {"workflowId": "sender", "runId": sender},
        "externalInitiatedEventId": initiated["eventId"],
    }
    assert last(theirs, "WorkflowExecutionCancelRequested")["externalWorkflowExecution"]["workflowId"] == "sender"


def test_child_workflow_start_and_completion_reach_the_parent(swf: Any, start: Starter) -> None:
    parent = start("parent")
    decide(swf, decision("StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId="child", input="x"))
    events = history(swf, "parent", parent)
    initiated = last(events, "StartChildWorkflowExecutionInitiated")
    assert initiated["workflowId"] == "child"
    assert initiated["childPolicy"] == "TERMINATE"
    started = last(events, "ChildWorkflowExecutionStarted")
    child_run = started["workflowExecution"]["runId"]
    child_start = attrs(history(swf, "child", child_run)[0])
    assert child_start["parentWorkflowExecution"] == {"workflowId": "parent", "runId": parent}
    assert child_start["parentInitiatedEventId"] == started["initiatedEventId"]
    # The child's first decision task was scheduled before the parent's (for ChildWorkflowExecutionStarted).
    task = decide(swf, decision("CompleteWorkflowExecution", result="child done"))
    assert task["workflowExecution"]["workflowId"] == "child"
    completed = last(history(swf, "parent", parent), "ChildWorkflowExecutionCompleted")
    assert completed["result"] == "child done"
    assert completed["initiatedEventId"] == started["initiatedEventId"]
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "child", "runId": child_run})
    assert info["executionInfo"]["parent"] == {"workflowId": "parent", "runId": parent}


def test_child_workflow_failures(swf: Any, start: Starter) -> None:
    parent = start("parent")
    start("busy")
    decide(
        swf,
        decision("StartChildWorkflowExecution", workflowType={"name": "nope", "version": "1"}, workflowId="c1"),
        decision("StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId="busy"),
    )
    failures = [
        attrs(e) for e in history(swf, "parent", parent) if e["eventType"] == "StartChildWorkflowExecutionFailed"
    ]
    assert [f["cause"] for f in failures] == ["WORKFLOW_TYPE_DOES_NOT_EXIST", "WORKFLOW_ALREADY_RUNNING"]
    assert failures[0]["initiatedEventId"] == 0
    assert failures[1]["initiatedEventId"] > 0


@pytest.mark.parametrize(
    ("policy", "child_event"),
    [("TERMINATE", "WorkflowExecutionTerminated"), ("REQUEST_CANCEL", "WorkflowExecutionCancelRequested")],
)
def test_the_child_policy_applies_when_the_parent_closes(
    swf: Any, start: Starter, policy: str, child_event: str
) -> None:
    parent = start("parent", childPolicy=policy)
    decide(swf, decision("StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId="child"))
    child_run = last(history(swf, "parent", parent), "ChildWorkflowExecutionStarted")["workflowExecution"]["runId"]
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="parent")
    child_events = history(swf, "child", child_run)
    assert child_event in types_of(child_events)
    assert last(child_events, child_event)["cause"] == "CHILD_POLICY_APPLIED"


def test_abandoned_children_keep_running(swf: Any, start: Starter) -> None:
    parent = start("parent")
    decide(swf, decision("StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId="child"))
    child_run = last(history(swf, "parent", parent), "ChildWorkflowExecutionStarted")["workflowExecution"]["runId"]
    swf.terminate_workflow_execution(domain=DOMAIN, workflowId="parent", childPolicy="ABANDON")
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "child", "runId": child_run})
    assert info["executionInfo"]["executionStatus"] == "OPEN"


def test_lambda_functions_run_the_stand_ins(swf: Any, start: Starter, aws: Cloud) -> None:
    seen = []

    def total(event: Any, context: Any) -> Any:
        seen.append(event)
        return {"total": sum(event["items"])}

    def broken(event: Any, context: Any) -> Any:
        raise ValueError("no stock")

    aws.lambdas.register("total", total)
    aws.lambdas.register("broken", broken)
    run_id = start(lambdaRole=ROLE)
    decide(
        swf,
        decision("ScheduleLambdaFunction", id="sum", name="total", input=json.dumps({"items": [1, 2]})),
        decision("ScheduleLambdaFunction", id="bad", name="broken"),
        decision("ScheduleLambdaFunction", id="sum", name="total"),
    )
    events = history(swf, "order-1", run_id)
    assert seen == [{"items": [1, 2]}]
    assert last(events, "ScheduleLambdaFunctionFailed")["cause"] == "ID_ALREADY_IN_USE"
    scheduled = next(e for e in events if e["eventType"] == "LambdaFunctionScheduled")
    assert attrs(scheduled)["startToCloseTimeout"] == "300"
    completed = last(events, "LambdaFunctionCompleted")
    assert json.loads(completed["result"]) == {"total": 3}
    assert completed["scheduledEventId"] == scheduled["eventId"]
    failed = last(events, "LambdaFunctionFailed")
    assert failed["reason"] == "ValueError"
    assert json.loads(failed["details"])["errorMessage"] == "no stock"
    # One decision task is scheduled for all of it.
    assert swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "deciders"})["count"] == 1
    assert types_of(decide(swf)["events"]).count("DecisionTaskScheduled") == 2


def test_lambda_functions_need_a_lambda_role(swf: Any, start: Starter, aws: Cloud) -> None:
    aws.lambdas.register("total", lambda event, context: 1)
    run_id = start()
    decide(swf, decision("ScheduleLambdaFunction", id="sum", name="total"))
    assert last(history(swf, "order-1", run_id), "StartLambdaFunctionFailed")["cause"] == "ASSUME_ROLE_FAILED"
    assert aws.lambdas.invocations == []


def test_a_decision_without_its_attributes_is_refused_and_nothing_is_recorded(swf: Any, start: Starter) -> None:
    run_id = start()
    task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
    with pytest.raises(swf.exceptions.ClientError) as caught:
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[{"decisionType": "StartTimer"}])
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert types_of(history(swf, "order-1", run_id))[-1] == "DecisionTaskStarted"
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])


def test_a_used_decision_token_is_unknown(swf: Any, start: Starter) -> None:
    start()
    task = decide(swf)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])


@pytest.mark.parametrize(
    ("kind", "cause"),
    [
        ("ScheduleActivityTask", "OPEN_ACTIVITIES_LIMIT_EXCEEDED"),
        ("StartTimer", "OPEN_TIMERS_LIMIT_EXCEEDED"),
        ("StartChildWorkflowExecution", "OPEN_CHILDREN_LIMIT_EXCEEDED"),
    ],
)
def test_open_limits(swf: Any, start: Starter, monkeypatch: pytest.MonkeyPatch, kind: str, cause: str) -> None:
    from pytest_awsmsg.services.swf import decisions

    monkeypatch.setattr(decisions, "OPEN_LIMIT", 1)  # SWF's is 1,000 of each
    run_id = start("parent")

    def one(number: int) -> dict[str, Any]:
        if kind == "ScheduleActivityTask":
            return schedule(f"a{number}")
        if kind == "StartTimer":
            return decision("StartTimer", timerId=f"t{number}", startToFireTimeout="60")
        return decision("StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId=f"child-{number}")

    decide(swf, one(1), one(2))
    assert last(history(swf, "parent", run_id), f"{kind}Failed")["cause"] == cause


def test_open_lambda_limit_and_unknown_functions(
    swf: Any, start: Starter, aws: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_awsmsg.services.swf import decisions

    monkeypatch.setattr(decisions, "OPEN_LAMBDA_LIMIT", 0)
    run_id = start(lambdaRole=ROLE)
    decide(swf, decision("ScheduleLambdaFunction", id="f", name="missing"))
    assert last(history(swf, "order-1", run_id), "ScheduleLambdaFunctionFailed")["cause"] == (
        "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED"
    )
    monkeypatch.setattr(decisions, "OPEN_LAMBDA_LIMIT", 50)
    decide(swf, decision("ScheduleLambdaFunction", id="f", name="missing"))
    failed = last(history(swf, "order-1", run_id), "LambdaFunctionFailed")
    assert failed["reason"] == "ResourceNotFoundException"
    assert "missing" in failed["details"]


@pytest.mark.parametrize("kind", ["ContinueAsNewWorkflowExecution", "StartChildWorkflowExecution"])
def test_starting_a_deprecated_or_incomplete_workflow_type_fails(swf: Any, start: Starter, kind: str) -> None:
    swf.register_workflow_type(domain=DOMAIN, name=WORKFLOW["name"], version="bare")
    run_id = start()
    swf.deprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    if kind == "ContinueAsNewWorkflowExecution":
        deprecated = decision(kind)
        incomplete = decision(kind, workflowTypeVersion="bare")
        failed = f"{kind}Failed"
    else:
        deprecated = decision(kind, workflowType=WORKFLOW, workflowId="c1")
        incomplete = decision(kind, workflowType={"name": WORKFLOW["name"], "version": "bare"}, workflowId="c2")
        failed = "StartChildWorkflowExecutionFailed"
    decide(swf, deprecated)
    assert last(history(swf, "order-1", run_id), failed)["cause"] == "WORKFLOW_TYPE_DEPRECATED"
    decide(swf, incomplete)
    assert last(history(swf, "order-1", run_id), failed)["cause"] == "DEFAULT_TASK_LIST_UNDEFINED"


def test_a_lambda_task_running_past_its_start_to_close_timeout_times_out(swf: Any, start: Starter, aws: Cloud) -> None:
    def slow(event: Any, context: Any) -> str:
        aws.clock.advance(seconds=31)  # the stand-in takes 31 s of virtual time
        return "late"

    aws.lambdas.register("slow", slow)
    run_id = start(lambdaRole=ROLE)
    decide(swf, decision("ScheduleLambdaFunction", id="s", name="slow", startToCloseTimeout="30"))
    timed_out = last(history(swf, "order-1", run_id), "LambdaFunctionTimedOut")
    assert timed_out["timeoutType"] == "START_TO_CLOSE"
    assert "LambdaFunctionCompleted" not in types_of(history(swf, "order-1", run_id))
