"""Fixtures for the SWF tests: a boto3 client, a domain with one workflow and one activity type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

DOMAIN = "orders"
WORKFLOW = {"name": "process-order", "version": "1"}
ACTIVITY = {"name": "charge", "version": "1"}
DECISIONS = "deciders"
WORK = "workers"


@pytest.fixture
def swf(aws: Cloud) -> Any:
    return boto3.client("swf", region_name="us-east-1")


@pytest.fixture
def domain(swf: Any) -> str:
    swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="7")
    return DOMAIN


@pytest.fixture
def types(swf: Any, domain: str) -> None:
    swf.register_workflow_type(
        domain=domain,
        **WORKFLOW,
        defaultTaskList={"name": DECISIONS},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=domain,
        **ACTIVITY,
        defaultTaskList={"name": WORK},
        defaultTaskScheduleToStartTimeout="60",
        defaultTaskScheduleToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="300",
        defaultTaskHeartbeatTimeout="NONE",
    )


Starter = Callable[..., str]


@pytest.fixture
def start(swf: Any, types: None) -> Starter:
    """Start an execution of the registered workflow type; returns its runId."""

    def go(workflow_id: str = "order-1", **kwargs: Any) -> str:
        return str(
            swf.start_workflow_execution(domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW, **kwargs)[
                "runId"
            ]
        )

    return go


def decide(swf: Any, *decisions: dict[str, Any], task_list: str = DECISIONS, **kwargs: Any) -> dict[str, Any]:
    """Poll a decision task and answer it with these decisions; returns the task."""
    task: dict[str, Any] = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": task_list}, identity="decider-1")
    assert task.get("taskToken"), "no decision task came"
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=list(decisions), **kwargs)
    return task


def decision(kind: str, **attributes: Any) -> dict[str, Any]:
    """A decision of that type: decision("StartTimer", timerId="t", startToFireTimeout="10")."""
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attributes}


def schedule(activity_id: str = "charge-1", **attributes: Any) -> dict[str, Any]:
    return decision("ScheduleActivityTask", activityType=ACTIVITY, activityId=activity_id, **attributes)


def history(swf: Any, workflow_id: str, run_id: str) -> list[dict[str, Any]]:
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain=DOMAIN, execution={"workflowId": workflow_id, "runId": run_id}
    )
    return [event for page in pages for event in page["events"]]


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventType"] for e in events]


def attrs(event: dict[str, Any]) -> dict[str, Any]:
    """The attributes of an event, whatever its type."""
    return next(v for k, v in event.items() if k.endswith("EventAttributes"))


def last(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    return attrs([e for e in events if e["eventType"] == event_type][-1])
