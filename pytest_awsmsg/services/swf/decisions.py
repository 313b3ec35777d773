"""RespondDecisionTaskCompleted: every decision type, and how each one fails.

A decision SWF cannot carry out is never an error of the call: it records the
decision's ``...Failed`` event with SWF's cause (``ACTIVITY_TYPE_DOES_NOT_EXIST``,
``TIMER_ID_ALREADY_IN_USE`` ...), and that event schedules a new decision
task. A close decision made while events the decider has not seen arrived
fails with ``UNHANDLED_DECISION``. Only a malformed request (a decision
without its attributes, a duration that is not one) is refused as a
validation error, before anything is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore import xform_name

from . import checks
from .errors import ValidationException, invalid
from .executions import ExecutionOps, check_start, resolve_config
from .models import (
    DEPRECATED,
    ActivityTask,
    ChildRecord,
    DecisionTask,
    Execution,
    LambdaRecord,
    TimerRecord,
    seconds,
)

OPEN_LIMIT = 1000  # open activities, timers and children per execution
OPEN_LAMBDA_LIMIT = 50
LAMBDA_TIMEOUT = "300"  # SWF's default start-to-close timeout for a Lambda task
_ACTIVITY_DEFAULTS = (
    ("taskList", "defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED"),
    ("scheduleToCloseTimeout", "defaultTaskScheduleToCloseTimeout", "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"),
    ("scheduleToStartTimeout", "defaultTaskScheduleToStartTimeout", "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"),
    ("startToCloseTimeout", "defaultTaskStartToCloseTimeout", "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
    ("heartbeatTimeout", "defaultTaskHeartbeatTimeout", "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
)
_CLOSING = {
    "CompleteWorkflowExecution",
    "FailWorkflowExecution",
    "CancelWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
}


def attributes_key(decision_type: str) -> str:
    return decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"


class DecisionOps(ExecutionOps):
    def _check_decisions(self, decisions: list[dict[str, Any]]) -> None:
        """Refuse a malformed decision list before anything is recorded."""
        for index, decision in enumerate(decisions, 1):
            kind = decision["decisionType"]
            key = attributes_key(kind)
            where = f"decisions.{index}.member.{key}"
            attributes = decision.get(key)
            if attributes is None and kind not in _CLOSING:
                raise invalid("null", where, "Member must not be null")
            attributes = attributes or {}
            for member, value in attributes.items():
                if member.endswith("Timeout"):
                    checks.duration(value, f"{where}.{member}", allow_none=member != "startToFireTimeout")
                elif member == "taskPriority":
                    checks.priority(value, f"{where}.{member}")
                elif member in ("activityId", "timerId", "workflowId", "signalName", "markerName", "id"):
                    checks.name(value, f"{where}.{member}")
            if kind in ("StartChildWorkflowExecution", "ContinueAsNewWorkflowExecution"):
                check_start(attributes, where + ".")
            others = [k for k in decision if k.endswith("DecisionAttributes") and k != key]
            if others:
                raise ValidationException(
                    f"Decision {index} of type {kind} may only carry {key}, not {', '.join(sorted(others))}."
                )

    def apply_decisions(
        self,
        execution: Execution,
        task: DecisionTask,
        decisions: list[dict[str, Any]],
        context: str | None,
        task_list: dict[str, str] | None,
        schedule_to_start: str | None,
    ) -> None:
        self._check_decisions(decisions)
        self.end_decision(execution, task)
        completed = self.record(
            execution,
            "DecisionTaskCompleted",
            executionContext=context,
            scheduledEventId=task.scheduled_event_id,
            startedEventId=task.started_event_id,
            taskList=task_list,
            taskListScheduleToStartTimeout=schedule_to_start,
        )
        execution.previous_started_event_id = task.started_event_id
        if context is not None:
            execution.latest_context = context
        if task_list is not None:
            execution.task_list = task_list["name"]
        if schedule_to_start is not None:
            execution.decision_schedule_to_start = schedule_to_start
        unhandled = execution.needs_decision
        execution.deciding = True
        try:
            for decision in decisions:
                if not execution.open:
                    break  # a close decision ends the list
                kind = decision["decisionType"]
                handler: Callable[[Execution, dict[str, Any], int, bool], None] = getattr(
                    self, "_decide_" + xform_name(kind)
                )
                handler(execution, decision.get(attributes_key(kind)) or {}, completed.event_id, unhandled)
        finally:
            execution.deciding = False
        if execution.open and execution.needs_decision:
            execution.needs_decision = False
            if execution.scheduled_decision is None:
                self.schedule_decision(execution)
        while execution.lambdas_to_run:
            held, name, text = execution.lambdas_to_run.pop(0)
            self._run_lambda(execution, held, name, text)

    # -- activities ------------------------------------------------------------------

    def _decide_schedule_activity_task(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        ref = a["activityType"]
        record = execution.domain.activity_types.get((ref["name"], ref["version"]))
        cause = None
        if record is None:
            cause = "ACTIVITY_TYPE_DOES_NOT_EXIST"
        elif record.status == DEPRECATED:
            cause = "ACTIVITY_TYPE_DEPRECATED"
        elif a["activityId"] in execution.activities:
            cause = "ACTIVITY_ID_ALREADY_IN_USE"
        elif len(execution.activities) >= OPEN_LIMIT:
            cause = "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
        settings: dict[str, Any] = {}
        if cause is None and record is not None:
            for member, default, missing in _ACTIVITY_DEFAULTS:
                value = a.get(member, record.defaults.get(default))
                if value is None:
                    cause = missing
                    break
                settings[member] = value
        if cause is not None:
            self.record(
                execution,
                "ScheduleActivityTaskFailed",
                activityType=ref,
                activityId=a["activityId"],
                cause=cause,
                decisionTaskCompletedEventId=completed,
            )
            return
        assert record is not None
        priority = a.get("taskPriority", record.defaults.get("defaultTaskPriority"))
        event = self.record(
            execution,
            "ActivityTaskScheduled",
            activityType=ref,
            activityId=a["activityId"],
            input=a.get("input"),
            control=a.get("control"),
            scheduleToStartTimeout=settings["scheduleToStartTimeout"],
            scheduleToCloseTimeout=settings["scheduleToCloseTimeout"],
            startToCloseTimeout=settings["startToCloseTimeout"],
            taskList=settings["taskList"],
            taskPriority=priority,
            decisionTaskCompletedEventId=completed,
            heartbeatTimeout=settings["heartbeatTimeout"],
        )
        task = ActivityTask(
            execution=execution,
            activity_id=a["activityId"],
            activity_type=dict(ref),
            input=a.get("input"),
            control=a.get("control"),
            task_list=settings["taskList"]["name"],
            priority=priority,
            schedule_to_start=settings["scheduleToStartTimeout"],
            schedule_to_close=settings["scheduleToCloseTimeout"],
            start_to_close=settings["startToCloseTimeout"],
            heartbeat=settings["heartbeatTimeout"],
            scheduled_event_id=event.event_id,
            scheduled_at=self.now(),
            seq=next(self._seq),
        )
        execution.activities[task.activity_id] = task
        execution.domain.activity_queue.append(task)
        self.arm_activity(task)

    def _decide_request_cancel_activity_task(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        task = execution.activities.get(a["activityId"])
        if task is None:
            self.record(
                execution,
                "RequestCancelActivityTaskFailed",
                activityId=a["activityId"],
                cause="ACTIVITY_ID_UNKNOWN",
                decisionTaskCompletedEventId=completed,
            )
            return
        event = self.record(
            execution,
            "ActivityTaskCancelRequested",
            decisionTaskCompletedEventId=completed,
            activityId=task.activity_id,
        )
        task.cancel_requested_event_id = event.event_id
        if not task.started:
            # Not handed to a worker yet: SWF cancels it at once.
            self.close_activity(
                task,
                "ActivityTaskCanceled",
                scheduledEventId=task.scheduled_event_id,
                startedEventId=0,
                latestCancelRequestedEventId=event.event_id,
            )

    # -- closing the execution -------------------------------------------------------

    def _refused(self, execution: Execution, kind: str, completed: int, cause: str) -> None:
        self.record(execution, f"{kind}Failed", cause=cause, decisionTaskCompletedEventId=completed)

    def _decide_complete_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        if unhandled:
            return self._refused(execution, "CompleteWorkflowExecution", completed, "UNHANDLED_DECISION")
        self.close_run(
            execution,
            "WorkflowExecutionCompleted",
            "COMPLETED",
            result=a.get("result"),
            decisionTaskCompletedEventId=completed,
        )
        return None

    def _decide_fail_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        if unhandled:
            return self._refused(execution, "FailWorkflowExecution", completed, "UNHANDLED_DECISION")
        self.close_run(
            execution,
            "WorkflowExecutionFailed",
            "FAILED",
            reason=a.get("reason"),
            details=a.get("details"),
            decisionTaskCompletedEventId=completed,
        )
        return None

    def _decide_cancel_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        if unhandled:
            return self._refused(execution, "CancelWorkflowExecution", completed, "UNHANDLED_DECISION")
        self.close_run(
            execution,
            "WorkflowExecutionCanceled",
            "CANCELED",
            details=a.get("details"),
            decisionTaskCompletedEventId=completed,
        )
        return None

    def _decide_continue_as_new_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        kind = "ContinueAsNewWorkflowExecution"
        if unhandled:
            return self._refused(execution, kind, completed, "UNHANDLED_DECISION")
        version = a.get("workflowTypeVersion") or execution.workflow_type.version
        record = execution.domain.workflow_types.get((execution.workflow_type.name, version))
        if record is None:
            return self._refused(execution, kind, completed, "WORKFLOW_TYPE_DOES_NOT_EXIST")
        if record.status == DEPRECATED:
            return self._refused(execution, kind, completed, "WORKFLOW_TYPE_DEPRECATED")
        config, missing = resolve_config(record, a)
        if missing is not None:
            return self._refused(execution, kind, completed, missing)
        new_run = self.run_id()
        tags = a.get("tagList") or []
        self.close_run(
            execution,
            "WorkflowExecutionContinuedAsNew",
            "CONTINUED_AS_NEW",
            input=a.get("input"),
            decisionTaskCompletedEventId=completed,
            newExecutionRunId=new_run,
            executionStartToCloseTimeout=config["executionStartToCloseTimeout"],
            taskList={"name": config["taskList"]},
            taskPriority=config["taskPriority"],
            taskStartToCloseTimeout=config["taskStartToCloseTimeout"],
            childPolicy=config["childPolicy"],
            tagList=tags or None,
            workflowType=record.ref,
            lambdaRole=config["lambdaRole"],
        )
        successor = self.start_run(
            execution.domain,
            execution.workflow_id,
            record,
            config,
            input=a.get("input"),
            tags=tags,
            run_id=new_run,
            parent=execution.parent,
            parent_initiated_event_id=execution.parent_initiated_event_id,
            continued_from=execution.run_id,
        )
        parent = execution.parent
        if parent is not None and execution.workflow_id in parent.children:
            parent.children[execution.workflow_id].run_id = successor.run_id
        return None

    # -- markers and timers ----------------------------------------------------------

    def _decide_record_marker(self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool) -> None:
        self.record(
            execution,
            "MarkerRecorded",
            markerName=a["markerName"],
            details=a.get("details"),
            decisionTaskCompletedEventId=completed,
        )

    def _decide_start_timer(self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool) -> None:
        timer_id = a["timerId"]
        cause = None
        if timer_id in execution.timers:
            cause = "TIMER_ID_ALREADY_IN_USE"
        elif len(execution.timers) >= OPEN_LIMIT:
            cause = "OPEN_TIMERS_LIMIT_EXCEEDED"
        if cause is not None:
            self.record(
                execution, "StartTimerFailed", timerId=timer_id, cause=cause, decisionTaskCompletedEventId=completed
            )
            return
        event = self.record(
            execution,
            "TimerStarted",
            timerId=timer_id,
            control=a.get("control"),
            startToFireTimeout=a["startToFireTimeout"],
            decisionTaskCompletedEventId=completed,
        )

        def fire() -> None:
            held = execution.timers.get(timer_id)
            if held is None or held.started_event_id != event.event_id or not execution.open:
                return
            del execution.timers[timer_id]
            self.record(execution, "TimerFired", timerId=timer_id, startedEventId=event.event_id)

        delay = seconds(a["startToFireTimeout"]) or 0.0
        timer = self.cloud.clock.call_at(self.now() + delay, fire, f"swf timer {timer_id}")
        execution.timers[timer_id] = TimerRecord(timer_id, event.event_id, a.get("control"), timer)

    def _decide_cancel_timer(self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool) -> None:
        held = execution.timers.pop(a["timerId"], None)
        if held is None:
            self.record(
                execution,
                "CancelTimerFailed",
                timerId=a["timerId"],
                cause="TIMER_ID_UNKNOWN",
                decisionTaskCompletedEventId=completed,
            )
            return
        held.timer.cancel()
        self.record(
            execution,
            "TimerCanceled",
            timerId=held.timer_id,
            startedEventId=held.started_event_id,
            decisionTaskCompletedEventId=completed,
        )

    # -- other executions ------------------------------------------------------------

    def _target(self, execution: Execution, workflow_id: str, run_id: str | None) -> Execution | None:
        target = execution.domain.open_execution(workflow_id)
        if target is None or (run_id is not None and target.run_id != run_id):
            return None
        return target

    def _decide_signal_external_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        common = {"workflowId": a["workflowId"], "runId": a.get("runId"), "control": a.get("control")}
        initiated = self.record(
            execution,
            "SignalExternalWorkflowExecutionInitiated",
            signalName=a["signalName"],
            input=a.get("input"),
            decisionTaskCompletedEventId=completed,
            **common,
        )
        target = self._target(execution, a["workflowId"], a.get("runId"))
        if target is None:
            self.record(
                execution,
                "SignalExternalWorkflowExecutionFailed",
                cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
                initiatedEventId=initiated.event_id,
                decisionTaskCompletedEventId=completed,
                **common,
            )
            return
        self.record(
            target,
            "WorkflowExecutionSignaled",
            signalName=a["signalName"],
            input=a.get("input"),
            externalWorkflowExecution=execution.ref,
            externalInitiatedEventId=initiated.event_id,
        )
        self.record(
            execution,
            "ExternalWorkflowExecutionSignaled",
            workflowExecution=target.ref,
            initiatedEventId=initiated.event_id,
        )

    def _decide_request_cancel_external_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        common = {"workflowId": a["workflowId"], "runId": a.get("runId"), "control": a.get("control")}
        initiated = self.record(
            execution,
            "RequestCancelExternalWorkflowExecutionInitiated",
            decisionTaskCompletedEventId=completed,
            **common,
        )
        target = self._target(execution, a["workflowId"], a.get("runId"))
        if target is None:
            self.record(
                execution,
                "RequestCancelExternalWorkflowExecutionFailed",
                cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
                initiatedEventId=initiated.event_id,
                decisionTaskCompletedEventId=completed,
                **common,
            )
            return
        self.request_cancel(target, external=execution, external_initiated_event_id=initiated.event_id)
        self.record(
            execution,
            "ExternalWorkflowExecutionCancelRequested",
            workflowExecution=target.ref,
            initiatedEventId=initiated.event_id,
        )

    def _decide_start_child_workflow_execution(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        ref = a["workflowType"]
        domain = execution.domain
        record = domain.workflow_types.get((ref["name"], ref["version"]))
        cause = None
        config: dict[str, Any] = {}
        if record is None:
            cause = "WORKFLOW_TYPE_DOES_NOT_EXIST"
        elif record.status == DEPRECATED:
            cause = "WORKFLOW_TYPE_DEPRECATED"
        elif len(execution.children) >= OPEN_LIMIT:
            cause = "OPEN_CHILDREN_LIMIT_EXCEEDED"
        else:
            config, cause = resolve_config(record, a)
        failed = {
            "workflowType": ref,
            "workflowId": a["workflowId"],
            "decisionTaskCompletedEventId": completed,
            "control": a.get("control"),
        }
        if cause is not None:
            # Assumed: a decision refused before the child is initiated has no
            # StartChildWorkflowExecutionInitiated event to refer to (0).
            self.record(execution, "StartChildWorkflowExecutionFailed", cause=cause, initiatedEventId=0, **failed)
            return
        assert record is not None
        tags = a.get("tagList") or []
        initiated = self.record(
            execution,
            "StartChildWorkflowExecutionInitiated",
            workflowId=a["workflowId"],
            workflowType=ref,
            control=a.get("control"),
            input=a.get("input"),
            executionStartToCloseTimeout=config["executionStartToCloseTimeout"],
            taskList={"name": config["taskList"]},
            taskPriority=config["taskPriority"],
            decisionTaskCompletedEventId=completed,
            childPolicy=config["childPolicy"],
            taskStartToCloseTimeout=config["taskStartToCloseTimeout"],
            tagList=tags or None,
            lambdaRole=config["lambdaRole"],
        )
        if domain.open_execution(a["workflowId"]) is not None:
            self.record(
                execution,
                "StartChildWorkflowExecutionFailed",
                cause="WORKFLOW_ALREADY_RUNNING",
                initiatedEventId=initiated.event_id,
                **failed,
            )
            return
        child_ref = ChildRecord(a["workflowId"], dict(ref), initiated.event_id)
        execution.children[a["workflowId"]] = child_ref
        child = self.start_run(
            domain,
            a["workflowId"],
            record,
            config,
            input=a.get("input"),
            tags=tags,
            parent=execution,
            parent_initiated_event_id=initiated.event_id,
        )
        child_ref.run_id = child.run_id
        started = self.record(
            execution,
            "ChildWorkflowExecutionStarted",
            workflowExecution=child.ref,
            workflowType=record.ref,
            initiatedEventId=initiated.event_id,
        )
        child_ref.started_event_id = started.event_id

    # -- Lambda functions ------------------------------------------------------------

    def _decide_schedule_lambda_function(
        self, execution: Execution, a: dict[str, Any], completed: int, unhandled: bool
    ) -> None:
        function_id = a["id"]
        cause = None
        if function_id in execution.lambdas:
            cause = "ID_ALREADY_IN_USE"
        elif len(execution.lambdas) >= OPEN_LAMBDA_LIMIT:
            cause = "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED"
        if cause is not None:
            self.record(
                execution,
                "ScheduleLambdaFunctionFailed",
                id=function_id,
                name=a["name"],
                cause=cause,
                decisionTaskCompletedEventId=completed,
            )
            return
        timeout = a.get("startToCloseTimeout") or LAMBDA_TIMEOUT
        event = self.record(
            execution,
            "LambdaFunctionScheduled",
            id=function_id,
            name=a["name"],
            control=a.get("control"),
            input=a.get("input"),
            startToCloseTimeout=timeout,
            decisionTaskCompletedEventId=completed,
        )
        held = LambdaRecord(function_id, event.event_id)
        execution.lambdas[function_id] = held
        # SWF runs the function once the decision task's decisions are applied (see apply_decisions).
        execution.lambdas_to_run.append((held, a["name"], a.get("input")))

    def _run_lambda(self, execution: Execution, held: LambdaRecord, name: str, text: str | None) -> None:
        from ...core.lambdas import LambdaFunctionError, LambdaNotFound

        if not execution.open or execution.lambdas.get(held.function_id) is not held:
            return
        if not execution.lambda_role:
            # Assumed: without a Lambda role SWF cannot assume one to invoke the function.
            del execution.lambdas[held.function_id]
            self.record(
                execution,
                "StartLambdaFunctionFailed",
                scheduledEventId=held.scheduled_event_id,
                cause="ASSUME_ROLE_FAILED",
                message="The workflow execution has no lambdaRole: start it (or register its type) with one.",
            )
            return
        started = self.record(execution, "LambdaFunctionStarted", scheduledEventId=held.scheduled_event_id)
        held.started_event_id = started.event_id
        ids = {"scheduledEventId": held.scheduled_event_id, "startedEventId": started.event_id}
        try:
            event: Any = json.loads(text) if text else {}
        except ValueError:
            event = text
        began = self.now()
        try:
            result = self.cloud.lambdas.invoke(name, event, source="swf")
        except LambdaNotFound as missing:
            outcome: tuple[str, dict[str, Any]] = (
                "LambdaFunctionFailed",
                {"reason": "ResourceNotFoundException", "details": str(missing)},
            )
        except LambdaFunctionError as error:
            outcome = ("LambdaFunctionFailed", {"reason": error.error_type, "details": json.dumps(error.payload)})
        else:
            outcome = ("LambdaFunctionCompleted", {"result": None if result is None else json.dumps(result)})
        limit = seconds(execution.history[held.scheduled_event_id].get("startToCloseTimeout"))
        if limit is not None and self.now() - began >= limit:
            # The stand-in moved virtual time past the task's start-to-close timeout.
            outcome = ("LambdaFunctionTimedOut", {"timeoutType": "START_TO_CLOSE"})
        if not execution.open or execution.lambdas.get(held.function_id) is not held:
            return
        del execution.lambdas[held.function_id]
        self.record(execution, outcome[0], **ids, **outcome[1])
