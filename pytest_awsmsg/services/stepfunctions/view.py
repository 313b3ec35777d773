"""``aws.stepfunctions``: executions and state machines for assertions, and the test's controls.

Lookups return live, read-only views (:class:`~.helpers.ExecutionView`,
:class:`StateMachineView`) and raise
:class:`~pytest_awsmsg.core.views.NotFound` naming what there is. The controls
stand for what happens outside the API: time passing until an execution ends
(``wait_for``), a human or worker answering a task (``pending_tasks``), a
Task state answered by a mock (``mock_task``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core.quirks import check_rate
from ...core.views import ServiceView, arn_parts, explain
from .models import Execution, PendingTask, StateMachine
from .s3items import CallableS3

if TYPE_CHECKING:
    from .api import StepFunctionsService


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

    def diagram(self) -> str:
        """The definition as a Mermaid flowchart with the path taken marked (text: it diffs and renders in Markdown).

        Visited states are green and the state that failed red; edges taken
        are thick, a Catch taken names the error it caught, a retried state
        says how often, and Map iterations and Parallel branches are subgraphs.
        """
        from .diagram import mermaid

        return mermaid(self._execution)

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


class StateMachineView:
    """One state machine as it is now (live, read-only)."""

    def __init__(self, service: StepFunctionsService, machine: StateMachine) -> None:
        self._service = service
        self._machine = machine

    @property
    def name(self) -> str:
        return self._machine.name

    @property
    def arn(self) -> str:
        return self._machine.arn

    @property
    def type(self) -> str:
        """``STANDARD`` or ``EXPRESS``."""
        return self._machine.type

    @property
    def definition(self) -> Any:
        """The definition, parsed."""
        return json.loads(self._machine.definition)

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._machine.tags)

    @property
    def executions(self) -> list[ExecutionView]:
        """Its executions, oldest first."""
        return StepFunctionsView(self._service).executions(self.arn)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StateMachineView) and other._machine is self._machine

    def __hash__(self) -> int:
        return id(self._machine)

    def __repr__(self) -> str:
        return f"<StateMachineView {self.name} {self.type}>"


class StepFunctionsView(ServiceView["StepFunctionsService"]):
    """``aws.stepfunctions``: executions, state machines, pending tasks, task mocks and quirks."""

    title = "Step Functions"

    def execution(self, arn: str) -> ExecutionView:
        """The execution behind an ARN, for asserts: ``.status``, ``.output``, ``.path``, ``.events``."""
        parts = arn_parts(arn)
        region, account = (parts[0], parts[1]) if parts else (None, None)
        found = self._lookup("execution", arn, lambda store: store.executions, region=region, account_id=account)
        return ExecutionView(found)

    def executions(self, state_machine: str | None = None) -> list[ExecutionView]:
        """Every execution (oldest first), or those of one state machine (by name or ARN)."""
        with self._cloud.lock:
            return [
                ExecutionView(execution)
                for store in self._service.stores().values()
                for execution in store.executions.values()
                if state_machine is None or state_machine in (execution.machine.name, execution.machine.arn)
            ]

    def state_machine(
        self, name_or_arn: str, *, region: str | None = None, account_id: str | None = None
    ) -> StateMachineView:
        """A state machine by name (in the cloud's account and region unless given) or ARN."""
        parts = arn_parts(name_or_arn)
        name = name_or_arn
        if parts is not None:
            region, account_id = parts[0], parts[1]
            name = parts[2].partition(":")[2].partition(":")[0]  # stateMachine:<name>[:qualifier]
        found = self._lookup(
            "state machine",
            name,
            lambda store: {m.name: m for m in store.machines.values()},
            region=region,
            account_id=account_id,
        )
        return StateMachineView(self._service, found)

    def quirks(self, *, duplicate_rate: float = 0.0, state_machine: str | None = None) -> None:
        """Make asynchronous Express executions run as AWS may in production: sometimes twice.

        AWS runs an Express execution started with StartExecution at least
        once, so its tasks (Lambda stand-ins, SQS, SNS...) may see the same
        input again. ``duplicate_rate`` is the chance, drawn from the cloud's
        seed, that such an execution runs a second time. Applies to the
        machine named ``state_machine`` (a name in any account or region, or
        an ARN), else to every Express machine; Standard executions (exactly
        once) and StartSyncExecution (at most once) never run twice. With no
        rate the machine's setting is switched off; with no arguments at all,
        every one.
        """
        check_rate(duplicate_rate)
        with self._cloud.lock:
            self._service.duplicate_rates.set(state_machine, duplicate_rate or None)

    # -- controls: what happens outside the API -------------------------------------------

    def wait_for(self, arn: str, *, max_seconds: float = 366 * 86400.0) -> ExecutionView:
        """Move virtual time until the execution closes (or ``max_seconds`` pass), then view it."""
        self.execution(arn)  # a miss says what there is
        return self._service.wait_for(arn, max_seconds=max_seconds)

    @property
    def pending_tasks(self) -> list[TaskView]:
        """Tasks waiting for SendTaskSuccess/Failure (callbacks and activity tasks), oldest first."""
        return self._service.pending_tasks

    def mock_task(self, state: str, *answers: Any, machine: str | None = None) -> None:
        """Answer Task state ``state`` with ``answers`` in turn (the last repeats) instead of its resource.

        An answer is the task's result, or a :class:`TaskFailure` to fail it.
        Mock before CreateStateMachine to run a Task whose resource the kit does not fake.
        """
        self._service.mock_task(state, *answers, machine=machine)

    def mock_config(self, config: str | os.PathLike[str] | Mapping[str, Any] | None) -> None:
        """Load a mock configuration file in Step Functions Local's format (a path, or the parsed dict).

        Start an execution with ``stateMachineArn#TestCase`` to run that test
        case: the Tasks it names answer from ``MockedResponses``, the others
        run as usual. Replaces the file ``SFN_MOCK_CONFIG`` named; ``None``
        unloads it. A mistake in the file raises ``MockConfigError`` naming its place.
        """
        with self._cloud.lock:
            self._service.mock_config(config)

    def s3(
        self,
        reader: Callable[[str, str], bytes | str] | None = None,
        writer: Callable[[str, str, bytes], None] | None = None,
        lister: Callable[[str, str], Iterable[str]] | None = None,
    ) -> None:
        """Be S3 for distributed Maps' ``ItemReader`` and ``ResultWriter``, with Python callables.

        ``reader(bucket, key)`` returns an object's body (s3:getObject),
        ``lister(bucket, prefix)`` the keys under a prefix (s3:listObjectsV2),
        ``writer(bucket, key, body)`` stores one (s3:putObject). Without them
        (or after ``s3()`` with none) the Map calls S3 with boto3, which
        whatever answers S3 beside the kit answers (moto's ``mock_aws``).
        """
        with self._cloud.lock:
            none = reader is None and writer is None and lister is None
            self._service.s3_access = None if none else CallableS3(reader, writer, lister)

    def mock_calls(self, state: str, machine: str | None = None) -> int:
        """How many times the mock of ``state`` answered."""
        return self._service.mocks.calls(state, machine)
