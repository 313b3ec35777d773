"""What tests read (aws.swf), the runner of deciders and workers, threads, and the failure report."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.swf.runner import NO_RESPONSE

from .conftest import ACTIVITY, DOMAIN, Starter, decide, decision, schedule

pytest_plugins = ["pytester"]


def test_the_view_shows_executions_histories_and_pending_tasks(swf: Any, start: Starter, aws: Cloud) -> None:
    start("order-1", tagList=["vip"], input="in")
    decide(swf, schedule(), decision("StartTimer", timerId="remind", startToFireTimeout="60"))
    view = aws.swf.execution("order-1")
    assert view.status == "OPEN"
    assert view.is_open
    assert view.input == "in"
    assert view.tags == ["vip"]
    assert view.open_activities == {"charge-1": "scheduled"}
    assert view.open_timers == ["remind"]
    assert not view.decision_pending
    assert aws.swf.pending_activity_tasks(DOMAIN) == [("order-1", "charge-1")]
    assert aws.swf.pending_decision_tasks(DOMAIN) == []
    assert view.event_types[-2:] == ["ActivityTaskScheduled", "TimerStarted"]
    scheduled = view.assert_event("ActivityTaskScheduled", activityId="charge-1")
    assert scheduled["activityType"] == ACTIVITY
    assert scheduled.id == 5
    assert "TimerStarted" in view.tail()
    assert aws.swf.domain_names() == [DOMAIN]
    assert [v.workflow_id for v in aws.swf.executions(DOMAIN, open_only=True)] == ["order-1"]


def test_view_asserts_explain_with_the_history_tail(start: Starter, aws: Cloud) -> None:
    start()
    view = aws.swf.execution("order-1")
    with pytest.raises(AssertionError, match=r"is OPEN, not COMPLETED(.|\n)*DecisionTaskScheduled"):
        view.assert_status("COMPLETED")
    with pytest.raises(AssertionError, match="has no TimerFired"):
        view.assert_event("TimerFired")
    with pytest.raises(LookupError, match="workflow ids there: \\['order-1'\\]"):
        aws.swf.execution("nope")


def test_the_report_shows_each_open_execution_with_its_history_tail(start: Starter, aws: Cloud) -> None:
    start("order-1")
    start("order-2")
    [(title, text)] = [s for s in aws.report_sections() if s[0].startswith("aws swf")]
    assert title == "aws swf open executions"
    assert "orders/order-1" in text
    assert "orders/order-2" in text
    assert "WorkflowExecutionStarted" in text


def _decider(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Charge, then complete with the charge's result; fail when the charge failed."""
    kinds = [e["eventType"] for e in task["events"]]
    if "ActivityTaskCompleted" in kinds:
        result = next(e for e in task["events"] if e["eventType"] == "ActivityTaskCompleted")
        return [decision("CompleteWorkflowExecution", result=result["activityTaskCompletedEventAttributes"]["result"])]
    if "ActivityTaskFailed" in kinds or "ActivityTaskTimedOut" in kinds:
        return [decision("FailWorkflowExecution", reason="charge failed")]
    return [schedule(input="3")]


def test_run_drives_a_decider_and_workers_to_the_close(start: Starter, aws: Cloud) -> None:
    start()
    view = aws.swf.run(DOMAIN, "order-1", decider=_decider, workers={"workers": lambda task: {"paid": task["input"]}})
    assert view.status == "COMPLETED"
    assert view.result == '{"paid": "3"}'
    assert view.assert_event("ActivityTaskStarted")["identity"] == "pytest-awsmsg-worker"


def test_a_worker_that_raises_fails_its_task(start: Starter, aws: Cloud) -> None:
    start()

    def declined(task: dict[str, Any]) -> str:
        raise RuntimeError("card declined")

    view = aws.swf.run(DOMAIN, "order-1", decider=_decider, workers={"workers": declined})
    assert view.status == "FAILED"
    failed = view.assert_event("ActivityTaskFailed")
    assert (failed["reason"], failed["details"]) == ("RuntimeError", "card declined")


def test_a_silent_worker_lets_the_timeouts_run_in_virtual_time(start: Starter, aws: Cloud) -> None:
    start()
    before = aws.clock.now()
    view = aws.swf.run(DOMAIN, "order-1", decider=_decider, workers={"workers": lambda task: NO_RESPONSE})
    assert view.status == "FAILED"
    assert view.assert_event("ActivityTaskTimedOut")["timeoutType"] == "START_TO_CLOSE"
    assert aws.clock.now() - before == pytest.approx(300, abs=20)  # not 360: no empty poll waited; real time passes too


def test_run_explains_a_workflow_that_cannot_progress(start: Starter, aws: Cloud) -> None:
    start(executionStartToCloseTimeout="31536000")
    with pytest.raises(AssertionError, match=r"cannot progress(.|\n)*ActivityTaskScheduled"):
        aws.swf.run(DOMAIN, "order-1", decider=_decider, workers={}, max_seconds=30)


def test_boto3_workers_on_threads_with_the_decider_on_the_tests_thread(swf: Any, start: Starter, aws: Cloud) -> None:
    """The developer guide's shape: an activity worker polling in a loop on its own thread."""
    stop = threading.Event()
    done: list[str] = []

    def worker() -> None:
        client = boto3.client("swf", region_name="us-east-1")
        while not stop.is_set():
            task = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"}, identity="thread")
            if task.get("taskToken"):
                done.append(task["activityId"])
                client.respond_activity_task_completed(taskToken=task["taskToken"], result="ok")

    run_id = start()
    thread = threading.Thread(target=worker, name="activity-worker")
    thread.start()
    polling = threading.Event()
    # The cloud cannot know a thread is about to call it: let the worker's first poll begin
    # (it is logged when it enters the cloud), as a real deployment starts its workers first.
    while not any(call.thread == "activity-worker" for call in aws.calls):
        polling.wait(0.005)
    try:
        decide(swf, schedule())
        for _ in range(20):
            task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"})
            if task.get("taskToken"):
                break
        swf.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
        )
    finally:
        stop.set()
        thread.join()
    assert done == ["charge-1"]
    info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": "order-1", "runId": run_id})
    assert info["executionInfo"]["closeStatus"] == "COMPLETED"


def test_a_failed_tests_report_shows_the_open_executions_history_tail(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_stuck(aws):
            swf = boto3.client("swf", region_name="us-east-1")
            swf.register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")
            swf.register_workflow_type(
                domain="d", name="w", version="1", defaultTaskList={"name": "t"},
                defaultExecutionStartToCloseTimeout="60", defaultTaskStartToCloseTimeout="10",
                defaultChildPolicy="TERMINATE",
            )
            swf.start_workflow_execution(domain="d", workflowId="stuck-1", workflowType={"name": "w", "version": "1"})
            swf.signal_workflow_execution(domain="d", workflowId="stuck-1", signalName="nudge")
            assert False, "the workflow never finished"
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*aws swf open executions*", "*d/stuck-1*OPEN*", "*WorkflowExecutionSignaled*nudge*"])
