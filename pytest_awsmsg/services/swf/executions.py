"""Workflow executions from the outside: start, visibility, signal, cancel, terminate, history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..base import RequestContext, operation
from . import checks
from .control import ControlOps
from .engine import event_dict
from .errors import (
    DefaultUndefinedFault,
    TypeDeprecatedFault,
    UnknownResourceFault,
    ValidationException,
    WorkflowExecutionAlreadyStartedFault,
    invalid,
    type_label,
)
from .models import DEPRECATED, Domain, Execution, TypeRecord

MAX_TAGS = 5
MAX_INPUT = 32_768
# A missing setting, the type default it falls back to, and the cause a decision fails with.
_DEFAULTS = (
    ("taskList", "defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED"),
    (
        "executionStartToCloseTimeout",
        "defaultExecutionStartToCloseTimeout",
        "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    ("taskStartToCloseTimeout", "defaultTaskStartToCloseTimeout", "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
    ("childPolicy", "defaultChildPolicy", "DEFAULT_CHILD_POLICY_UNDEFINED"),
)


def resolve_config(workflow_type: TypeRecord, given: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """An execution's settings: what was given, else the type's defaults.

    Returns the settings and, when a required one has neither, the cause SWF
    reports for it (``DEFAULT_TASK_LIST_UNDEFINED`` ...); the settings are
    then incomplete.
    """
    defaults = workflow_type.defaults
    config: dict[str, Any] = {}
    for member, default, cause in _DEFAULTS:
        value = given.get(member)
        if value is None:
            value = defaults.get(default)
        if value is None:
            return config, cause
        config[member] = value["name"] if member == "taskList" else value
    priority = given.get("taskPriority")
    config["taskPriority"] = priority if priority is not None else defaults.get("defaultTaskPriority")
    role = given.get("lambdaRole")
    config["lambdaRole"] = role if role is not None else defaults.get("defaultLambdaRole")
    return config, None


def check_start(given: dict[str, Any], prefix: str = "") -> None:
    """The settings a StartWorkflowExecution or a start decision may give."""
    checks.task_list(given.get("taskList"), prefix + "taskList")
    checks.priority(given.get("taskPriority"), prefix + "taskPriority")
    checks.duration(
        given.get("executionStartToCloseTimeout"),
        prefix + "executionStartToCloseTimeout",
        allow_none=False,
        maximum=checks.ONE_YEAR,
    )
    checks.duration(given.get("taskStartToCloseTimeout"), prefix + "taskStartToCloseTimeout")
    tags = given.get("tagList") or []
    if len(tags) > MAX_TAGS:
        raise invalid(tags, prefix + "tagList", f"Member must have length less than or equal to {MAX_TAGS}")
    for tag in tags:
        if len(tag) > 256:
            raise invalid(tag, prefix + "tagList.member", "Member must have length less than or equal to 256")
    text = given.get("input")
    if text is not None and len(text) > MAX_INPUT:
        raise invalid("...", prefix + "input", f"Member must have length less than or equal to {MAX_INPUT}")


def _in(window: dict[str, datetime] | None, when: float | None) -> bool:
    if window is None:
        return True
    if when is None:
        return False
    latest = window.get("latestDate")
    return when >= window["oldestDate"].timestamp() and (latest is None or when <= latest.timestamp())


class ExecutionOps(ControlOps):
    @operation
    def start_workflow_execution(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        workflow_id: str,
        workflow_type: dict[str, str],
        task_list: dict[str, str] | None = None,
        task_priority: str | None = None,
        input: str | None = None,
        execution_start_to_close_timeout: str | None = None,
        tag_list: list[str] | None = None,
        task_start_to_close_timeout: str | None = None,
        child_policy: str | None = None,
        lambda_role: str | None = None,
    ) -> dict[str, Any]:
        checks.name(workflow_id, "workflowId")
        given = {
            "taskList": task_list,
            "taskPriority": task_priority,
            "executionStartToCloseTimeout": execution_start_to_close_timeout,
            "taskStartToCloseTimeout": task_start_to_close_timeout,
            "childPolicy": child_policy,
            "lambdaRole": lambda_role,
            "tagList": tag_list,
            "input": input,
        }
        check_start(given)
        found = self.find_domain(ctx, domain, usable=True)
        record = self.find_type(found, "workflowType", workflow_type)
        label = type_label("WorkflowType", record.name, record.version)
        if record.status == DEPRECATED:
            raise TypeDeprecatedFault(label)
        config, missing = resolve_config(record, given)
        if missing is not None:
            member = next(m for m, _, cause in _DEFAULTS if cause == missing)
            raise DefaultUndefinedFault(f"No {member} was given and {label} has no default for it.")
        if found.open_execution(workflow_id) is not None:
            # Assumed wording: AWS documents the fault, not its message.
            raise WorkflowExecutionAlreadyStartedFault(f"Workflow execution already started: workflowId={workflow_id}")
        execution = self.start_run(found, workflow_id, record, config, input=input, tags=tag_list or [])
        return {"runId": execution.run_id}

    @operation
    def describe_workflow_execution(
        self, ctx: RequestContext, *, domain: str, execution: dict[str, str]
    ) -> dict[str, Any]:
        run = self.find_run(self.find_domain(ctx, domain), execution["workflowId"], execution["runId"])
        return {
            "executionInfo": run.info(),
            "executionConfiguration": run.configuration(),
            "openCounts": run.open_counts(),
            "latestActivityTaskTimestamp": run.latest_activity_at,
            "latestExecutionContext": run.latest_context,
        }

    @operation
    def get_workflow_execution_history(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        execution: dict[str, str],
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
    ) -> dict[str, Any]:
        run = self.find_run(self.find_domain(ctx, domain), execution["workflowId"], execution["runId"])
        events, token = checks.history_page(
            run.history.events, next_page_token, maximum_page_size, reverse_order, [domain, run.run_id], ctx.now
        )
        return {"events": [event_dict(e) for e in events], "nextPageToken": token}

    # -- visibility ----------------------------------------------------------------

    def _matching(
        self,
        domain: Domain,
        *,
        open_: bool,
        start: dict[str, datetime] | None,
        close: dict[str, datetime] | None,
        execution_filter: dict[str, str] | None,
        type_filter: dict[str, str] | None,
        tag_filter: dict[str, str] | None,
        close_status_filter: dict[str, str] | None,
    ) -> list[Execution]:
        chosen = [f for f in (execution_filter, type_filter, tag_filter, close_status_filter) if f is not None]
        if len(chosen) > 1:
            raise ValidationException(
                "executionFilter, typeFilter, tagFilter and closeStatusFilter are mutually exclusive: give at most one."
            )
        if not open_ and (start is None) == (close is None):
            raise ValidationException("Give exactly one of startTimeFilter and closeTimeFilter.")
        found = []
        for run in domain.executions:
            if run.open != open_ or not _in(start, run.started_at) or not _in(close, run.closed_at):
                continue
            if execution_filter is not None and run.workflow_id != execution_filter["workflowId"]:
                continue
            if type_filter is not None and (
                run.workflow_type.name != type_filter["name"]
                or type_filter.get("version") not in (None, run.workflow_type.version)
            ):
                continue
            if tag_filter is not None and tag_filter["tag"] not in run.tags:
                continue
            if close_status_filter is not None and run.close_status != close_status_filter["status"]:
                continue
            found.append(run)
        # Newest first by default (by close time when filtering on it).
        by_close = close is not None
        order = sorted(enumerate(found), key=lambda p: ((p[1].closed_at or 0.0) if by_close else p[1].started_at, p[0]))
        return [run for _, run in reversed(order)]

    @operation
    def list_open_workflow_executions(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        start_time_filter: dict[str, datetime],
        type_filter: dict[str, str] | None = None,
        tag_filter: dict[str, str] | None = None,
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
        execution_filter: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        runs = self._matching(
            self.find_domain(ctx, domain),
            open_=True,
            start=start_time_filter,
            close=None,
            execution_filter=execution_filter,
            type_filter=type_filter,
            tag_filter=tag_filter,
            close_status_filter=None,
        )
        query = [domain, "open", start_time_filter, type_filter, tag_filter, execution_filter]
        chunk, token = checks.paged(runs, next_page_token, maximum_page_size, reverse_order, query)
        return {"executionInfos": [r.info() for r in chunk], "nextPageToken": token}

    @operation
    def list_closed_workflow_executions(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        start_time_filter: dict[str, datetime] | None = None,
        close_time_filter: dict[str, datetime] | None = None,
        execution_filter: dict[str, str] | None = None,
        close_status_filter: dict[str, str] | None = None,
        type_filter: dict[str, str] | None = None,
        tag_filter: dict[str, str] | None = None,
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
    ) -> dict[str, Any]:
        runs = self._matching(
            self.find_domain(ctx, domain),
            open_=False,
            start=start_time_filter,
            close=close_time_filter,
            execution_filter=execution_filter,
            type_filter=type_filter,
            tag_filter=tag_filter,
            close_status_filter=close_status_filter,
        )
        query = [domain, "closed", start_time_filter, close_time_filter, execution_filter, close_status_filter]
        query += [type_filter, tag_filter]
        chunk, token = checks.paged(runs, next_page_token, maximum_page_size, reverse_order, query)
        return {"executionInfos": [r.info() for r in chunk], "nextPageToken": token}

    @operation
    def count_open_workflow_executions(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        start_time_filter: dict[str, datetime],
        type_filter: dict[str, str] | None = None,
        tag_filter: dict[str, str] | None = None,
        execution_filter: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        runs = self._matching(
            self.find_domain(ctx, domain),
            open_=True,
            start=start_time_filter,
            close=None,
            execution_filter=execution_filter,
            type_filter=type_filter,
            tag_filter=tag_filter,
            close_status_filter=None,
        )
        return {"count": len(runs), "truncated": False}

    @operation
    def count_closed_workflow_executions(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        start_time_filter: dict[str, datetime] | None = None,
        close_time_filter: dict[str, datetime] | None = None,
        execution_filter: dict[str, str] | None = None,
        type_filter: dict[str, str] | None = None,
        tag_filter: dict[str, str] | None = None,
        close_status_filter: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        runs = self._matching(
            self.find_domain(ctx, domain),
            open_=False,
            start=start_time_filter,
            close=close_time_filter,
            execution_filter=execution_filter,
            type_filter=type_filter,
            tag_filter=tag_filter,
            close_status_filter=close_status_filter,
        )
        return {"count": len(runs), "truncated": False}

    @operation
    def count_pending_decision_tasks(
        self, ctx: RequestContext, *, domain: str, task_list: dict[str, str]
    ) -> dict[str, Any]:
        found = self.find_domain(ctx, domain)
        count = sum(
            1
            for run in found.executions
            if run.open and run.scheduled_decision is not None and run.scheduled_decision.task_list == task_list["name"]
        )
        return {"count": count, "truncated": False}

    @operation
    def count_pending_activity_tasks(
        self, ctx: RequestContext, *, domain: str, task_list: dict[str, str]
    ) -> dict[str, Any]:
        found = self.find_domain(ctx, domain)
        return {"count": sum(1 for t in found.activity_queue if t.task_list == task_list["name"]), "truncated": False}

    # -- from the outside ------------------------------------------------------------

    def _open_run(self, ctx: RequestContext, domain: str, workflow_id: str, run_id: str | None) -> Execution:
        run = self.find_run(self.find_domain(ctx, domain), workflow_id, run_id)
        if not run.open:
            raise UnknownResourceFault(
                f"Unknown execution: WorkflowExecution=[workflowId={workflow_id}, runId={run.run_id}]"
            )
        return run

    @operation
    def signal_workflow_execution(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        workflow_id: str,
        signal_name: str,
        run_id: str | None = None,
        input: str | None = None,
    ) -> dict[str, Any]:
        checks.name(signal_name, "signalName")
        run = self._open_run(ctx, domain, workflow_id, run_id)
        self.record(run, "WorkflowExecutionSignaled", signalName=signal_name, input=input)
        return {}

    @operation
    def request_cancel_workflow_execution(
        self, ctx: RequestContext, *, domain: str, workflow_id: str, run_id: str | None = None
    ) -> dict[str, Any]:
        self.request_cancel(self._open_run(ctx, domain, workflow_id, run_id))
        return {}

    @operation
    def terminate_workflow_execution(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        workflow_id: str,
        run_id: str | None = None,
        reason: str | None = None,
        details: str | None = None,
        child_policy: str | None = None,
    ) -> dict[str, Any]:
        self.terminate(
            self._open_run(ctx, domain, workflow_id, run_id), reason=reason, details=details, child_policy=child_policy
        )
        return {}
