"""State: state machines, versions, aliases, activities, executions, map runs.

Plain classes, no botocore. An :class:`Execution` owns its history (the events
GetExecutionHistory returns) and the path it took (what tests assert on).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...core.histories import History
from ...core.tasktokens import TimedTask

_UNSET: Any = object()


def dumps(value: Any) -> str:
    """JSON as Step Functions writes it: compact, unicode kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Version:
    arn: str
    number: int
    definition: str
    role_arn: str
    revision_id: str
    description: str | None
    creation_date: datetime


@dataclass
class Alias:
    arn: str
    name: str
    description: str | None
    routing: list[dict[str, Any]]
    creation_date: datetime
    update_date: datetime | None = None


@dataclass
class StateMachine:
    arn: str
    name: str
    definition: str
    role_arn: str
    type: str
    creation_date: datetime
    revision_id: str
    logging: dict[str, Any] = field(default_factory=dict)
    tracing: dict[str, Any] = field(default_factory=dict)
    encryption: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    versions: dict[int, Version] = field(default_factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = field(default_factory=dict)
    description: str | None = None
    update_date: datetime | None = None
    created_revision: str = field(init=False)

    def __post_init__(self) -> None:
        self.created_revision = self.revision_id

    def shown_revision(self, revision_id: str) -> dict[str, str]:
        """``revisionId`` as Describe* shows it: AWS reports one only once an update made a new revision."""
        return {} if revision_id == self.created_revision else {"revisionId": revision_id}


@dataclass
class HistoryEvent:
    id: int
    previous: int
    timestamp: datetime
    type: str
    details: dict[str, Any]

    def as_dict(self, include_data: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"timestamp": self.timestamp, "type": self.type, "id": self.id}
        out["previousEventId"] = self.previous
        for key, value in self.details.items():
            if not include_data and isinstance(value, dict):
                value = {
                    k: v for k, v in value.items() if k not in ("input", "output", "inputDetails", "outputDetails")
                }
            out[key] = value
        return out


@dataclass
class Step:
    """One state an execution went through (the Python view; not an AWS shape)."""

    state: str
    type: str
    input: Any
    output: Any = None
    error: str | None = None
    cause: str | None = None
    branch: str = ""  # "" for the top level, else e.g. "Fanout[2]" or "Both/0"
    retries: int = 0  # attempts a retrier ran again (the diagram shows them; not in as_dict)
    children: list[Execution] = field(default_factory=list)  # a distributed Map's child executions

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state, "input": self.input, "output": self.output}
        if self.error is not None:
            out["error"] = self.error
            out["cause"] = self.cause
        if self.branch:
            out["branch"] = self.branch
        return out


@dataclass
class Execution:
    arn: str
    name: str
    machine: StateMachine
    definition: dict[str, Any]
    role_arn: str
    type: str
    input: str
    start_date: datetime
    region: str
    account_id: str
    status: str = "RUNNING"
    stop_date: datetime | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    trace_header: str | None = None
    version_arn: str | None = None
    alias_arn: str | None = None
    map_run_arn: str | None = None
    redrive_count: int = 0
    redrive_date: datetime | None = None
    history: History[HistoryEvent] = field(default_factory=History)  # GetExecutionHistory's events
    steps: list[Step] = field(default_factory=list)
    on_close: list[Callable[[Execution], None]] = field(default_factory=list)
    # Where a failed execution can be redriven from: (state name, its input).
    failed_at: tuple[str, Any] | None = None
    generation: int = 0  # bumps on stop/redrive so stale callbacks do nothing
    root: Any = None  # the interpreter's top-level thread
    # Results of the Map iterations that succeeded, by Map (thread label + state
    # name), kept while the Map has not finished: a redrive reruns only the others.
    map_results: dict[str, dict[int, Any]] = field(default_factory=dict)
    redrive_map_results: dict[str, dict[int, Any]] = field(default_factory=dict)
    definition_text: str = ""  # the definition as given (the version's, for versioned starts)
    # Extra runs of this execution that aws.stepfunctions.quirks made (at-least-once Express).
    duplicates: list[Execution] = field(default_factory=list)
    # The mock configuration's test case it was started with (``arn#TestCase``): a mock_config.TestCaseRun.
    test_case: Any = None
    _parsed_input: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._parsed_input = _UNSET

    @property
    def events(self) -> list[HistoryEvent]:
        return self.history.events

    def add_event(self, type_: str, previous: int, timestamp: datetime, **details: Any) -> int:
        return self.history.record(lambda event_id: HistoryEvent(event_id, previous, timestamp, type_, details)).id

    def parsed_input(self) -> Any:
        """The input as JSON (parsed once: the context object reads it in every state)."""
        if self._parsed_input is _UNSET:
            self._parsed_input = json.loads(self.input)
        return self._parsed_input

    @property
    def closed(self) -> bool:
        return self.status != "RUNNING"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine.arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
            "input": self.input,
            "inputDetails": {"included": True},
            "redriveCount": self.redrive_count,
        }
        for key, value in (
            ("stopDate", self.stop_date),
            ("traceHeader", self.trace_header),
            ("mapRunArn", self.map_run_arn),
            # A timed-out execution names States.Timeout only in its history, as AWS does.
            ("error", None if self.status == "TIMED_OUT" else self.error),
            ("cause", None if self.status == "TIMED_OUT" else self.cause),
            ("stateMachineVersionArn", self.version_arn),
            ("stateMachineAliasArn", self.alias_arn),
            ("redriveDate", self.redrive_date),
        ):
            if value is not None:
                out[key] = value
        if self.output is not None:
            out["output"] = self.output
            out["outputDetails"] = {"included": True}
        if self.map_run_arn is not None and self.type == "STANDARD":
            # A Map Run's child is redriven with its parent, through the Map Run.
            failed = self.status in ("FAILED", "TIMED_OUT", "ABORTED")
            out["redriveStatus"] = "REDRIVABLE_BY_MAP_RUN" if failed else "NOT_REDRIVABLE"
        elif self.type == "STANDARD":
            redrivable = self.status in ("FAILED", "TIMED_OUT", "ABORTED") and self.failed_at is not None
            out["redriveStatus"] = "REDRIVABLE" if redrivable else "NOT_REDRIVABLE"
            if not redrivable:
                out["redriveStatusReason"] = (
                    f"Execution is {self.status} and cannot be redriven"
                    if self.status in ("RUNNING", "SUCCEEDED")
                    else "Execution has no state to redrive from"
                )
        return out

    def list_item(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine.arn,
            "name": self.name,
            "status": self.status,
            "startDate": self.start_date,
        }
        for key, value in (
            ("stopDate", self.stop_date),
            ("mapRunArn", self.map_run_arn),
            ("stateMachineVersionArn", self.version_arn),
            ("stateMachineAliasArn", self.alias_arn),
            ("redriveDate", self.redrive_date),
        ):
            if value is not None:
                out[key] = value
        if self.type == "STANDARD":
            out["redriveCount"] = self.redrive_count
        return out


@dataclass
class PendingTask:
    """A task waiting for SendTaskSuccess/Failure: a callback or an activity task."""

    token: str
    execution: Execution
    state: str
    input: str
    succeed: Callable[[Any], None]
    fail: Callable[[str, str], None]
    heartbeat: Callable[[], None]
    activity_arn: str | None = None
    started: Callable[[str], None] | None = None
    ticket: TimedTask[PendingTask] | None = None  # its token and timers (core/tasktokens.py)

    @property
    def closed(self) -> bool:
        return self.ticket is None or not self.ticket.open


@dataclass
class Activity:
    arn: str
    name: str
    creation_date: datetime
    tags: dict[str, str] = field(default_factory=dict)
    encryption: dict[str, Any] | None = None
    queue: deque[PendingTask] = field(default_factory=deque)


@dataclass
class MapRun:
    arn: str
    execution_arn: str
    start_date: datetime
    max_concurrency: int
    tolerated_failure_percentage: float
    tolerated_failure_count: int
    status: str = "RUNNING"
    stop_date: datetime | None = None
    children: list[Execution] = field(default_factory=list)
    total: int = 0  # child executions
    item_total: int = 0  # items (several per child when batched)
    tolerance_set: set[str] = field(default_factory=set)
    on_update: Callable[[], None] | None = None

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """(itemCounts, executionCounts): a batched child execution carries several items."""
        return self._count(lambda child: self._items_of(child), self.item_total or self.total), self._count(
            lambda child: 1, self.total
        )

    @staticmethod
    def _items_of(child: Execution) -> int:
        data = child.parsed_input()
        if isinstance(data, dict) and isinstance(data.get("Items"), list) and set(data) <= {"Items", "BatchInput"}:
            return len(data["Items"])
        return 1

    def _count(self, weight: Callable[[Execution], int], total: int) -> dict[str, int]:
        by: dict[str, int] = {"RUNNING": 0, "SUCCEEDED": 0, "FAILED": 0, "TIMED_OUT": 0, "ABORTED": 0}
        for child in self.children:
            by[child.status] = by.get(child.status, 0) + weight(child)
        return {
            "pending": total - sum(by.values()),
            "running": by["RUNNING"],
            "succeeded": by["SUCCEEDED"],
            "failed": by["FAILED"],
            "timedOut": by["TIMED_OUT"],
            "aborted": by["ABORTED"],
            "total": total,
            "resultsWritten": 0,
            "failuresNotRedrivable": 0,
            "pendingRedrive": 0,
        }


@dataclass
class Store:
    """One account and region of Step Functions."""

    machines: dict[str, StateMachine] = field(default_factory=dict)
    executions: dict[str, Execution] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    map_runs: dict[str, MapRun] = field(default_factory=dict)
