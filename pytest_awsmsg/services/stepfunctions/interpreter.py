"""The Amazon States Language interpreter, in virtual time.

An execution is a tree of *threads*: the top level, each Parallel branch and
each Map iteration. A thread moves from state to state through one work queue
(so a loop of a thousand states does not grow the Python stack) and stops
where the machine must wait: a Wait state, a retry interval, a callback or an
activity. Those are timers on the cloud's clock, or pending tasks answered by
SendTaskSuccess/Failure; either posts the thread's next step back on the
queue. StartExecution therefore returns once the execution has run as far as
it can without time passing, and advancing the clock resumes it.

Input and output processing follows AWS's order: InputPath, Parameters,
(the task), ResultSelector, ResultPath, OutputPath.

Workflow variables (``Assign``, read as ``$name``) live on threads: a Parallel
branch or Map iteration reads its parent's and keeps its own, which end with
it (validation refuses an inner ``Assign`` of an outer name). A state's
``Assign`` is evaluated with the values the variables had when the state was
entered and takes effect as it exits, so ``Assign`` and the output computed in
the same state never see each other's work.
"""

from __future__ import annotations

import copy
import functools
import json
from collections import deque
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...core.clock import Timer
from . import choice, errors, intrinsics, paths, query
from .errors import StatesError
from .models import Execution, Step, dumps

if TYPE_CHECKING:
    from .common import StepFunctionsBase

MAX_PAYLOAD = 256 * 1024
# AWS's variable quotas: one variable, and one Assign field's values together, are at most
# 256 KiB; the variables an execution holds at once are at most 10 MiB.
MAX_VARIABLE = 256 * 1024
MAX_VARIABLES_TOTAL = 10 * 1024 * 1024
MAX_EVENTS = 25_000  # history events one execution may record
_ABORTED_EVENTS = {
    "Task": "TaskStateAborted",
    "Wait": "WaitStateAborted",
    "Parallel": "ParallelStateAborted",
    "Map": "MapStateAborted",
}
EXPRESS_MAX_SECONDS = 300  # an Express execution runs at most five minutes


def iso(when: datetime) -> str:
    """Timestamps as the context object shows them: ``2024-01-02T03:04:05.678Z``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def backoff(retrier: dict[str, Any], attempts: int) -> float:
    """Seconds before retry ``attempts + 1``: IntervalSeconds * BackoffRate^attempts, capped by MaxDelaySeconds.

    Before any jitter; ASL's defaults are 1 second and a rate of 2.0.
    """
    interval = float(retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** attempts)
    if "MaxDelaySeconds" in retrier:
        interval = min(interval, retrier["MaxDelaySeconds"])
    return interval


def error_output(error: str, cause: str) -> dict[str, Any]:
    """What a Catch hands on (at its ResultPath): the error, and the cause when there is one."""
    out: dict[str, Any] = {"Error": error}
    if cause:
        out["Cause"] = cause
    return out


class Thread:
    """One line of states: the top level, a Parallel branch or a Map iteration."""

    def __init__(
        self,
        execution: Execution,
        scope: dict[str, Any],
        previous: int,
        on_success: Callable[[Any], None],
        on_failure: Callable[[str, str], None],
        *,
        parent: Thread | None = None,
        label: str = "",
    ) -> None:
        self.execution = execution
        self.generation = execution.generation
        self.states: dict[str, Any] = scope["States"]
        self.start_at: str = scope["StartAt"]
        self.last = previous
        self.on_success = on_success
        self.on_failure = on_failure
        self.parent = parent
        self.label = label
        self.dead = False
        self.timers: list[Timer] = []
        self.current: Visit | None = None
        self.children: list[Thread] = []
        self.finished = False  # its last state ended it (succeeded or failed)
        self.iteration: tuple[str, int] | None = None  # (Map state, index) for a Map iteration
        self.variables: dict[str, Any] = {}  # the variables this scope assigned
        # The machine's QueryLanguage: the default of every state in every scope of it.
        self.language: str = parent.language if parent is not None else scope.get("QueryLanguage", "JSONPath")
        if parent is not None:
            parent.children.append(self)

    def visible(self) -> dict[str, Any]:
        """The variables this thread reads: its own and every enclosing scope's."""
        if self.parent is None:
            return self.variables
        return {**self.parent.visible(), **self.variables}

    def alive(self) -> bool:
        """Whether work for this thread may still run.

        Timers and callbacks outlive the state that set them: a branch killed
        by a sibling's failure, a stopped or redriven execution (its
        generation moved on) must ignore them rather than record events.
        """
        node: Thread | None = self
        while node is not None:
            if node.dead:
                return False
            node = node.parent
        return self.execution.status == "RUNNING" and self.execution.generation == self.generation

    def kill(self) -> None:
        """Stop this thread and every branch or iteration under it, cancelling their timers."""
        self.dead = True
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        for child in self.children:
            child.kill()
        self.children.clear()


class Visit:
    """One entry into a state: its input, retry counters and the step it records."""

    def __init__(self, thread: Thread, name: str, state: dict[str, Any], raw_input: Any, entered: str) -> None:
        self.thread = thread
        self.name = name
        self.state = state
        self.type: str = state["Type"]
        self.input = raw_input
        self.entered = entered
        self.retries = [0] * len(state.get("Retry") or [])
        self.retry_count = 0
        self.effective: Any = None
        self.token: str | None = None
        self.entered_id = 0
        self.closed = False  # exited, caught or failed: no longer in flight
        self.raised: StatesError | None = None  # the error this state itself raised, last (EvaluationFailed's)
        self.step = Step(name, self.type, raw_input, branch=thread.label)
        self.jsonata = state.get("QueryLanguage", thread.language) == "JSONata"


class Interpreter:
    """Runs every execution of one Step Functions service."""

    def __init__(self, service: StepFunctionsBase) -> None:
        self.service = service
        self.cloud = service.cloud
        self._queue: deque[Callable[[], None]] = deque()
        self._draining = False

    # -- the work queue ------------------------------------------------------

    def post(self, work: Callable[[], None]) -> None:
        """Run ``work`` now, or after the work already in progress.

        Whoever posts first drains the queue; work posted meanwhile (the next
        state, a callback answered from inside a stand-in) waits its turn. So
        events are recorded in order and a long run of states does not recurse.
        """
        self._queue.append(work)
        if self._draining:
            return
        self._draining = True
        try:
            while self._queue:
                self._queue.popleft()()
        except BaseException:
            self._queue.clear()
            raise
        finally:
            self._draining = False

    def later(self, thread: Thread, due: float, work: Callable[[], None], label: str) -> None:
        """Post ``work`` at ``due`` on the cloud's clock, unless the thread has died by then."""

        def fire() -> None:
            if thread.alive():
                self.post(work)

        thread.timers.append(self.cloud.clock.call_at(due, fire, label))

    def now(self) -> datetime:
        return self.cloud.clock.now_dt()

    def event(self, thread: Thread, type_: str, previous: int | None = None, **details: Any) -> int:
        """Record an event of ``thread``; at AWS's limit of 25,000 events the execution fails."""
        execution = thread.execution
        if not thread.alive():
            return thread.last
        event_id = execution.add_event(type_, thread.last if previous is None else previous, self.now(), **details)
        thread.last = event_id
        if event_id >= MAX_EVENTS - 1:
            # AWS ends a runaway execution itself: event 25,000 is its ExecutionFailed.
            self.close(
                execution,
                "FAILED",
                error=errors.RUNTIME,
                cause=f"The execution reached the maximum number of history events ({MAX_EVENTS}).",
                previous=event_id,
            )
        return event_id

    # -- executions ------------------------------------------------------------

    def start(self, execution: Execution) -> None:
        """Record ExecutionStarted and run until the execution must wait."""
        details: dict[str, Any] = {
            "input": execution.input,
            "inputDetails": {"truncated": False},
            "roleArn": execution.role_arn,
        }
        if execution.alias_arn:
            details["stateMachineAliasArn"] = execution.alias_arn
        if execution.version_arn:
            details["stateMachineVersionArn"] = execution.version_arn
        execution.add_event("ExecutionStarted", 0, execution.start_date, executionStartedEventDetails=details)
        # Recorded on AWS: the first state's *StateEntered names no previous event (0), not ExecutionStarted.
        self._run_top(execution, execution.definition["StartAt"], json.loads(execution.input), 0)

    def _run_top(self, execution: Execution, start_at: str, data: Any, previous: int) -> None:
        def succeeded(output: Any) -> None:
            self.close(execution, "SUCCEEDED", output=dumps(output), previous=root.last)

        def failed(error: str, cause: str) -> None:
            if root.current is not None:
                execution.failed_at = (root.current.name, root.current.input)
            self.close(execution, "FAILED", error=error, cause=cause, previous=root.last)

        root = Thread(execution, execution.definition, previous, succeeded, failed)
        execution.root = root
        timeout = execution.definition.get("TimeoutSeconds")
        if execution.type == "EXPRESS":
            timeout = min(timeout or EXPRESS_MAX_SECONDS, EXPRESS_MAX_SECONDS)
        if timeout:

            def timed_out() -> None:
                if root.current is not None:
                    execution.failed_at = (root.current.name, root.current.input)
                self.close(execution, "TIMED_OUT", error=errors.TIMEOUT, cause="", previous=root.last)

            # The budget counts from the start (or the redrive), so stopDate is exactly start + timeout.
            began = (execution.redrive_date or execution.start_date).timestamp()
            self.later(root, began + timeout, timed_out, f"sfn timeout {execution.name}")
        self.post(lambda: self.enter(root, start_at, data))

    def close(
        self,
        execution: Execution,
        status: str,
        *,
        output: str | None = None,
        error: str | None = None,
        cause: str | None = None,
        previous: int | None = None,
    ) -> None:
        """End an execution, record its closing event and tell whoever waits on it."""
        if execution.closed:
            return
        execution.status = status
        execution.stop_date = self.now()
        execution.generation += 1
        if status in ("ABORTED", "TIMED_OUT"):
            # Measured on AWS: these closing events name no previous event.
            previous = 0
        previous = previous if previous is not None else len(execution.events)
        if status == "SUCCEEDED":
            execution.output = output
            execution.add_event(
                "ExecutionSucceeded",
                previous,
                execution.stop_date,
                executionSucceededEventDetails={"output": output, "outputDetails": {"truncated": False}},
            )
        else:
            execution.error, execution.cause = error, cause or None
            key = {"FAILED": "Failed", "TIMED_OUT": "TimedOut", "ABORTED": "Aborted"}[status]
            details: dict[str, Any] = {}
            if error:
                details["error"] = error
            if cause:
                details["cause"] = cause
            execution.add_event(
                f"Execution{key}", previous, execution.stop_date, **{f"execution{key}EventDetails": details}
            )
        if isinstance(execution.root, Thread):
            execution.root.kill()
        self.service.forget_tasks(execution)
        for callback in list(execution.on_close):
            self.post(functools.partial(callback, execution))

    def redrive(self, execution: Execution) -> None:
        assert execution.failed_at is not None
        name, data = execution.failed_at
        execution.status = "RUNNING"
        execution.stop_date = None
        execution.error = execution.cause = None
        execution.generation += 1
        execution.redrive_count += 1
        execution.redrive_date = self.now()
        execution.redrive_map_results, execution.map_results = execution.map_results, {}
        event = execution.add_event(
            "ExecutionRedriven",
            len(execution.events),
            execution.redrive_date,
            executionRedrivenEventDetails={"redriveCount": execution.redrive_count},
        )
        self._run_top(execution, name, data, event)

    # -- context object and data processing -----------------------------------

    def context(self, v: Visit, *, item: tuple[int, Any] | None = None) -> paths.Context:
        """The context object (``$$``), carrying the variables ``$name`` paths read in ``v``."""
        execution = v.thread.execution
        ctx: dict[str, Any] = {
            "Execution": {
                "Id": execution.arn,
                "Input": execution.parsed_input(),
                "Name": execution.name,
                "RoleArn": execution.role_arn,
                "StartTime": iso(execution.start_date),
                "RedriveCount": execution.redrive_count,
            },
            "State": {"EnteredTime": v.entered, "Name": v.name, "RetryCount": v.retry_count},
            "StateMachine": {"Id": execution.machine.arn, "Name": execution.machine.name},
        }
        if execution.redrive_date is not None:
            ctx["Execution"]["RedriveTime"] = iso(execution.redrive_date)
        if v.token is not None:
            ctx["Task"] = {"Token": v.token}
        if item is not None:
            ctx["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return paths.Context(ctx, v.thread.visible())

    def select(self, path: str | None, data: Any, v: Visit | None = None) -> Any:
        """What ``path`` selects in a state's data (``null`` selects ``{}``); nothing selected is States.Runtime.

        Given the state's visit ``v``, a ``$$`` path selects in the context
        object (``"InputPath": "$$.Execution.Input"`` is valid ASL) and a
        ``$name`` path in a workflow variable.
        """
        if path is None:
            return {}
        try:
            if v is not None and (path.startswith("$$") or paths.variable_ref(path)):
                return paths.resolve(path, data, self.context(v))
            return paths.select(path, data)
        except paths.PathNotFound:
            raise StatesError(errors.RUNTIME, _not_found(path)) from None

    def input_path(self, v: Visit, data: Any) -> Any:
        return self.select(v.state.get("InputPath", "$"), data, v)

    def output_path(self, v: Visit, data: Any) -> Any:
        return self.select(v.state.get("OutputPath", "$"), data, v)

    def result_path(self, v: Visit, result: Any, path: Any = "__state__") -> Any:
        if path == "__state__":
            path = v.state.get("ResultPath", "$")
        if path is None:
            return v.input
        try:
            return paths.assign(path, v.input, result)
        except paths.PathNotFound:
            raise StatesError(
                errors.RESULT_PATH_MATCH_FAILURE,
                f"Unable to apply ReferencePath {path} to input {dumps(v.input)}",
            ) from None

    def template(self, node: Any, data: Any, ctx: dict[str, Any]) -> Any:
        """A payload template (Parameters, ResultSelector, ItemSelector) filled in."""
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key.endswith(".$") and isinstance(value, str):
                    out[key[:-2]] = self._dynamic(key, value, data, ctx)
                else:
                    out[key] = self.template(value, data, ctx)
            return out
        if isinstance(node, list):
            return [self.template(item, data, ctx) for item in node]
        return node

    def _dynamic(self, key: str, value: str, data: Any, ctx: dict[str, Any]) -> Any:
        if intrinsics.looks_intrinsic(value):
            return intrinsics.evaluate(intrinsics.parse(value), data, ctx, self.cloud.ids)
        try:
            return copy.deepcopy(paths.resolve(value, data, ctx))
        except paths.PathNotFound:
            ref = paths.variable_ref(value)
            if ref is not None:
                # Assumption: AWS's wording for a variable that was never assigned (or lacks the
                # path) is not documented; this names the variable the way its other messages do.
                raise StatesError(
                    errors.RUNTIME,
                    f"The JSONPath '{value}' specified for the field '{key}' could not be found in the "
                    f"variable '${ref[0]}'",
                ) from None
            source = ctx if value.startswith("$$") else data
            raise StatesError(
                errors.RUNTIME,
                f"The JSONPath '{value}' specified for the field '{key}' could not be found in the input "
                f"'{dumps(source)}'",
            ) from None

    # -- workflow variables ------------------------------------------------------

    def assign(self, v: Visit, spec: Any, data: Any) -> dict[str, Any] | None:
        """The variables a JSONPath ``Assign`` field sets, evaluated on ``data`` with the values at state entry.

        ``None`` when there is no ``Assign``; the values take effect at :meth:`exit`.
        """
        if spec is None:
            return None
        return self._sized(v, self.template(spec, data, self.context(v)))

    def env(self, v: Visit, *, item: tuple[int, Any] | None = None, **phase: Any) -> query.Environment:
        """What a JSONata expression in ``v`` reads: ``$states`` (input, context, and ``phase``'s
        ``result`` or ``errorOutput``) and the variables."""
        states = {"input": v.input, "context": dict(self.context(v, item=item)), **phase}
        # Milliseconds as the context object shows them (microseconds first: no float truncation).
        millis = lambda: round(self.cloud.clock.now() * 1_000_000) // 1000  # noqa: E731
        return query.Environment(states, v.thread.visible(), self.cloud.ids, millis)

    def settle(self, v: Visit, spec: dict[str, Any], default: Any, **phase: Any) -> tuple[Any, dict[str, Any] | None]:
        """A JSONata state's output (``spec``'s Output, else ``default``) and the variables its Assign sets.

        Both are evaluated with the same ``$states`` and the variables' values at state entry.
        """
        env = self.env(v, **phase)
        assigned = self._sized(v, env.render(spec["Assign"], "Assign")) if "Assign" in spec else None
        output = env.render(spec["Output"], "Output") if "Output" in spec else default
        return output, assigned

    def _sized(self, v: Visit, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` if within AWS's quotas on one variable and on one Assign field."""
        total = 0
        for name, value in values.items():
            size = len(dumps(value).encode())
            total += size
            if size > MAX_VARIABLE:
                raise StatesError(
                    errors.DATA_LIMIT_EXCEEDED,
                    f"The variable '{name}' assigned in the state '{v.name}' has a size exceeding the maximum "
                    f"of {MAX_VARIABLE} bytes.",
                )
        if total > MAX_VARIABLE:
            raise StatesError(
                errors.DATA_LIMIT_EXCEEDED,
                f"The variables assigned in the state '{v.name}' have a combined size exceeding the maximum "
                f"of {MAX_VARIABLE} bytes.",
            )
        return values

    def _store(self, v: Visit, assigned: dict[str, Any]) -> str | None:
        """Keep ``assigned`` in the thread's scope; AWS's error cause if the execution's total gets too big."""
        after = {**v.thread.visible(), **assigned}
        if sum(len(dumps(value).encode()) for value in after.values()) > MAX_VARIABLES_TOTAL:
            return (
                f"The state '{v.name}' assigned variables that bring the execution's variables over the maximum "
                f"of {MAX_VARIABLES_TOTAL} bytes."
            )
        v.thread.variables.update(assigned)
        return None

    # -- moving between states ------------------------------------------------

    def enter(self, thread: Thread, name: str, data: Any) -> None:
        if not thread.alive():
            return
        state = thread.states[name]
        v = Visit(thread, name, state, data, iso(self.now()))
        thread.current = v
        thread.execution.steps.append(v.step)
        v.entered_id = self.event(
            thread,
            f"{v.type}StateEntered",
            stateEnteredEventDetails={"name": name, "input": dumps(data), "inputDetails": {"truncated": False}},
        )
        self.guard(v, getattr(self, "_" + v.type.lower()))

    def guard(self, v: Visit, work: Callable[[Visit], None]) -> None:
        try:
            work(v)
        except StatesError as error:
            v.raised = error
            self.fail_state(v, error.error, self.explain(v, error))

    @staticmethod
    def explain(v: Visit, error: StatesError) -> str:
        """AWS prefixes the cause of a States.Runtime error with where it happened."""
        if error.error != errors.RUNTIME:
            return error.cause
        return (
            f"An error occurred while executing the state '{v.name}' (entered at the event id "
            f"#{v.entered_id}). {error.cause}"
        )

    def exit(
        self, v: Visit, output: Any, next_state: str | None = None, assigned: dict[str, Any] | None = None
    ) -> None:
        """Leave a state with ``output`` (checked against the payload limit) for its Next, a Catch's or the end.

        A Fail state never gets here (it fails its thread), so, as on AWS, its
        FailStateEntered is followed directly by whatever failed.
        """
        thread = v.thread
        if not thread.alive():
            return
        text = dumps(output)
        if len(text.encode()) > MAX_PAYLOAD:
            self.fail_thread(
                v,
                errors.DATA_LIMIT_EXCEEDED,
                f"The state/task '{v.name}' returned a result with a size exceeding the maximum number of bytes "
                "service limit.",
            )
            return
        details: dict[str, Any] = {"name": v.name, "output": text, "outputDetails": {"truncated": False}}
        if assigned is not None:
            too_big = self._store(v, assigned)
            if too_big is not None:
                self.fail_thread(v, errors.DATA_LIMIT_EXCEEDED, too_big)
                return
            details["assignedVariables"] = {name: dumps(value) for name, value in assigned.items()}
            details["assignedVariablesDetails"] = {"truncated": False}
        v.step.output = output
        self.event(thread, f"{v.type}StateExited", stateExitedEventDetails=details)
        v.closed = True
        target = next_state or v.state.get("Next")
        if v.type == "Succeed" or (next_state is None and v.state.get("End") is True):
            thread.finished = True
            thread.on_success(output)
        else:
            assert target is not None
            self.post(lambda: self.enter(thread, target, output))

    def finish(self, v: Visit, result: Any) -> None:
        """A Task, Parallel or Map produced ``result``: ResultSelector, ResultPath, OutputPath (or, in
        JSONata, Output), then exit."""
        if not v.thread.alive():
            return
        try:
            if v.jsonata:
                output, assigned = self.settle(v, v.state, result, result=result)
                self.exit(v, output, assigned=assigned)
                return
            if "ResultSelector" in v.state:
                result = self.template(v.state["ResultSelector"], result, self.context(v))
            assigned = self.assign(v, v.state.get("Assign"), result)
            output = self.output_path(v, self.result_path(v, result))
        except StatesError as error:
            v.raised = error
            self.fail_state(v, error.error, self.explain(v, error))
            return
        self.exit(v, output, assigned=assigned)

    def fail_state(self, v: Visit, error: str, cause: str) -> None:
        """An error in a state: retry it, catch it, or fail the thread."""
        if not v.thread.alive():
            return
        state = v.state
        i = self.retrier_for(v, error)
        if i is not None:
            retrier = state["Retry"][i]
            interval = backoff(retrier, v.retries[i])
            if retrier.get("JitterStrategy") == "FULL":
                interval = self.cloud.ids.uniform(0, interval)
            v.retries[i] += 1
            v.retry_count += 1
            v.step.retries += 1
            self.later(
                v.thread,
                self.cloud.clock.now() + interval,
                lambda: self.guard(v, getattr(self, "_" + v.type.lower() + "_body")),
                f"sfn retry {v.name}",
            )
            return
        for catcher in state.get("Catch") or []:
            if self.matches(catcher["ErrorEquals"], error, v):
                caught = error_output(error, cause)
                try:
                    # A catcher's Assign reads the error output; the state's own Assign is not applied.
                    if v.jsonata:
                        output, assigned = self.settle(v, catcher, caught, errorOutput=caught)
                    else:
                        assigned = self.assign(v, catcher.get("Assign"), caught)
                        output = self.result_path(v, caught, catcher.get("ResultPath", "$"))
                except StatesError as inner:
                    v.raised = inner
                    self.fail_thread(v, inner.error, self.explain(v, inner))
                    return
                v.step.error, v.step.cause = error, cause
                self.exit(v, output, catcher["Next"], assigned)
                return
        self.fail_thread(v, error, cause)

    def state_failed(self, v: Visit, event_type: str, error: str, cause: str) -> None:
        """A Map or Parallel failed: its ``*StateFailed`` event, unless a retrier runs it again.

        Recorded on AWS: a retried Map records no MapStateFailed; its next
        MapStateStarted links straight to the failing iteration's last event.
        """
        if self.retrier_for(v, error) is None:
            self.event(v.thread, event_type)
        self.fail_state(v, error, cause)

    def retrier_for(self, v: Visit, error: str) -> int | None:
        """The index of the retrier that retries ``error`` in ``v`` now, or None (caught or failed).

        The first retrier whose ErrorEquals matches decides: once its attempts
        are spent, no later retrier is tried.
        """
        for i, retrier in enumerate(v.state.get("Retry") or []):
            if self.matches(retrier["ErrorEquals"], error, v):
                return i if v.retries[i] < retrier.get("MaxAttempts", 3) else None
        return None

    def matches(self, names: list[str], error: str, v: Visit) -> bool:
        """Whether a retrier's or catcher's ErrorEquals covers ``error`` raised in ``v``."""
        if error in errors.NEVER_MATCHED:
            return False
        if error in names or errors.ALL in names:
            return True
        # A heartbeat timeout is a timeout: States.Timeout caught both before
        # States.HeartbeatTimeout existed, and still does.
        timeout = error in (errors.TIMEOUT, errors.HEARTBEAT_TIMEOUT)
        if timeout and errors.TIMEOUT in names:
            return True
        # States.TaskFailed matches any error of a Task except States.Timeout; we
        # assume that excludes the heartbeat kind too.
        return errors.TASK_FAILED in names and v.type == "Task" and not timeout

    def fail_thread(self, v: Visit, error: str, cause: str) -> None:
        """The state failed and nothing handles it: the thread (branch, iteration or execution) fails.

        An unhandled States.QueryEvaluationError of a JSONata state is recorded
        first as an ``EvaluationFailed`` event naming the state and, when known,
        the field whose expression failed. Assumption: a retried or caught one
        records none (as no ``*Failed`` event is recorded for other handled errors).
        """
        raised = v.raised
        if error == query.QUERY_EVALUATION_ERROR and v.jsonata and raised is not None and raised.error == error:
            details = {"error": error, "cause": cause, "state": v.name}
            if raised.location:
                details["location"] = raised.location
            self.event(v.thread, "EvaluationFailed", evaluationFailedEventDetails=details)
        v.step.error, v.step.cause = error, cause
        v.closed = True
        v.thread.finished = True
        v.thread.on_failure(error, cause)

    def abort(self, thread: Thread) -> None:
        """Stop a sibling branch or iteration because another failed, recording what AWS records.

        The state in flight gets its ``*StateAborted`` event (innermost first),
        a Map iteration its ``MapIterationAborted``; then the thread is killed.
        """
        if thread.finished or not thread.alive():
            thread.kill()
            return
        for child in list(thread.children):
            self.abort(child)
        execution = thread.execution
        v = thread.current
        if v is not None and not v.closed and v.type in _ABORTED_EVENTS:
            thread.last = execution.add_event(_ABORTED_EVENTS[v.type], thread.last, self.now())
        if thread.iteration is not None:
            name, index = thread.iteration
            execution.add_event(
                "MapIterationAborted",
                thread.last,
                self.now(),
                mapIterationAbortedEventDetails={"name": name, "index": index},
            )
        thread.kill()

    # -- state types ------------------------------------------------------------

    def _pass(self, v: Visit) -> None:
        if v.jsonata:
            output, assigned = self.settle(v, v.state, v.input)
            self.exit(v, output, assigned=assigned)
            return
        data = self.input_path(v, v.input)
        if "Parameters" in v.state:
            data = self.template(v.state["Parameters"], data, self.context(v))
        result = copy.deepcopy(v.state["Result"]) if "Result" in v.state else data
        assigned = self.assign(v, v.state.get("Assign"), result)
        self.exit(v, self.output_path(v, self.result_path(v, result)), assigned=assigned)

    def _succeed(self, v: Visit) -> None:
        if v.jsonata:
            self.exit(v, self.settle(v, v.state, v.input)[0])
            return
        self.exit(v, self.output_path(v, self.input_path(v, v.input)))

    def _fail(self, v: Visit) -> None:
        error = self._fail_field(v, "Error")
        cause = self._fail_field(v, "Cause")
        self.fail_thread(v, error, cause)

    def _fail_field(self, v: Visit, field: str) -> str:
        if field in v.state and v.jsonata and query.is_expression(v.state[field]):
            value = self.env(v).evaluate(v.state[field], field)
            if not isinstance(value, str):
                raise StatesError(
                    query.QUERY_EVALUATION_ERROR,
                    f"The JSONata expression for the field '{field}' must evaluate to a string, got {dumps(value)}",
                )
            return value
        if field in v.state:
            return str(v.state[field])
        path = v.state.get(field + "Path")
        if path is None:
            return ""
        if intrinsics.looks_intrinsic(path):
            value = intrinsics.evaluate(intrinsics.parse(path), v.input, self.context(v), self.cloud.ids)
        else:
            value = self._dynamic(field + "Path", path, v.input, self.context(v))
        if not isinstance(value, str):
            raise StatesError(errors.RUNTIME, f"The value at {field}Path '{path}' must be a string")
        return value

    def _choice(self, v: Visit) -> None:
        target, chosen, data = self.choose(v)
        if target is None:
            self.fail_thread(v, errors.NO_CHOICE_MATCHED, "No Matches!")
            return
        if v.jsonata:
            output, assigned = self.settle(v, chosen, v.input)
            self.exit(v, output, target, assigned)
            return
        assigned = self.assign(v, chosen.get("Assign"), data)
        self.exit(v, self.output_path(v, data), target, assigned)

    def choose(self, v: Visit) -> tuple[str | None, dict[str, Any], Any]:
        """A Choice state's decision: (the next state or None, whose Output/Assign apply, the data it tested).

        Assumption (AWS's Choice reference): the matched rule's Assign (and, in
        JSONata, Output) applies; the state's own apply when no rule matches and
        the Default is taken. JSONPath rules test the input after InputPath,
        JSONata Conditions see ``$states.input``.
        """
        matched: Callable[[dict[str, Any]], bool]
        if v.jsonata:
            data, env = v.input, self.env(v)
            matched = functools.partial(self._condition, env)
        else:
            data, ctx = self.input_path(v, v.input), self.context(v)
            matched = functools.partial(choice.evaluate, data=data, context=ctx)
        for rule in v.state["Choices"]:
            if matched(rule):
                return rule["Next"], rule, data
        return v.state.get("Default"), v.state, data

    @staticmethod
    def _condition(env: query.Environment, rule: dict[str, Any]) -> bool:
        condition = rule["Condition"]
        if query.is_expression(condition):
            condition = env.evaluate(condition, "Condition")
        if not isinstance(condition, bool):
            raise StatesError(
                query.QUERY_EVALUATION_ERROR,
                f"The Condition of a Choice rule must evaluate to a boolean, got {dumps(condition)}",
            )
        return condition

    def arguments(self, v: Visit, data: Any) -> Any:
        """What a Task or Parallel hands on: ``Parameters`` (JSONPath) or ``Arguments`` (JSONata) filled in."""
        if v.jsonata:
            return self.env(v).render(v.state["Arguments"], "Arguments") if "Arguments" in v.state else data
        if "Parameters" in v.state:
            return self.template(v.state["Parameters"], data, self.context(v))
        return data

    def number(self, v: Visit, field: str) -> Any:
        """A JSONata state's numeric field (TimeoutSeconds, Seconds, MaxConcurrency...): literal or expression."""
        value = v.state[field]
        return self.env(v).evaluate(value, field) if v.jsonata and query.is_expression(value) else value

    # The state types below live in modules that import this one (Visit,
    # Thread), hence the imports inside the methods.

    def _wait(self, v: Visit) -> None:
        from .waits import run_wait

        run_wait(self, v)

    def _task(self, v: Visit) -> None:
        from .tasks import start_task

        start_task(self, v)

    def _task_body(self, v: Visit) -> None:
        from .tasks import run_task

        run_task(self, v)

    def _parallel(self, v: Visit) -> None:
        v.effective = self.arguments(v, self.input_path(v, v.input))
        self._parallel_body(v)

    def _parallel_body(self, v: Visit) -> None:
        from .parallel import run_parallel

        run_parallel(self, v)

    def _map(self, v: Visit) -> None:
        from .maps import start_map

        start_map(self, v)

    def _map_body(self, v: Visit) -> None:
        from .maps import run_map

        run_map(self, v)


def _not_found(path: str) -> str:
    """AWS's cause for a path that selects nothing (bracket notation for plain ``$`` paths)."""
    shown = path if path.startswith("$$") or paths.variable_ref(path) else paths.bracket_notation(path)
    return f"Invalid path '{path}' : No results for path: {shown}"
