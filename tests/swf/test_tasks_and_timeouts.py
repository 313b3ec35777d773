"""Long polls, activity workers, and every SWF timeout firing as virtual time passes."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import DOMAIN, WORKFLOW, Starter, attrs, decide, decision, history, last, schedule, types_of


def test_an_empty_poll_waits_sixty_virtual_seconds(swf: Any, types: None, aws: Cloud) -> None:
    before = aws.clock.now()
    answer = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
    assert "taskToken" not in answer
    assert answer["startedEventId"] == 0
    assert aws.clock.now() - before == pytest.approx(60, abs=5)  # real time passes too: the clock is not frozen
    work = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
    assert "taskToken" not in work
    assert work["startedEventId"] == 0


def test_a_poll_answers_when_a_timer_brings_a_task_during_the_wait(swf: Any, start: Starter, aws: Cloud) -> None:
    start()
    decide(swf, decision("StartTimer", timerId="soon", startToFireTimeout="25"))
    before = aws.clock.now()
    task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
    assert task["taskToken"]
    assert aws.clock.now() - before == pytest.approx(25, abs=5)
    assert task["events"][-3]["eventType"] == "TimerFired"


def test_a_poll_of_an_unknown_domain_fails(swf: Any) -> None:
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.poll_for_decision_task(domain="nowhere", taskList={"name": "x"})


def test_decision_task_history_pages_through_the_poll(swf: Any, start: Starter) -> None:
    start()
    for number in range(4):
        swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName=f"s{number}")
    first = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"}, maximumPageSize=3)
    assert [e["eventId"] for e in first["events"]] == [1, 2, 3]
    assert first["startedEventId"] == 7
    second = swf.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "deciders"}, maximumPageSize=3, nextPageToken=first["nextPageToken"]
    )
    assert second["taskToken"] == first["taskToken"]
    assert [e["eventId"] for e in second["events"]] == [4, 5, 6]
    third = swf.poll_for_decision_task(
        domain=DOMAIN, taskList={"name": "deciders"}, maximumPageSize=3, nextPageToken=second["nextPageToken"]
    )
    assert [e["eventId"] for e in third["events"]] == [7]
    assert "nextPageToken" not in third
    swf.respond_decision_task_completed(taskToken=first["taskToken"], decisions=[])
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="again")
    reverse = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"}, reverseOrder=True)
    assert reverse["events"][0]["eventType"] == "DecisionTaskStarted"
    assert reverse["previousStartedEventId"] == 7


def test_the_poller_gets_the_highest_priority_task_first(swf: Any, start: Starter) -> None:
    start("low", taskPriority="1")
    start("high", taskPriority="10")
    start("none")
    order = [decide(swf)["workflowExecution"]["workflowId"] for _ in range(3)]
    assert order == ["high", "low", "none"]


def test_activity_worker_round_trip(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, schedule(input="amount=3"))
    work = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"}, identity="worker-7")
    assert work["activityId"] == "charge-1"
    assert work["input"] == "amount=3"
    assert work["startedEventId"] == 6
    assert work["workflowExecution"] == {"workflowId": "order-1", "runId": run_id}
    assert work["activityType"] == {"name": "charge", "version": "1"}
    swf.respond_activity_task_completed(taskToken=work["taskToken"], result="charged")
    events = history(swf, "order-1", run_id)
    assert attrs(events[5]) == {"identity": "worker-7", "scheduledEventId": 5}
    assert last(events, "ActivityTaskCompleted") == {"result": "charged", "scheduledEventId": 5, "startedEventId": 6}
    assert events[-1]["eventType"] == "DecisionTaskScheduled"
    described = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert "latestActivityTaskTimestamp" in described
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_activity_task_completed(taskToken=work["taskToken"])


def test_activity_failure(swf: Any, start: Starter) -> None:
    run_id = start()
    decide(swf, schedule())
    work = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
    swf.respond_activity_task_failed(taskToken=work["taskToken"], reason="card declined", details="4xx")
    assert last(history(swf, "order-1", run_id), "ActivityTaskFailed") == {
        "reason": "card declined",
        "details": "4xx",
        "scheduledEventId": 5,
        "startedEventId": 6,
    }


def test_decision_task_start_to_close_timeout(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
    aws.clock.advance(30)
    events = history(swf, "order-1", run_id)
    assert types_of(events)[-2:] == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert attrs(events[-2]) == {"timeoutType": "START_TO_CLOSE", "scheduledEventId": 2, "startedEventId": 3}
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    assert decide(swf)["previousStartedEventId"] == 0


@pytest.mark.parametrize(
    ("worker", "advance", "timeout", "started"),
    [
        ("never polls", 60, "SCHEDULE_TO_START", 0),
        ("polls, stays silent", 300, "START_TO_CLOSE", 6),
    ],
)
def test_activity_timeouts(
    swf: Any, start: Starter, aws: Cloud, worker: str, advance: float, timeout: str, started: int
) -> None:
    run_id = start()
    decide(swf, schedule())
    if started:
        swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
    aws.clock.advance(advance - 1)
    assert "ActivityTaskTimedOut" not in types_of(history(swf, "order-1", run_id))
    aws.clock.advance(1)
    events = history(swf, "order-1", run_id)
    assert last(events, "ActivityTaskTimedOut") == {
        "timeoutType": timeout,
        "scheduledEventId": 5,
        "startedEventId": started,
    }
    assert events[-1]["eventType"] == "DecisionTaskScheduled"


def test_schedule_to_close_bounds_the_whole_activity(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    decide(swf, schedule(scheduleToCloseTimeout="100", startToCloseTimeout="NONE"))
    aws.clock.advance(50)
    swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
    aws.clock.advance(50)
    assert last(history(swf, "order-1", run_id), "ActivityTaskTimedOut")["timeoutType"] == "SCHEDULE_TO_CLOSE"


def test_heartbeat_timeout_keeps_the_last_details(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    decide(swf, schedule(heartbeatTimeout="20"))
    work = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
    for step in range(3):
        aws.clock.advance(15)
        swf.record_activity_task_heartbeat(taskToken=work["taskToken"], details=f"step {step}")
    aws.clock.advance(19)
    assert "ActivityTaskTimedOut" not in types_of(history(swf, "order-1", run_id))
    aws.clock.advance(1)
    assert last(history(swf, "order-1", run_id), "ActivityTaskTimedOut") == {
        "timeoutType": "HEARTBEAT",
        "scheduledEventId": 5,
        "startedEventId": 6,
        "details": "step 2",
    }
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.record_activity_task_heartbeat(taskToken=work["taskToken"])


def test_workflow_start_to_close_timeout_times_out_the_run_and_its_children(
    swf: Any, start: Starter, aws: Cloud
) -> None:
    parent = start("parent", executionStartToCloseTimeout="600", childPolicy="TERMINATE")
    decide(
        swf,
        decision("StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId="child"),
        decision("StartTimer", timerId="never", startToFireTimeout="3000"),
    )
    child_run = last(history(swf, "parent", parent), "ChildWorkflowExecutionStarted")["workflowExecution"]["runId"]
    aws.clock.advance(600)
    events = history(swf, "parent", parent)
    assert events[-1]["eventType"] == "WorkflowExecutionTimedOut"
    assert attrs(events[-1]) == {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "parent", "runId": parent})
    assert info["executionInfo"]["closeStatus"] == "TIMED_OUT"
    assert info["openCounts"]["openTimers"] == 0
    assert history(swf, "child", child_run)[-1]["eventType"] == "WorkflowExecutionTerminated"


def test_a_child_timing_out_is_reported_to_its_parent(swf: Any, start: Starter, aws: Cloud) -> None:
    parent = start("parent")
    decide(
        swf,
        decision(
            "StartChildWorkflowExecution", workflowType=WORKFLOW, workflowId="child", executionStartToCloseTimeout="100"
        ),
    )
    aws.clock.advance(100)
    timed_out = last(history(swf, "parent", parent), "ChildWorkflowExecutionTimedOut")
    assert timed_out["timeoutType"] == "START_TO_CLOSE"
    assert timed_out["workflowExecution"]["workflowId"] == "child"


@pytest.mark.requires_api("swf", "RespondDecisionTaskCompleted", "taskListScheduleToStartTimeout")
def test_decision_schedule_to_start_timeout(swf: Any, start: Starter, aws: Cloud) -> None:
    run_id = start()
    decide(swf, decision("StartTimer", timerId="t", startToFireTimeout="5"), taskListScheduleToStartTimeout="10")
    aws.clock.advance(5 + 10)
    events = history(swf, "order-1", run_id)
    assert types_of(events)[-3:] == ["DecisionTaskScheduled", "DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert attrs(events[-2])["timeoutType"] == "SCHEDULE_TO_START"


@pytest.mark.requires_api("swf", "PollForDecisionTask", "startAtPreviousStartedEvent")
def test_a_poll_can_start_at_the_previous_started_event(swf: Any, start: Starter) -> None:
    start()
    decide(swf)
    swf.signal_workflow_execution(domain=DOMAIN, workflowId="order-1", signalName="more")
    task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"}, startAtPreviousStartedEvent=True)
    assert [e["eventId"] for e in task["events"]] == [3, 4, 5, 6, 7]
    assert task["previousStartedEventId"] == 3
