"""SWF's state: domains, types, executions with their histories and open tasks.

Plain classes, no botocore. Durations stay the strings SWF takes and returns
(``"300"`` or ``"NONE"``); :func:`seconds` turns one into a number of
seconds (``None`` for no limit) where a timer needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...core.clock import Timer
from ...core.histories import Event, History
from ...core.tasktokens import TaskTokens, TimedTask

REGISTERED = "REGISTERED"
DEPRECATED = "DEPRECATED"
OPEN = "OPEN"
CLOSED = "CLOSED"
NONE = "NONE"


def seconds(duration: str | None) -> float | None:
    """A duration string as seconds; ``None`` for ``NONE`` or absent."""
    if duration is None or duration == NONE:
        return None
    return float(duration)


@dataclass
class TypeRecord:
    """A registered workflow or activity type (``kind`` is ``workflowType`` or ``activityType``)."""

    kind: str
    name: str
    version: str
    description: str | None
    created: float
    defaults: dict[str, Any]  # configuration members, as DescribeXxxType returns them
    status: str = REGISTERED
    deprecated_at: float | None = None

    @property
    def ref(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version}

    def info(self) -> dict[str, Any]:
        return {
            self.kind: self.ref,
            "status": self.status,
            "description": self.description,
            "creationDate": self.created,
            "deprecationDate": self.deprecated_at,
        }


@dataclass
class Domain:
    name: str
    arn: str
    description: str | None
    retention: str  # days, or "NONE"
    status: str = REGISTERED
    tags: dict[str, str] = field(default_factory=dict)
    workflow_types: dict[tuple[str, str], TypeRecord] = field(default_factory=dict)
    activity_types: dict[tuple[str, str], TypeRecord] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)  # every run kept, in start order
    activity_queue: list[ActivityTask] = field(default_factory=list)  # scheduled, not yet started

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "description": self.description, "arn": self.arn}

    def open_execution(self, workflow_id: str) -> Execution | None:
        for execution in reversed(self.executions):
            if execution.workflow_id == workflow_id and execution.open:
                return execution
        return None


@dataclass
class DecisionTask:
    execution: Execution
    scheduled_event_id: int
    task_list: str
    priority: str | None
    start_to_close: str | None
    schedule_to_start: str | None
    scheduled_at: float
    seq: int
    started_event_id: int = 0
    # Its timers and, once started, its token (core/tasktokens.py); set by the engine.
    ticket: TimedTask[SwfTask] = field(init=False, repr=False)

    @property
    def token(self) -> str | None:
        return self.ticket.token


@dataclass
class ActivityTask:
    execution: Execution
    activity_id: str
    activity_type: dict[str, str]
    input: str | None
    control: str | None
    task_list: str
    priority: str | None
    schedule_to_start: str | None
    schedule_to_close: str | None
    start_to_close: str | None
    heartbeat: str | None
    scheduled_event_id: int
    scheduled_at: float
    seq: int
    started_event_id: int = 0
    identity: str | None = None
    cancel_requested_event_id: int = 0
    details: str | None = None  # the last heartbeat's
    # Its timers and, once started, its token (core/tasktokens.py); set by the engine.
    ticket: TimedTask[SwfTask] = field(init=False, repr=False)

    @property
    def token(self) -> str | None:
        return self.ticket.token

    @property
    def started(self) -> bool:
        return self.started_event_id > 0


@dataclass
class TimerRecord:
    timer_id: str
    started_event_id: int
    control: str | None
    timer: Timer


@dataclass
class LambdaRecord:
    function_id: str
    scheduled_event_id: int
    started_event_id: int = 0


@dataclass
class ChildRecord:
    """A child this execution started (by its initiated event), open or being started."""

    workflow_id: str
    workflow_type: dict[str, str]
    initiated_event_id: int
    started_event_id: int = 0
    run_id: str | None = None


@dataclass
class Execution:
    domain: Domain
    workflow_id: str
    run_id: str
    workflow_type: TypeRecord
    task_list: str
    task_priority: str | None
    execution_timeout: str
    task_timeout: str
    child_policy: str
    lambda_role: str | None
    input: str | None
    tags: list[str]
    started_at: float
    parent: Execution | None = None
    parent_initiated_event_id: int = 0
    status: str = OPEN
    close_status: str | None = None
    closed_at: float | None = None
    cancel_requested: bool = False
    history: History[Event] = field(default_factory=History)
    activities: dict[str, ActivityTask] = field(default_factory=dict)  # open, by activityId
    timers: dict[str, TimerRecord] = field(default_factory=dict)  # open, by timerId
    children: dict[str, ChildRecord] = field(default_factory=dict)  # open, by workflowId
    lambdas: dict[str, LambdaRecord] = field(default_factory=dict)  # open, by id
    # Scheduled by the decision task being applied; run once its decisions are recorded.
    lambdas_to_run: list[tuple[LambdaRecord, str, str | None]] = field(default_factory=list)
    scheduled_decision: DecisionTask | None = None
    started_decision: DecisionTask | None = None
    needs_decision: bool = False  # events arrived while a decision task was started
    deciding: bool = False  # RespondDecisionTaskCompleted is being applied
    decision_schedule_to_start: str | None = None  # RespondDecisionTaskCompleted's taskListScheduleToStartTimeout
    previous_started_event_id: int = 0
    latest_context: str | None = None
    latest_activity_at: float | None = None
    execution_timer: Timer | None = None

    @property
    def open(self) -> bool:
        return self.status == OPEN

    @property
    def ref(self) -> dict[str, str]:
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "execution": self.ref,
            "workflowType": self.workflow_type.ref,
            "startTimestamp": self.started_at,
            "executionStatus": self.status,
            "cancelRequested": self.cancel_requested,
        }
        if self.closed_at is not None:
            result["closeTimestamp"] = self.closed_at
            result["closeStatus"] = self.close_status
        if self.parent is not None:
            result["parent"] = self.parent.ref
        if self.tags:
            result["tagList"] = list(self.tags)
        return result

    def configuration(self) -> dict[str, Any]:
        return {
            "taskStartToCloseTimeout": self.task_timeout,
            "executionStartToCloseTimeout": self.execution_timeout,
            "taskList": {"name": self.task_list},
            "taskPriority": self.task_priority,
            "childPolicy": self.child_policy,
            "lambdaRole": self.lambda_role,
        }

    def open_counts(self) -> dict[str, int]:
        return {
            "openActivityTasks": len(self.activities),
            "openDecisionTasks": int(self.scheduled_decision is not None or self.started_decision is not None),
            "openTimers": len(self.timers),
            "openChildWorkflowExecutions": sum(1 for c in self.children.values() if c.run_id is not None),
            "openLambdaFunctions": len(self.lambdas),
        }


@dataclass
class SwfStore:
    tokens: TaskTokens[SwfTask]  # handed to started decision and activity tasks
    domains: dict[str, Domain] = field(default_factory=dict)
    decision_pages: dict[str, tuple[Execution, DecisionTask]] = field(default_factory=dict)  # nextPageToken ->


SwfTask = DecisionTask | ActivityTask
