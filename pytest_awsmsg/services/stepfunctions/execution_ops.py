"""Executions, history, callbacks and activity workers: the operations that run machines."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ...core.histories import History, InvalidPageToken
from ...core.service import operation
from ..base import RequestContext
from .common import StepFunctionsBase, _check_name, _listing
from .errors import (
    ExecutionAlreadyExists,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidExecutionInput,
    InvalidOutput,
    InvalidToken,
    StateMachineTypeNotSupported,
    TaskDoesNotExist,
    TaskTimedOut,
    ValidationException,
)
from .interpreter import EXPRESS_MAX_SECONDS, MAX_PAYLOAD
from .mock_config import ENVIRONMENT_VARIABLE, MockConfig, TestCaseRun
from .models import Execution, PendingTask, StateMachine, dumps
from .view import ExecutionView, TaskView

ACTIVITY_POLL_SECONDS = 60.0


class ExecutionOps(StepFunctionsBase):
    """StartExecution and everything that follows it."""

    # -- starting ----------------------------------------------------------------

    def _new_execution(
        self,
        ctx: RequestContext,
        state_machine_arn: str,
        name: str | None,
        input_: str | None,
        trace_header: str | None,
    ) -> Execution:
        state_machine_arn, _, case_name = state_machine_arn.partition("#")
        machine, version, alias = self._machine(state_machine_arn)
        test_case = self._test_case(machine, case_name) if case_name else None
        if alias is not None:
            pick = self.cloud.ids.random() * 100
            for route in alias.routing:
                pick -= route["weight"]
                if pick < 0:
                    break
            _, version, _ = self._machine(route["stateMachineVersionArn"])
        text = "{}" if input_ is None else input_
        if len(text.encode()) > MAX_PAYLOAD:
            # AWS's usual length message; the value itself is left out, as for any sensitive member.
            raise ValidationException(
                "1 validation error detected: Value at 'input' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_PAYLOAD}"
            )
        try:
            json.loads(text)
        except ValueError as error:
            raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from None
        if name is not None:
            _check_name(name)
        name = name or self.cloud.ids.uuid4()
        region, account = machine.arn.split(":")[3:5]
        if machine.type == "EXPRESS":
            arn = f"arn:aws:states:{region}:{account}:express:{machine.name}:{name}:{self.cloud.ids.uuid4()}"
        else:
            arn = f"arn:aws:states:{region}:{account}:execution:{machine.name}:{name}"
        definition_text = version.definition if version is not None else machine.definition
        return Execution(
            arn,
            name,
            machine,
            json.loads(definition_text),
            version.role_arn if version is not None else machine.role_arn,
            machine.type,
            text,
            ctx.now_dt,
            region,
            account,
            trace_header=trace_header,
            version_arn=version.arn if version is not None else None,
            alias_arn=alias.arn if alias is not None else None,
            definition_text=definition_text,
            test_case=test_case,
        )

    def _test_case(self, machine: StateMachine, name: str) -> TestCaseRun:
        """``stateMachineArn#TestCase``, as Step Functions Local reads it: a test case of the mock configuration.

        Assumed: AWS has no such suffix (``#`` is not valid in an ARN); a test
        case the configuration lacks is refused with a ValidationException
        naming what there is, rather than running the machine unmocked.
        """
        config = self.mocks.config
        if config is None:
            raise ValidationException(
                f"No mock configuration is loaded, so test case '{name}' cannot be selected: set "
                f"{ENVIRONMENT_VARIABLE}, call aws.stepfunctions.mock_config(path) or use "
                "@pytest.mark.sfn_mock_config(path)"
            )
        try:
            return TestCaseRun(config.test_case(machine.name, name))
        except KeyError as missing:
            raise ValidationException(str(missing.args[0])) from None

    @operation
    def start_execution(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str,
        name: str | None = None,
        input: str | None = None,
        trace_header: str | None = None,
    ) -> dict[str, Any]:
        execution = self._new_execution(ctx, state_machine_arn, name, input, trace_header)
        store = self._store_for(execution.arn)
        existing = store.executions.get(execution.arn)
        if existing is not None:
            # AWS: the same name and input as a running execution is idempotent.
            if existing.status == "RUNNING" and existing.input == execution.input:
                return {"executionArn": existing.arn, "startDate": existing.start_date}
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{execution.arn}'")
        store.executions[execution.arn] = execution
        # Copied before the first run, so the duplicate starts from the same input and context.
        twin = self._duplicate(execution) if self._runs_twice(execution) else None
        self.interpreter.start(execution)
        if twin is not None:
            execution.duplicates.append(twin)
            self.interpreter.start(twin)
        return {"executionArn": execution.arn, "startDate": execution.start_date}

    @operation
    def start_sync_execution(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str,
        name: str | None = None,
        input: str | None = None,
        trace_header: str | None = None,
        included_data: str | None = None,
    ) -> dict[str, Any]:
        execution = self._new_execution(ctx, state_machine_arn, name, input, trace_header)
        if execution.type != "EXPRESS":
            raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
        self._store_for(execution.arn).executions[execution.arn] = execution
        self.interpreter.start(execution)
        # The caller blocks until the execution ends: virtual time passes meanwhile.
        deadline = execution.start_date.timestamp() + EXPRESS_MAX_SECONDS
        if not self._run_clock(lambda: execution.closed, deadline, stand_at_deadline=True):
            self.interpreter.close(execution, "TIMED_OUT", error="States.Timeout", cause="")
        out = {
            k: v
            for k, v in execution.describe().items()
            if k not in ("redriveCount", "redriveStatus", "redriveStatusReason", "mapRunArn")
        }
        out["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": max(
                100,
                int(
                    (execution.stop_date or execution.start_date).timestamp() * 1000
                    - execution.start_date.timestamp() * 1000
                ),
            ),
        }
        return out

    # -- describing ----------------------------------------------------------------

    @operation
    def describe_execution(
        self, ctx: RequestContext, *, execution_arn: str, included_data: str | None = None
    ) -> dict[str, Any]:
        out = self._execution(execution_arn).describe()
        if included_data == "METADATA_ONLY":
            for key in ("input", "output"):
                out.pop(key, None)
            out["inputDetails"] = {"included": False}
            if "outputDetails" in out:
                out["outputDetails"] = {"included": False}
        return out

    @operation
    def list_executions(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str | None = None,
        status_filter: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        map_run_arn: str | None = None,
        redrive_filter: str | None = None,
    ) -> dict[str, Any]:
        if (state_machine_arn is None) == (map_run_arn is None):
            raise ValidationException("Exactly one of stateMachineArn and mapRunArn must be specified")
        if map_run_arn is not None:
            run = self._map_run(map_run_arn)
            executions = list(reversed(run.children))
        else:
            assert state_machine_arn is not None
            machine, version, alias = self._machine(state_machine_arn)
            if machine.type == "EXPRESS":
                raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
            executions = [
                e
                for e in reversed(list(self._store_for(machine.arn).executions.values()))
                if e.machine is machine
                and e.map_run_arn is None
                and (version is None or e.version_arn == version.arn)
                and (alias is None or e.alias_arn == alias.arn)
            ]
        if status_filter:
            executions = [e for e in executions if e.status == status_filter]
        if redrive_filter == "REDRIVEN":
            executions = [e for e in executions if e.redrive_count > 0]
        elif redrive_filter == "NOT_REDRIVEN":
            executions = [e for e in executions if e.redrive_count == 0]
        return _listing("executions", executions, max_results, next_token, Execution.list_item)

    @operation
    def get_execution_history(
        self,
        ctx: RequestContext,
        *,
        execution_arn: str,
        max_results: int | None = None,
        reverse_order: bool = False,
        next_token: str | None = None,
        include_execution_data: bool | None = None,
    ) -> dict[str, Any]:
        execution = self._execution(execution_arn)
        include = include_execution_data is not False
        try:
            # A token is good for the same execution and options for 24 hours (core/histories.py).
            events, token = execution.history.page(
                next_token,
                max_results,
                now=ctx.now,
                reverse=reverse_order,
                query=[execution.arn, include],
                default_size=100,
            )
        except InvalidPageToken:
            raise InvalidToken(f"Invalid Token: '{next_token}'") from None
        out: dict[str, Any] = {"events": [event.as_dict(include) for event in events]}
        if token:
            out["nextToken"] = token
        return out

    # -- stopping and redriving ------------------------------------------------------

    @operation
    def stop_execution(
        self, ctx: RequestContext, *, execution_arn: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        execution = self._execution(execution_arn, express_ok=True)
        if execution.type == "EXPRESS" and execution.machine.type == "EXPRESS" and execution.map_run_arn is None:
            raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")
        if not execution.closed:
            root = execution.root
            current = getattr(root, "current", None)
            if current is not None:
                execution.failed_at = (current.name, current.input)
            self.interpreter.close(execution, "ABORTED", error=error, cause=cause)
        return {"stopDate": execution.stop_date}

    @operation
    def redrive_execution(
        self, ctx: RequestContext, *, execution_arn: str, client_token: str | None = None
    ) -> dict[str, Any]:
        execution = self._execution(execution_arn)
        if execution.map_run_arn is not None:
            raise ExecutionNotRedrivable(
                f"Execution is a child of Map Run {execution.map_run_arn}: redrive the parent execution"
            )
        if execution.status not in ("FAILED", "TIMED_OUT", "ABORTED") or execution.failed_at is None:
            raise ExecutionNotRedrivable(f"Execution is {execution.status} and cannot be redriven: '{execution_arn}'")
        if ctx.now - execution.start_date.timestamp() > 14 * 86400:
            raise ExecutionNotRedrivable("Execution can only be redriven within 14 days of its start")
        self.interpreter.redrive(execution)
        return {"redriveDate": execution.redrive_date}

    # -- callbacks -------------------------------------------------------------------

    def _task(self, token: str) -> PendingTask:
        ticket = self.tokens.find(token)
        if ticket is not None:
            return ticket.payload
        if self.tokens.spent(token):
            raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
        if len(token) < 64:
            raise InvalidToken("Invalid Token: 'Invalid token'")
        raise TaskDoesNotExist("Task Does Not Exist: 'Provided task does not exist'")

    @operation
    def send_task_success(self, ctx: RequestContext, *, task_token: str, output: str) -> dict[str, Any]:
        task = self._task(task_token)
        try:
            value = json.loads(output)
        except ValueError:
            raise InvalidOutput(f"Invalid Output: '{output}'") from None
        task.succeed(value)
        return {}

    @operation
    def send_task_failure(
        self, ctx: RequestContext, *, task_token: str, error: str | None = None, cause: str | None = None
    ) -> dict[str, Any]:
        self._task(task_token).fail(error or "", cause or "")
        return {}

    @operation
    def send_task_heartbeat(self, ctx: RequestContext, *, task_token: str) -> dict[str, Any]:
        self._task(task_token).heartbeat()
        return {}

    @operation
    def get_activity_task(
        self, ctx: RequestContext, *, activity_arn: str, worker_name: str | None = None
    ) -> dict[str, Any]:
        """A long poll: up to 60 seconds of virtual time pass while nothing is scheduled."""
        activity = self._activity(activity_arn)

        def ready() -> bool:
            while activity.queue and activity.queue[0].closed:  # answered or timed out while queued
                activity.queue.popleft()
            return bool(activity.queue)

        deadline = self.cloud.clock.now() + ACTIVITY_POLL_SECONDS
        if not self._run_clock(ready, deadline, stand_at_deadline=True):
            return {}
        task = activity.queue.popleft()
        if task.started is not None:
            task.started(worker_name or "")
        return {"taskToken": task.token, "input": task.input}

    # -- production quirks -----------------------------------------------------------------

    def duplicate_rate(self, machine: StateMachine) -> float:
        """The duplicate-run chance :meth:`quirks` set for a machine (0 for Standard)."""
        if machine.type != "EXPRESS":
            return 0.0
        return self.duplicate_rates.lookup(machine.name, machine.arn) or 0.0

    def _runs_twice(self, execution: Execution) -> bool:
        # Draws from the seed only while a quirk covers the machine, so switching
        # quirks on for one machine leaves every other run's ids as they were.
        rate = self.duplicate_rate(execution.machine)
        return bool(rate) and self.cloud.ids.random() < rate

    @staticmethod
    def _duplicate(execution: Execution) -> Execution:
        """A second run of a not yet started execution: same ARN, name, input and start time.

        Assumed: AWS gives Express executions no per-execution history and
        says nothing of how a duplicate shows, so the duplicate stays out of
        the API (DescribeExecution and GetExecutionHistory refuse Express
        ARNs, ListExecutions refuses Express machines) and is seen only
        through its side effects and the Python view
        (``aws.stepfunctions.execution(arn).runs`` / ``.duplicates``). It
        shares the execution's ARN, so ``$$.Execution.Id`` is the same in
        both runs: what an idempotency key should be built from. It starts at
        the same virtual instant, once the first run has gone as far as it
        can without time passing.
        """
        return dataclasses.replace(
            execution,
            history=History(),
            steps=[],
            on_close=[],
            map_results={},
            redrive_map_results={},
            duplicates=[],
            root=None,
            test_case=execution.test_case.fresh() if execution.test_case is not None else None,
        )

    # -- the Python view ---------------------------------------------------------------

    def wait_for(self, arn: str, *, max_seconds: float = 366 * 86400.0) -> ExecutionView:
        """Move virtual time until the execution closes (or ``max_seconds`` pass), then view it.

        The service side of :meth:`~.view.StepFunctionsView.wait_for`.
        """
        execution = self.execution_by_arn(arn)
        if execution is None:
            raise KeyError(f"no execution {arn!r}")
        with self.cloud.lock:
            deadline = self.cloud.clock.now() + max_seconds
            self._run_clock(lambda: execution.closed, deadline, stand_at_deadline=False)
        return ExecutionView(execution)

    @property
    def pending_tasks(self) -> list[TaskView]:
        """Tasks waiting for SendTaskSuccess/Failure (callbacks and activity tasks), oldest first."""
        return [TaskView(ticket.payload, self.cloud.lock) for ticket in self.tokens]

    def mock_task(self, state: str, *answers: Any, machine: str | None = None) -> None:
        """Answer Task state ``state`` with ``answers`` in turn (the last repeats) instead of its resource.

        An answer is the task's result, or a :class:`TaskFailure` to fail it.
        Mock before CreateStateMachine to run a Task whose resource the kit does not fake.
        """
        self.mocks.add(state, list(answers), machine)

    def mock_config(self, config: Any) -> None:
        """Load a mock configuration (a path or a parsed dict) in Step Functions Local's format.

        It replaces the one loaded before (``SFN_MOCK_CONFIG``'s included);
        ``None`` unloads it.
        """
        self.mocks.config = None if config is None else MockConfig.load(config)

    def report_sections(self) -> list[tuple[str, str]]:
        lines = []
        for store in self.stores().values():
            for execution in store.executions.values():
                view = ExecutionView(execution)
                lines.append(
                    f"{execution.arn} {execution.status}"
                    + (f" {execution.error}: {execution.cause}" if execution.error else "")
                    + (f" (ran {view.runs} times: aws.stepfunctions.quirks)" if execution.duplicates else "")
                )
                lines.extend(f"    {step['state']} <- {dumps(step['input'])[:200]}" for step in view.path)
                if execution.status in ("FAILED", "TIMED_OUT", "ABORTED"):
                    lines.append("    as a Mermaid flowchart (paste into any Markdown viewer):")
                    lines.extend("    " + line for line in view.diagram().splitlines())
        return [("aws stepfunctions executions", "\n".join(lines))] if lines else []
