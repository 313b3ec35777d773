"""Expense approval on Amazon SWF: three approvers, a reminder, an escalation; days pass in milliseconds.

The workflow's decider and the approvers' tools are plain functions; the kit's
``aws.swf.run`` polls and answers their tasks on the test's thread through
boto3, and moves virtual time when nobody has anything to do.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from orders.expenses import (
    DOMAIN,
    ESCALATE_AFTER,
    NOTIFICATIONS,
    REMIND_AFTER,
    answer,
    approvals_list,
    decide,
    register,
    submit,
)

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.swf import NO_RESPONSE

APPROVERS = ["alice", "bob", "carol"]


@pytest.fixture
def swf(aws: Cloud) -> Any:
    client = boto3.client("swf", region_name="us-east-1")
    register(client)
    return client


def approver(name: str, approves: bool = True) -> Callable[[dict[str, Any]], Any]:
    def tool(task: dict[str, Any]) -> str:
        assert json.loads(task["input"])["approver"] == name
        return answer(approves, name)

    return tool


def workers(**overrides: Callable[[dict[str, Any]], Any]) -> dict[str, Callable[[dict[str, Any]], Any]]:
    reminded: list[str] = []
    tools = {approvals_list(name): overrides.get(name, approver(name)) for name in [*APPROVERS, "dave"]}
    tools[NOTIFICATIONS] = lambda task: reminded.append(json.loads(task["input"])["to"])
    return tools


def test_three_approvals_complete_the_report_and_cancel_the_reminder(swf: Any, aws: Cloud) -> None:
    submit(swf, "r-1", 120, APPROVERS, manager="dave")
    report = aws.swf.run(DOMAIN, "expense-r-1", decider=decide, workers=workers())
    report.assert_status("COMPLETED")
    assert json.loads(report.result or "") == {"report": "r-1", "approved_by": APPROVERS}
    report.assert_event("TimerCanceled", timerId="reminder")
    assert not report.events("ActivityTaskTimedOut")


def test_one_rejection_fails_the_report(swf: Any, aws: Cloud) -> None:
    submit(swf, "r-2", 5000, APPROVERS, manager="dave")
    report = aws.swf.run(DOMAIN, "expense-r-2", decider=decide, workers=workers(bob=approver("bob", approves=False)))
    report.assert_status("FAILED")
    assert report.assert_event("WorkflowExecutionFailed")["reason"] == "rejected by bob"


def test_a_silent_approver_is_reminded_then_escalated_to_the_manager(swf: Any, aws: Cloud) -> None:
    submit(swf, "r-3", 300, APPROVERS, manager="dave")
    start = aws.clock.now()
    report = aws.swf.run(DOMAIN, "expense-r-3", decider=decide, workers=workers(carol=lambda task: NO_RESPONSE))
    report.assert_status("COMPLETED")
    # A day in, carol (and only carol) is reminded.
    fired = report.assert_event("TimerFired", timerId="reminder")
    assert fired.timestamp.timestamp() - start == pytest.approx(REMIND_AFTER, abs=20)
    reminder = report.assert_event("ActivityTaskScheduled", activityId="remind-carol")
    assert json.loads(reminder["input"]) == {"to": "carol", "report": "r-3"}
    assert len(report.events("ActivityTaskScheduled")) == 3 + 1 + 1  # approvals, reminder, escalation
    # Two days in, her approval times out and goes to dave, who approves for her.
    report.assert_event("ActivityTaskTimedOut", timeoutType="SCHEDULE_TO_CLOSE")
    escalated = report.assert_event("ActivityTaskScheduled", activityId="approve-carol-escalated")
    assert escalated["taskList"] == {"name": "approvals-dave"}
    assert json.loads(report.result or "")["approved_by"] == ["alice", "bob", "dave"]
    assert aws.clock.now() - start == pytest.approx(ESCALATE_AFTER, abs=20)  # real time passes too
