"""Python helpers for tests: definitions from files, and a readable view of executions."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.views import explain
from .models import Execution

if TYPE_CHECKING:
    from .models import PendingTask


def load_definition(path: str | Path) -> str:
    """A state machine definition from a ``.json``, ``.yaml`` or ``.yml`` file, as JSON text.

    YAML needs PyYAML (the ``test`` extra); it is imported only when asked for.
    """
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped, unused-ignore]
        except ImportError as missing:  # pragma: no cover - depends on the environment
            raise ImportError("Loading YAML definitions needs PyYAML: pip install 'pytest-awsmsg[test]'") from missing
        return json.dumps(yaml.safe_load(text))
    json.loads(text)  # fail here, with the file's name in the traceback, not at CreateStateMachine
    return text


class ExecutionView:
    """What a test asserts on: ``aws.stepfunctions.execution(arn).path``.

    ``path`` is a list of plain dicts (``{"state", "input", "output"}``, plus
    ``error``/``cause`` where a state failed and ``branch`` inside Parallel and
    Map), so pytest's assertion diff shows exactly where two runs part.
    """

    def __init__(self, execution: Execution) -> None:
        self._execution = execution

    @property
    def arn(self) -> str:
        return self._execution.arn

    @property
    def name(self) -> str:
        return self._execution.name

    @property
    def status(self) -> str:
        return self._execution.status

    @property
    def input(self) -> Any:
        return json.loads(self._execution.input)

    @property
    def output(self) -> Any:
        """The parsed output, or ``None`` while running or when it failed."""
        text = self._execution.output
        return None if text is None else json.loads(text)

    @property
    def error(self) -> str | None:
        return self._execution.error

    @property
    def cause(self) -> str | None:
        return self._execution.cause

    @property
    def path(self) -> list[dict[str, Any]]:
        return [step.as_dict() for step in self._execution.steps]

    @property
    def states(self) -> list[str]:
        """Names of the top-level states entered, in order."""
        return [step.state for step in self._execution.steps if not step.branch]

    @property
    def events(self) -> list[str]:
        """History event types, in order (``["ExecutionStarted", "PassStateEntered", ...]``)."""
        return [event.type for event in self._execution.events]

    @property
    def history(self) -> list[dict[str, Any]]:
        return [event.as_dict() for event in self._execution.events]

    @property
    def runs(self) -> int:
        """How many times the execution ran: 2 when ``aws.stepfunctions.quirks`` ran an Express one twice."""
        return 1 + len(self._execution.duplicates)

    @property
    def duplicates(self) -> list[ExecutionView]:
        """The extra runs :meth:`runs` counts, for asserts on what they did (the API never shows them)."""
        return [ExecutionView(twin) for twin in self._execution.duplicates]

    def assert_status(self, status: str) -> None:
        """The execution is ``status`` (``"SUCCEEDED"``...); on a miss, its error and the states it went through."""
        if self.status != status:
            details = [f"error: {self.error}: {self.cause}"] if self.error else []
            details.append(f"states: {' -> '.join(self.states) or '(none)'}")
            raise explain(f"Step Functions execution {self.name} is {self.status}, not {status}", details)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExecutionView) and other._execution is self._execution

    def __hash__(self) -> int:
        return id(self._execution)

    def __repr__(self) -> str:
        runs = f" runs={self.runs}" if self.runs > 1 else ""
        return f"<Execution {self.name} {self.status} states={self.states}{runs}>"


@dataclass
class TaskView:
    """A task waiting for an answer (a callback token or an activity task): play the human.

    Answers run under the cloud's lock, as an API call would.
    """

    _task: PendingTask
    _lock: Any = None

    @property
    def token(self) -> str:
        return self._task.token

    @property
    def state(self) -> str:
        return self._task.state

    @property
    def input(self) -> Any:
        return json.loads(self._task.input)

    @property
    def execution_arn(self) -> str:
        return self._task.execution.arn

    @property
    def activity_arn(self) -> str | None:
        return self._task.activity_arn

    def succeed(self, output: Any) -> None:
        """As SendTaskSuccess with ``output`` (any JSON value)."""
        with self._lock or nullcontext():
            self._task.succeed(json.loads(json.dumps(output)))

    def fail(self, error: str = "", cause: str = "") -> None:
        """As SendTaskFailure."""
        with self._lock or nullcontext():
            self._task.fail(error, cause)

    def heartbeat(self) -> None:
        """As SendTaskHeartbeat."""
        with self._lock or nullcontext():
            self._task.heartbeat()
