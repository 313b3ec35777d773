"""Expense reports approved by three people: an Amazon SWF workflow.

Production-style code: plain boto3, no knowledge of tests. Submitting a report
starts a workflow; its decider asks each approver (one activity task on the
approver's own task list) and starts a reminder timer. When the reminder
fires, everyone who has not answered is reminded (a ``remind`` activity on the
notifications task list). An approver who does not answer within
``ESCALATE_AFTER`` is replaced by their manager (an ``approve`` task on the
manager's list). All approvals complete the report; one rejection fails it.

The decider is a pure function of the decision task's history, as SWF
deciders are: it can run on any machine, any number of times.
"""

from __future__ import annotations

import json
from typing import Any

DOMAIN = "expenses"
WORKFLOW = {"name": "expense-approval", "version": "1"}
APPROVE = {"name": "approve", "version": "1"}
REMIND = {"name": "remind", "version": "1"}
DECISIONS = "expense-deciders"
NOTIFICATIONS = "notifications"
REMIND_AFTER = 86400  # a day
ESCALATE_AFTER = 2 * 86400  # two days


def approvals_list(person: str) -> str:
    """The task list one person's approval tool polls."""
    return f"approvals-{person}"


def register(swf: Any) -> None:
    """The domain and types, as the app's infrastructure code would create them."""
    swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="30")
    swf.register_workflow_type(
        domain=DOMAIN,
        **WORKFLOW,
        defaultTaskList={"name": DECISIONS},
        defaultExecutionStartToCloseTimeout=str(14 * 86400),
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=DOMAIN,
        **APPROVE,
        defaultTaskScheduleToStartTimeout="NONE",
        defaultTaskStartToCloseTimeout="NONE",
        defaultTaskScheduleToCloseTimeout=str(ESCALATE_AFTER),
        defaultTaskHeartbeatTimeout="NONE",
    )
    swf.register_activity_type(
        domain=DOMAIN,
        **REMIND,
        defaultTaskList={"name": NOTIFICATIONS},
        defaultTaskScheduleToStartTimeout="3600",
        defaultTaskStartToCloseTimeout="300",
        defaultTaskScheduleToCloseTimeout="3900",
        defaultTaskHeartbeatTimeout="NONE",
    )


def submit(swf: Any, report_id: str, amount: int, approvers: list[str], manager: str) -> str:
    """Start the approval of a report; returns the run id."""
    report = {"report": report_id, "amount": amount, "approvers": approvers, "manager": manager}
    started = swf.start_workflow_execution(
        domain=DOMAIN, workflowId=f"expense-{report_id}", workflowType=WORKFLOW, input=json.dumps(report)
    )
    return str(started["runId"])


def _attributes(event: dict[str, Any]) -> dict[str, Any]:
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def decide(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The decisions for one decision task, from its whole history."""
    events = task["events"]
    report = json.loads(_attributes(events[0])["input"])
    seen_before = task.get("previousStartedEventId", 0)
    activity_of: dict[int, str] = {}  # scheduledEventId -> activityId
    answers: dict[str, dict[str, Any]] = {}  # approver -> answer
    timer_open = False
    decisions: list[dict[str, Any]] = []
    for event in events:
        kind, attributes = event["eventType"], _attributes(event)
        new = event["eventId"] > seen_before
        if kind == "ActivityTaskScheduled":
            activity_of[event["eventId"]] = attributes["activityId"]
        elif kind == "ActivityTaskCompleted" and activity_of[attributes["scheduledEventId"]].startswith("approve-"):
            answers[_approver(activity_of[attributes["scheduledEventId"]])] = json.loads(attributes["result"])
        elif kind == "TimerStarted":
            timer_open = True
        elif kind in ("TimerFired", "TimerCanceled"):
            timer_open = False
            if kind == "TimerFired" and new:
                decisions += [
                    _remind(person, report)
                    for person in report["approvers"]
                    if person not in answers and not _escalated(activity_of, person)
                ]
        elif kind == "ActivityTaskTimedOut" and new:
            timed_out = activity_of[attributes["scheduledEventId"]]
            if timed_out.endswith("-escalated"):
                answers[_approver(timed_out)] = {"approved": False, "by": f"nobody (escalated, no answer): {timed_out}"}
            elif timed_out.startswith("approve-"):
                decisions.append(_ask(report["manager"], report, f"{timed_out}-escalated"))
    if not activity_of:  # the first decision: ask everyone, start the reminder
        decisions = [_ask(person, report, f"approve-{person}") for person in report["approvers"]]
        decisions.append(
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": "reminder", "startToFireTimeout": str(REMIND_AFTER)},
            }
        )
        return decisions
    rejected = [a for a in answers.values() if not a["approved"]]
    if rejected or len(answers) == len(report["approvers"]):
        if timer_open:
            decisions.append({"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "reminder"}})
        if rejected:
            reason = f"rejected by {rejected[0]['by']}"
            decisions.append(
                {"decisionType": "FailWorkflowExecution", "failWorkflowExecutionDecisionAttributes": {"reason": reason}}
            )
        else:
            result = json.dumps({"report": report["report"], "approved_by": sorted(a["by"] for a in answers.values())})
            decisions.append(
                {
                    "decisionType": "CompleteWorkflowExecution",
                    "completeWorkflowExecutionDecisionAttributes": {"result": result},
                }
            )
    return decisions


def _approver(activity_id: str) -> str:
    """The approver an approval activity answers for (an escalation counts for the one it replaces)."""
    return activity_id.removeprefix("approve-").removesuffix("-escalated")


def _escalated(activity_of: dict[int, str], person: str) -> bool:
    return f"approve-{person}-escalated" in activity_of.values()


def _ask(person: str, report: dict[str, Any], activity_id: str) -> dict[str, Any]:
    # An escalated approval counts for the approver it replaces: its id is approve-<approver>-escalated.
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": APPROVE,
            "activityId": activity_id,
            "taskList": {"name": approvals_list(person)},
            "input": json.dumps({"report": report["report"], "amount": report["amount"], "approver": person}),
        },
    }


def _remind(person: str, report: dict[str, Any]) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": REMIND,
            "activityId": f"remind-{person}",
            "input": json.dumps({"to": person, "report": report["report"]}),
        },
    }


def answer(approved: bool, by: str) -> str:
    """What an approval tool sends back as the activity's result."""
    return json.dumps({"approved": approved, "by": by})
