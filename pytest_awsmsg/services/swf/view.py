"""What tests read of SWF: domains, executions, pending tasks, histories.

``aws.swf.execution("expense-1")`` is an :class:`ExecutionView`: its status,
history (``view.events("ActivityTaskCompleted")``), open tasks and timers,
with asserts that show the history's tail when they fail. Reading a view
changes nothing. ``aws.swf.run(...)`` drives a decider and workers on the
test's thread (see :mod:`.runner`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ...core.histories import Event
from ...core.views import NotFound, ServiceView
from .engine import SwfBase
from .models import Domain, Execution

TAIL = 12  # history events a failure message and the report show


@dataclass(frozen=True)
class HistoryEventView:
    """One history event: ``event.type``, ``event.id``, ``event["result"]``."""

    id: int
    type: str
    timestamp: datetime
    attributes: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.attributes[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={_short(v)}" for k, v in self.attributes.items())
        return f"{self.id:>4} {self.timestamp:%H:%M:%S} {self.type}({shown})"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _view(event: Event) -> HistoryEventView:
    return HistoryEventView(
        event.event_id,
        event.event_type,
        datetime.fromtimestamp(event.timestamp, tz=timezone.utc),
        dict(event.attributes),
    )


class ExecutionView:
    """One run of a workflow as a test sees it."""

    def __init__(self, execution: Execution) -> None:
        self._run = execution

    @property
    def workflow_id(self) -> str:
        return self._run.workflow_id

    @property
    def run_id(self) -> str:
        return self._run.run_id

    @property
    def domain(self) -> str:
        return self._run.domain.name

    @property
    def workflow_type(self) -> tuple[str, str]:
        return self._run.workflow_type.name, self._run.workflow_type.version

    @property
    def is_open(self) -> bool:
        return self._run.open

    @property
    def status(self) -> str:
        """``OPEN`` or the close status (``COMPLETED``, ``FAILED``, ``TIMED_OUT`` ...)."""
        return self._run.close_status or "OPEN"

    @property
    def input(self) -> str | None:
        return self._run.input

    @property
    def result(self) -> str | None:
        """The result of a completed run."""
        last = self._run.history.last
        return last.get("result") if last is not None and last.event_type == "WorkflowExecutionCompleted" else None

    @property
    def tags(self) -> list[str]:
        return list(self._run.tags)

    @property
    def cancel_requested(self) -> bool:
        return self._run.cancel_requested

    @property
    def history(self) -> list[HistoryEventView]:
        return [_view(e) for e in self._run.history.events]

    def events(self, *types: str) -> list[HistoryEventView]:
        """The events of these types (all events when none given), oldest first."""
        return [_view(e) for e in self._run.history.events if not types or e.event_type in types]

    @property
    def event_types(self) -> list[str]:
        return [e.event_type for e in self._run.history.events]

    @property
    def open_activities(self) -> dict[str, str]:
        """activityId -> ``scheduled`` or ``started``."""
        return {a: ("started" if t.started else "scheduled") for a, t in self._run.activities.items()}

    @property
    def open_timers(self) -> list[str]:
        return list(self._run.timers)

    @property
    def open_children(self) -> list[str]:
        return list(self._run.children)

    @property
    def decision_pending(self) -> bool:
        """A decision task is scheduled or started."""
        return self._run.scheduled_decision is not None or self._run.started_decision is not None

    def tail(self, count: int = TAIL) -> str:
        """The last ``count`` history events, one a line."""
        events = self._run.history.events[-count:]
        skipped = len(self._run.history) - len(events)
        lines = [f"     ... {skipped} earlier events"] if skipped else []
        return "\n".join(lines + [str(_view(e)) for e in events])

    def assert_status(self, status: str) -> None:
        """Fail with the history's tail unless the run's status is ``status``."""
        if self.status != status:
            raise AssertionError(f"{self!r} is {self.status}, not {status}. History:\n{self.tail()}")

    def assert_event(self, event_type: str, **attributes: Any) -> HistoryEventView:
        """The first event of that type whose attributes include these; fails with the tail."""
        for event in self.events(event_type):
            if all(event.get(k) == v for k, v in attributes.items()):
                return event
        wanted = ", ".join(f"{k}={v!r}" for k, v in attributes.items())
        raise AssertionError(f"{self!r} has no {event_type}({wanted}). History:\n{self.tail()}")

    def __repr__(self) -> str:
        return f"<ExecutionView {self.domain}/{self.workflow_id} run={self.run_id[:8]} {self.status}>"


class SwfView(ServiceView[SwfBase]):
    """Read-only access to SWF's state for tests: ``aws.swf``."""

    title = "SWF"

    def _domains(self, region: str | None, account_id: str | None) -> dict[str, Domain]:
        account, where = self._where(region, account_id)
        return self._service.store(account, where).domains

    def domain_names(self, *, region: str | None = None, account_id: str | None = None) -> list[str]:
        return sorted(self._domains(region, account_id))

    def executions(
        self,
        domain: str | None = None,
        *,
        open_only: bool = False,
        region: str | None = None,
        account_id: str | None = None,
    ) -> list[ExecutionView]:
        """Every kept run (of one domain, if named), in start order."""
        return [
            ExecutionView(run)
            for d in self._domains(region, account_id).values()
            if domain is None or d.name == domain
            for run in d.executions
            if run.open or not open_only
        ]

    def execution(
        self,
        workflow_id: str,
        *,
        run_id: str | None = None,
        domain: str | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> ExecutionView:
        """The run of ``workflow_id`` (the latest one unless ``run_id`` is given)."""
        runs = [
            v
            for v in self.executions(domain, region=region, account_id=account_id)
            if v.workflow_id == workflow_id and (run_id is None or v.run_id == run_id)
        ]
        if not runs:
            known = sorted({v.workflow_id for v in self.executions(domain, region=region, account_id=account_id)})
            account, where = self._where(region, account_id)
            raise NotFound(
                f"No SWF execution {workflow_id!r} in {account}/{where}; workflow ids there: {known or 'none'}"
            )
        return runs[-1]

    def pending_activity_tasks(
        self, domain: str, task_list: str | None = None, *, region: str | None = None, account_id: str | None = None
    ) -> list[tuple[str, str]]:
        """(workflowId, activityId) of activity tasks scheduled and not yet started."""
        found = self._domains(region, account_id)[domain]
        return [
            (t.execution.workflow_id, t.activity_id)
            for t in found.activity_queue
            if task_list is None or t.task_list == task_list
        ]

    def pending_decision_tasks(
        self, domain: str, task_list: str | None = None, *, region: str | None = None, account_id: str | None = None
    ) -> list[str]:
        """workflowIds with a scheduled (not yet started) decision task."""
        found = self._domains(region, account_id)[domain]
        return [
            run.workflow_id
            for run in found.executions
            if run.open
            and run.scheduled_decision is not None
            and (task_list is None or run.scheduled_decision.task_list == task_list)
        ]

    def run(
        self,
        domain: str,
        workflow_id: str,
        *,
        decider: Callable[[dict[str, Any]], list[dict[str, Any]]],
        workers: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None,
        region: str | None = None,
        max_seconds: float = 366 * 86400.0,
    ) -> ExecutionView:
        """Run the open execution to its close with a decider and workers, on this thread."""
        from .runner import run_workflow

        return run_workflow(
            self,
            self._service,
            domain,
            workflow_id,
            decider=decider,
            workers=workers or {},
            region=region or self._cloud.region,
            max_seconds=max_seconds,
        )


def report_sections(service: SwfBase) -> list[tuple[str, str]]:
    """The failed-test report's section: each open execution's history tail."""
    blocks = []
    for (account, region), store in sorted(service.stores().items()):
        for domain in store.domains.values():
            for run in domain.executions:
                if run.open:
                    view = ExecutionView(run)
                    blocks.append(f"{account}/{region} {view!r}\n{view.tail()}")
    return [("aws swf open executions", "\n\n".join(blocks))] if blocks else []
