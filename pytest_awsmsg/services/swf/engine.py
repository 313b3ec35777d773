"""How an SWF execution moves: events, decision tasks, activity tasks, timeouts, closing.

Every change to an execution goes through :meth:`SwfBase.record`, which
appends the history event and, for the events a decider must see, schedules
the next decision task the way SWF does: at most one scheduled and one
started decision task per execution; an event that arrives while a decision
task is started waits for that task to close. Every timeout is a timer on the
cloud's clock, so it fires as virtual time passes, records its event and
schedules the decision task that follows.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from typing import Any

from ...core.clock import Timer
from ...core.histories import Event
from ...core.tasktokens import TaskTokens
from ..base import RequestContext, Service
from .errors import UnknownResourceFault
from .models import (
    CLOSED,
    DEPRECATED,
    ActivityTask,
    DecisionTask,
    Domain,
    Execution,
    SwfStore,
    SwfTask,
    TypeRecord,
    seconds,
)

# Events that give a decider something to decide: recording one schedules a
# decision task (or marks one as needed while a decision task is started).
TRIGGERS = frozenset(
    {
        "WorkflowExecutionCancelRequested",
        "WorkflowExecutionSignaled",
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
        "ScheduleActivityTaskFailed",
        "RequestCancelActivityTaskFailed",
        "RecordMarkerFailed",
        "TimerFired",
        "StartTimerFailed",
        "CancelTimerFailed",
        "CompleteWorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        "CancelWorkflowExecutionFailed",
        "ContinueAsNewWorkflowExecutionFailed",
        "StartChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "SignalExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionSignaled",
        "RequestCancelExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionCancelRequested",
        "LambdaFunctionCompleted",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "ScheduleLambdaFunctionFailed",
        "StartLambdaFunctionFailed",
    }
)

# How a child's close is reported to its parent.
_CHILD_EVENTS = {
    "COMPLETED": ("ChildWorkflowExecutionCompleted", ("result",)),
    "FAILED": ("ChildWorkflowExecutionFailed", ("reason", "details")),
    "CANCELED": ("ChildWorkflowExecutionCanceled", ("details",)),
    "TERMINATED": ("ChildWorkflowExecutionTerminated", ()),
    "TIMED_OUT": ("ChildWorkflowExecutionTimedOut", ("timeoutType",)),
}
POLL_SECONDS = 60.0  # how long SWF holds a poll open when nothing comes
# SWF's limit on a run's history: reaching it terminates the run (cause EVENT_LIMIT_EXCEEDED).
MAX_EVENTS = 25_000


def event_dict(event: Event) -> dict[str, Any]:
    """A history event as the API returns it."""
    key = event.event_type[0].lower() + event.event_type[1:] + "EventAttributes"
    return {
        "eventTimestamp": event.timestamp,
        "eventType": event.event_type,
        "eventId": event.event_id,
        key: event.attributes,
    }


def prune(value: Any) -> Any:
    """A result without its ``None`` members, at every depth."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


class SwfBase(Service[SwfStore]):
    """State handling shared by the operation mixins."""

    name = "swf"
    # SWF names a domain ``domain`` (a task list, ``taskList.name``, is found as a nested name).
    resource_members = frozenset({"domain"})

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self._seq = itertools.count()

    def new_store(self, account_id: str, region: str) -> SwfStore:
        return SwfStore(TaskTokens(self.cloud.clock, self._new_token))

    def dispatch(self, ctx: RequestContext, operation: Any, params: dict[str, Any]) -> dict[str, Any]:
        # Results are built from records whose optional members may be None: AWS leaves those out.
        result: dict[str, Any] = prune(super().dispatch(ctx, operation, params))
        return result

    # -- lookups -------------------------------------------------------------------

    def find_domain(self, ctx: RequestContext, name: str, *, usable: bool = False) -> Domain:
        """The domain by name; ``usable`` refuses a deprecated one (nothing new may start there)."""
        found = self.ctx_store(ctx).domains.get(name)
        # Assumed: SWF answers a deprecated domain as unknown for what it no
        # longer allows (the operations' modelled errors have no other fault).
        if found is None or (usable and found.status == DEPRECATED):
            raise UnknownResourceFault(f"Unknown domain: {name}")
        return found

    def find_run(self, domain: Domain, workflow_id: str, run_id: str | None = None) -> Execution:
        """The run named (or the open run of ``workflow_id``)."""
        if run_id is None:
            found = domain.open_execution(workflow_id)
        else:
            found = next((e for e in domain.executions if e.workflow_id == workflow_id and e.run_id == run_id), None)
        if found is None:
            shown = f"workflowId={workflow_id}" + (f", runId={run_id}" if run_id else "")
            raise UnknownResourceFault(f"Unknown execution: WorkflowExecution=[{shown}]")
        return found

    def store_of(self, execution: Execution) -> SwfStore:
        account, region = execution.domain.arn.split(":")[4], execution.domain.arn.split(":")[3]
        return self.store(account, region)

    # -- ids -----------------------------------------------------------------------

    def run_id(self) -> str:
        """A run id shaped like SWF's: 44 characters of base64."""
        return base64.b64encode(self.cloud.ids.token_bytes(33)).decode()

    def _new_token(self) -> str:
        return "AAAAKgAAAAIAAAAAAAAAA" + base64.b64encode(self.cloud.ids.token_bytes(96)).decode()

    def new_ticket(self, execution: Execution, task: SwfTask) -> None:
        """Give a new task its timers and (once started) token, kept in its account and region."""
        task.ticket = self.store_of(execution).tokens.task(task)

    def retire(self, execution: Execution, task: SwfTask, outcome: str) -> None:
        """Close a task: its timers cancelled, its token no longer answered."""
        task.ticket.close(outcome)
        store = self.store_of(execution)
        if task.token is not None and store.decision_pages:  # the history pages of a closed decision task go too
            store.decision_pages = {k: v for k, v in store.decision_pages.items() if v[1] is not task}

    # -- recording -----------------------------------------------------------------

    def now(self) -> float:
        return self.cloud.clock.now()

    def record(self, execution: Execution, event_type: str, **attributes: Any) -> Event:
        event = execution.history.append(event_type, self.now(), attributes)
        if execution.open and len(execution.history) >= MAX_EVENTS - 1 and event_type != "WorkflowExecutionTerminated":
            self.terminate(execution, cause="EVENT_LIMIT_EXCEEDED")  # its event is the last one allowed
        elif event_type in TRIGGERS and execution.open:
            self.want_decision(execution)
        return event

    def want_decision(self, execution: Execution) -> None:
        if execution.deciding or execution.started_decision is not None:
            execution.needs_decision = True
        elif execution.scheduled_decision is None:
            self.schedule_decision(execution)

    def at(self, delay: str | None, callback: Callable[[], None], label: str) -> Timer | None:
        """A timer ``delay`` (a duration string) from now; none for ``NONE``."""
        wait = seconds(delay)
        if wait is None:
            return None
        return self.cloud.clock.call_at(self.now() + wait, callback, label)

    @staticmethod
    def arm(
        task: SwfTask, kind: str, delay: str | None, on_expiry: Callable[[str], None], label: str, **how: bool
    ) -> None:
        """Start a task's ``kind`` timeout timer (cancelled when the task closes); none for ``NONE``."""
        task.ticket.arm(kind, seconds(delay), on_expiry, label, **how)

    # -- decision tasks ------------------------------------------------------------

    def schedule_decision(self, execution: Execution) -> DecisionTask:
        event = self.record(
            execution,
            "DecisionTaskScheduled",
            taskList={"name": execution.task_list},
            taskPriority=execution.task_priority,
            startToCloseTimeout=execution.task_timeout,
            scheduleToStartTimeout=execution.decision_schedule_to_start,
        )
        task = DecisionTask(
            execution,
            event.event_id,
            execution.task_list,
            execution.task_priority,
            execution.task_timeout,
            execution.decision_schedule_to_start,
            self.now(),
            next(self._seq),
        )
        execution.scheduled_decision = task
        self.new_ticket(execution, task)
        self.arm(
            task,
            "SCHEDULE_TO_START",
            task.schedule_to_start,
            lambda kind: self._decision_timed_out(execution, task, kind),
            f"swf decision schedule-to-start {execution.workflow_id}",
        )
        return task

    def start_decision(self, execution: Execution, identity: str | None) -> DecisionTask:
        task = execution.scheduled_decision
        assert task is not None
        execution.scheduled_decision = None
        task.ticket.disarm("SCHEDULE_TO_START")
        event = self.record(
            execution, "DecisionTaskStarted", identity=identity, scheduledEventId=task.scheduled_event_id
        )
        task.started_event_id = event.event_id
        self.store_of(execution).tokens.hand_out(task.ticket)
        execution.started_decision = task
        self.arm(
            task,
            "START_TO_CLOSE",
            task.start_to_close,
            lambda kind: self._decision_timed_out(execution, task, kind),
            f"swf decision start-to-close {execution.workflow_id}",
        )
        return task

    def end_decision(self, execution: Execution, task: DecisionTask) -> None:
        execution.started_decision = None
        self.retire(execution, task, "COMPLETED")

    def _decision_timed_out(self, execution: Execution, task: DecisionTask, kind: str) -> None:
        if not execution.open:
            return
        if kind == "SCHEDULE_TO_START":
            if execution.scheduled_decision is not task:
                return
            execution.scheduled_decision = None
        else:
            if execution.started_decision is not task:
                return
            self.end_decision(execution, task)
        self.record(
            execution,
            "DecisionTaskTimedOut",
            timeoutType=kind,
            scheduledEventId=task.scheduled_event_id,
            startedEventId=task.started_event_id,
        )
        execution.needs_decision = False
        if execution.scheduled_decision is None:
            self.schedule_decision(execution)  # SWF gives the decider another chance

    def next_decision(self, domain: Domain, task_list: str) -> Execution | None:
        """The open execution whose scheduled decision task a poller on ``task_list`` gets next."""
        best: tuple[int, int] | None = None
        chosen = None
        for execution in domain.executions:
            task = execution.scheduled_decision
            if task is None or not execution.open or task.task_list != task_list:
                continue
            rank = (-int(task.priority or 0), task.seq)
            if best is None or rank < best:
                best, chosen = rank, execution
        return chosen

    # -- activity tasks ------------------------------------------------------------

    def next_activity(self, domain: Domain, task_list: str) -> ActivityTask | None:
        candidates = [t for t in domain.activity_queue if t.task_list == task_list]
        if not candidates:
            return None
        return min(candidates, key=lambda t: (-int(t.priority or 0), t.seq))

    def arm_activity(self, task: ActivityTask) -> None:
        """The timers of a scheduled activity task."""
        self.new_ticket(task.execution, task)
        label = f"swf activity {task.activity_id}"
        for kind, delay in (
            ("SCHEDULE_TO_START", task.schedule_to_start),
            ("SCHEDULE_TO_CLOSE", task.schedule_to_close),
        ):
            self.arm(task, kind, delay, self._activity_timeout(task), f"{label} {kind.lower()}")

    def start_activity(self, task: ActivityTask, identity: str | None) -> None:
        execution = task.execution
        execution.domain.activity_queue.remove(task)
        task.ticket.disarm("SCHEDULE_TO_START")
        event = self.record(
            execution, "ActivityTaskStarted", identity=identity, scheduledEventId=task.scheduled_event_id
        )
        task.started_event_id = event.event_id
        task.identity = identity
        execution.latest_activity_at = self.now()
        self.store_of(execution).tokens.hand_out(task.ticket)
        self.arm(
            task, "START_TO_CLOSE", task.start_to_close, self._activity_timeout(task), "swf activity start_to_close"
        )
        self.arm(task, "HEARTBEAT", task.heartbeat, self._activity_timeout(task), "swf heartbeat", heartbeat=True)

    def _activity_timeout(self, task: ActivityTask) -> Callable[[str], None]:
        def fire(kind: str) -> None:
            if task.execution.activities.get(task.activity_id) is not task or not task.execution.open:
                return
            self.close_activity(
                task,
                "ActivityTaskTimedOut",
                timeoutType=kind,
                scheduledEventId=task.scheduled_event_id,
                startedEventId=task.started_event_id,
                details=task.details,
            )

        return fire

    def forget_activity(self, task: ActivityTask) -> None:
        execution = task.execution
        execution.activities.pop(task.activity_id, None)
        if task in execution.domain.activity_queue:
            execution.domain.activity_queue.remove(task)
        self.retire(execution, task, "CLOSED")

    def close_activity(self, task: ActivityTask, event_type: str, **attributes: Any) -> Event:
        self.forget_activity(task)
        return self.record(task.execution, event_type, **attributes)

    # -- executions ----------------------------------------------------------------

    def start_run(
        self,
        domain: Domain,
        workflow_id: str,
        workflow_type: TypeRecord,
        config: dict[str, Any],
        *,
        input: str | None,
        tags: list[str],
        run_id: str | None = None,
        parent: Execution | None = None,
        parent_initiated_event_id: int = 0,
        continued_from: str | None = None,
    ) -> Execution:
        """Start a run: its WorkflowExecutionStarted, first decision task and execution timeout."""
        execution = Execution(
            domain=domain,
            workflow_id=workflow_id,
            run_id=run_id or self.run_id(),
            workflow_type=workflow_type,
            task_list=config["taskList"],
            task_priority=config.get("taskPriority"),
            execution_timeout=config["executionStartToCloseTimeout"],
            task_timeout=config["taskStartToCloseTimeout"],
            child_policy=config["childPolicy"],
            lambda_role=config.get("lambdaRole"),
            input=input,
            tags=list(tags),
            started_at=self.now(),
            parent=parent,
            parent_initiated_event_id=parent_initiated_event_id,
        )
        domain.executions.append(execution)
        self.record(
            execution,
            "WorkflowExecutionStarted",
            input=input,
            executionStartToCloseTimeout=execution.execution_timeout,
            taskStartToCloseTimeout=execution.task_timeout,
            childPolicy=execution.child_policy,
            taskList={"name": execution.task_list},
            taskPriority=execution.task_priority,
            workflowType=workflow_type.ref,
            tagList=list(tags) or None,
            continuedExecutionRunId=continued_from,
            parentWorkflowExecution=parent.ref if parent is not None else None,
            parentInitiatedEventId=parent_initiated_event_id if parent is not None else None,
            lambdaRole=execution.lambda_role,
        )
        self.schedule_decision(execution)
        execution.execution_timer = self.at(
            execution.execution_timeout, lambda: self._execution_timed_out(execution), f"swf execution {workflow_id}"
        )
        return execution

    def _execution_timed_out(self, execution: Execution) -> None:
        if execution.open:
            self.close_run(
                execution,
                "WorkflowExecutionTimedOut",
                "TIMED_OUT",
                timeoutType="START_TO_CLOSE",
                childPolicy=execution.child_policy,
            )

    def close_run(self, execution: Execution, event_type: str, close_status: str, **attributes: Any) -> Event:
        """Close a run: its close event, every open task and timer dropped, children and parent told."""
        event = self.record(execution, event_type, **attributes)
        execution.status = CLOSED
        execution.close_status = close_status
        execution.closed_at = self.now()
        if execution.execution_timer is not None:
            execution.execution_timer.cancel()
        for decision in (execution.scheduled_decision, execution.started_decision):
            if decision is not None:
                self.retire(execution, decision, "CLOSED")
        execution.scheduled_decision = execution.started_decision = None
        for task in list(execution.activities.values()):
            self.forget_activity(task)
        for timer in execution.timers.values():
            timer.timer.cancel()
        execution.timers.clear()
        execution.lambdas.clear()
        self._apply_child_policy(execution)
        self._tell_parent(execution, close_status, attributes)
        self._retain(execution)
        return event

    def _apply_child_policy(self, execution: Execution) -> None:
        policy = execution.child_policy
        for child_ref in list(execution.children.values()):
            if child_ref.run_id is None:
                continue
            child = next(
                (e for e in execution.domain.executions if e.run_id == child_ref.run_id and e.open),
                None,
            )
            if child is None:
                continue
            if policy == "TERMINATE":
                self.terminate(child, cause="CHILD_POLICY_APPLIED")
            elif policy == "REQUEST_CANCEL":
                self.request_cancel(child, cause="CHILD_POLICY_APPLIED")
        execution.children.clear()

    def _tell_parent(self, execution: Execution, close_status: str, attributes: dict[str, Any]) -> None:
        parent = execution.parent
        if parent is None or not parent.open or close_status == "CONTINUED_AS_NEW":
            return
        child_ref = parent.children.pop(execution.workflow_id, None)
        if child_ref is None:
            return
        event_type, carried = _CHILD_EVENTS[close_status]
        self.record(
            parent,
            event_type,
            workflowExecution=execution.ref,
            workflowType=execution.workflow_type.ref,
            initiatedEventId=child_ref.initiated_event_id,
            startedEventId=child_ref.started_event_id,
            **{key: attributes.get(key) for key in carried},
        )

    def _retain(self, execution: Execution) -> None:
        """Forget a closed run once its domain's retention period has passed."""
        retention = execution.domain.retention
        days = 0.0 if retention == "NONE" else float(retention)

        def forget() -> None:
            if execution in execution.domain.executions:
                execution.domain.executions.remove(execution)

        # Assumed: a retention of 0 (or NONE) still lets the closing call's
        # caller see the run until the next moment of virtual time.
        self.cloud.clock.call_at(self.now() + days * 86400, forget, f"swf retention {execution.workflow_id}")

    def terminate(
        self,
        execution: Execution,
        *,
        reason: str | None = None,
        details: str | None = None,
        child_policy: str | None = None,
        cause: str | None = None,
    ) -> None:
        if child_policy is not None:
            execution.child_policy = child_policy
        self.close_run(
            execution,
            "WorkflowExecutionTerminated",
            "TERMINATED",
            reason=reason,
            details=details,
            childPolicy=execution.child_policy,
            cause=cause,
        )

    def request_cancel(
        self,
        execution: Execution,
        *,
        external: Execution | None = None,
        external_initiated_event_id: int | None = None,
        cause: str | None = None,
    ) -> None:
        execution.cancel_requested = True
        self.record(
            execution,
            "WorkflowExecutionCancelRequested",
            externalWorkflowExecution=external.ref if external is not None else None,
            externalInitiatedEventId=external_initiated_event_id,
            cause=cause,
        )
