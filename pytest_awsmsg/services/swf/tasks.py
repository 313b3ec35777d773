"""Deciders and activity workers: long polls, responses, heartbeats.

A poll waits up to 60 seconds of virtual time for a task on its task list
(through the core's waiting primitive, so a poll on the test's thread moves
time and a worker thread's poll waits for the test). When nothing comes it
answers an empty task, as SWF does: no ``taskToken``, ``startedEventId`` 0.
"""

from __future__ import annotations

from typing import Any

from ..base import RequestContext, operation
from . import checks
from .decisions import DecisionOps
from .engine import POLL_SECONDS, event_dict
from .errors import UnknownResourceFault, invalid
from .models import ActivityTask, DecisionTask, Execution, SwfStore

_UNKNOWN_TASK = "Unknown task token: the task is closed, timed out, or was never handed out."


class TaskOps(DecisionOps):
    # -- deciders --------------------------------------------------------------------

    @operation
    def poll_for_decision_task(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        task_list: dict[str, str],
        identity: str | None = None,
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
        start_at_previous_started_event: bool | None = None,
    ) -> dict[str, Any]:
        checks.task_list(task_list, "taskList")
        checks.page_size(maximum_page_size)
        found = self.find_domain(ctx, domain, usable=True)
        store = self.ctx_store(ctx)
        if next_page_token:
            # The next page of a task already handed out: nothing new starts.
            held = store.decision_pages.get(next_page_token)
            if held is None:
                raise invalid(next_page_token, "nextPageToken", "Member must be a token returned by the same request")
            return self._decision_answer(
                store,
                held[0],
                held[1],
                next_page_token,
                maximum_page_size,
                reverse_order,
                start_at_previous_started_event,
            )
        name = task_list["name"]
        ctx.cloud.wait_for(lambda: self.next_decision(found, name) is not None, POLL_SECONDS)
        chosen = self.next_decision(found, name)
        if chosen is None:
            return {"startedEventId": 0, "previousStartedEventId": 0}
        task = self.start_decision(chosen, identity)
        return self._decision_answer(
            store, chosen, task, None, maximum_page_size, reverse_order, start_at_previous_started_event
        )

    def _decision_answer(
        self,
        store: SwfStore,
        execution: Execution,
        task: DecisionTask,
        token: str | None,
        size: int | None,
        reverse: bool | None,
        from_previous: bool | None,
    ) -> dict[str, Any]:
        events = execution.history.events[: task.started_event_id]
        if from_previous and execution.previous_started_event_id:
            events = events[execution.previous_started_event_id - 1 :]
        chunk, following = checks.history_page(
            events, token, size, reverse, [task.token, bool(from_previous)], self.now()
        )
        if following is not None:
            store.decision_pages[following] = (execution, task)
        return {
            "taskToken": task.token,
            "startedEventId": task.started_event_id,
            "workflowExecution": execution.ref,
            "workflowType": execution.workflow_type.ref,
            "events": [event_dict(e) for e in chunk],
            "nextPageToken": following,
            "previousStartedEventId": execution.previous_started_event_id,
        }

    # -- activity workers ------------------------------------------------------------

    @operation
    def poll_for_activity_task(
        self, ctx: RequestContext, *, domain: str, task_list: dict[str, str], identity: str | None = None
    ) -> dict[str, Any]:
        checks.task_list(task_list, "taskList")
        found = self.find_domain(ctx, domain, usable=True)
        name = task_list["name"]
        ctx.cloud.wait_for(lambda: self.next_activity(found, name) is not None, POLL_SECONDS)
        task = self.next_activity(found, name)
        if task is None:
            return {"startedEventId": 0}
        self.start_activity(task, identity)
        return {
            "taskToken": task.token,
            "activityId": task.activity_id,
            "startedEventId": task.started_event_id,
            "workflowExecution": task.execution.ref,
            "activityType": task.activity_type,
            "input": task.input,
        }

    def _activity(self, ctx: RequestContext, token: str) -> ActivityTask:
        ticket = self.ctx_store(ctx).tokens.find(token)
        task = ticket.payload if ticket is not None else None
        if not isinstance(task, ActivityTask) or task.execution.activities.get(task.activity_id) is not task:
            raise UnknownResourceFault(_UNKNOWN_TASK)
        return task

    @operation
    def record_activity_task_heartbeat(
        self, ctx: RequestContext, *, task_token: str, details: str | None = None
    ) -> dict[str, Any]:
        task = self._activity(ctx, task_token)
        if details is not None:
            task.details = details
        task.ticket.heartbeat()
        return {"cancelRequested": task.cancel_requested_event_id > 0}

    @operation
    def respond_activity_task_completed(
        self, ctx: RequestContext, *, task_token: str, result: str | None = None
    ) -> dict[str, Any]:
        task = self._activity(ctx, task_token)
        self.close_activity(
            task,
            "ActivityTaskCompleted",
            result=result,
            scheduledEventId=task.scheduled_event_id,
            startedEventId=task.started_event_id,
        )
        return {}

    @operation
    def respond_activity_task_failed(
        self, ctx: RequestContext, *, task_token: str, reason: str | None = None, details: str | None = None
    ) -> dict[str, Any]:
        task = self._activity(ctx, task_token)
        self.close_activity(
            task,
            "ActivityTaskFailed",
            reason=reason,
            details=details,
            scheduledEventId=task.scheduled_event_id,
            startedEventId=task.started_event_id,
        )
        return {}

    @operation
    def respond_activity_task_canceled(
        self, ctx: RequestContext, *, task_token: str, details: str | None = None
    ) -> dict[str, Any]:
        task = self._activity(ctx, task_token)
        self.close_activity(
            task,
            "ActivityTaskCanceled",
            details=details,
            scheduledEventId=task.scheduled_event_id,
            startedEventId=task.started_event_id,
            latestCancelRequestedEventId=task.cancel_requested_event_id or None,
        )
        return {}

    # -- decision responses ----------------------------------------------------------

    @operation
    def respond_decision_task_completed(
        self,
        ctx: RequestContext,
        *,
        task_token: str,
        decisions: list[dict[str, Any]] | None = None,
        execution_context: str | None = None,
        task_list: dict[str, str] | None = None,
        task_list_schedule_to_start_timeout: str | None = None,
    ) -> dict[str, Any]:
        ticket = self.ctx_store(ctx).tokens.find(task_token)
        task = ticket.payload if ticket is not None else None
        if not isinstance(task, DecisionTask) or task.execution.started_decision is not task:
            raise UnknownResourceFault(_UNKNOWN_TASK)
        execution = task.execution
        checks.task_list(task_list, "taskList")
        checks.duration(task_list_schedule_to_start_timeout, "taskListScheduleToStartTimeout")
        self.apply_decisions(
            execution, task, decisions or [], execution_context, task_list, task_list_schedule_to_start_timeout
        )
        return {}
