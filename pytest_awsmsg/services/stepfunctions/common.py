"""What every group of Step Functions operations shares: ARNs, lookups, paging, names."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ...core.paging import InvalidPageToken, page
from ...core.protocols.validation import missing_member
from ...core.quirks import QuirkSettings
from ...core.tasktokens import TaskTokens
from ..base import Service
from . import validation
from .errors import (
    ERRORS,
    ActivityDoesNotExist,
    ExecutionDoesNotExist,
    InvalidArn,
    InvalidDefinition,
    InvalidEncryptionConfiguration,
    InvalidLoggingConfiguration,
    InvalidName,
    InvalidToken,
    ResourceNotFound,
    StateMachineDoesNotExist,
    TooManyTags,
)
from .interpreter import Interpreter
from .mock_config import from_environment
from .mocks import Mocks
from .models import Activity, Alias, Execution, MapRun, PendingTask, StateMachine, Store, Version, dumps
from .s3items import CallableS3

_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ARN = re.compile(r"^arn:aws[\w-]*:states:([a-z0-9-]+):(\d{12}):(\w+):(.+)$")


def _check_name(name: str) -> None:
    if not 1 <= len(name) <= 80 or _BAD_NAME.search(name):
        raise InvalidName(f"Invalid Name: '{name}'")


def _tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    for index, tag in enumerate(tags or []):
        if tag.get("key") is None:  # optional in the model, needed by AWS
            raise missing_member("stepfunctions", f"tags.{index + 1}.member.key")
    out = {t["key"]: t.get("value", "") for t in tags or []}
    if len(out) > 50:
        raise TooManyTags("Too many tags: a resource may have at most 50 tags.")
    return out


def _page(
    items: list[Any], max_results: int | None, next_token: str | None, default: int = 100
) -> tuple[list[Any], str | None]:
    try:
        return page(items, next_token, max_results, default_size=default)
    except InvalidPageToken:
        raise InvalidToken(f"Invalid Token: '{next_token}'") from None


def _listing(
    key: str,
    items: list[Any],
    max_results: int | None,
    next_token: str | None,
    entry: Callable[[Any], Any],
) -> dict[str, Any]:
    """A List*/GetExecutionHistory answer: one page of ``entry(item)`` under ``key``, ``nextToken`` if more."""
    chunk, token = _page(items, max_results, next_token)
    out: dict[str, Any] = {key: [entry(item) for item in chunk]}
    if token:
        out["nextToken"] = token
    return out


class StepFunctionsBase(Service[Store]):
    """Shared state and lookups of the Step Functions fake."""

    name = "stepfunctions"
    error_classes = ERRORS
    # A KMS key or a revision is not a state machine, execution or activity.
    not_resources = frozenset({"kmsKeyId", "revisionId"})

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.interpreter = Interpreter(self)
        self.mocks = Mocks(config=from_environment())
        # aws.stepfunctions.s3(...): the test's S3 for Map ItemReader/ResultWriter (None: boto3, moto answering).
        self.s3_access: CallableS3 | None = None
        # Callback and activity task tokens, with their timeout and heartbeat timers.
        self.tokens: TaskTokens[PendingTask] = TaskTokens(cloud.clock, self._new_token)
        # aws.stepfunctions.quirks: duplicate-run chance by machine name or ARN (None: every machine).
        self.duplicate_rates: QuirkSettings[float] = QuirkSettings()

    def new_store(self, account_id: str, region: str) -> Store:
        return Store()

    # -- helpers used by the interpreter ---------------------------------------

    def _new_token(self) -> str:
        return "AQC" + self.cloud.ids.alnum(253, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    def forget_tasks(self, execution: Execution) -> None:
        for ticket in self.tokens:
            if ticket.payload.execution is execution:
                ticket.close("ABORTED")

    def _parse_arn(self, arn: str, *kinds: str) -> tuple[str, str, str, str]:
        found = _ARN.match(arn or "")
        if not found:
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        region, account, kind, rest = found.groups()
        if kinds and kind not in kinds:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {kind}'")
        return region, account, kind, rest

    def _store_for(self, arn: str) -> Store:
        region, account, _, _ = self._parse_arn(arn)
        return self.store(account, region)

    def find_activity(self, arn: str) -> Activity | None:
        try:
            return self._store_for(arn).activities.get(arn)
        except InvalidArn:
            return None

    def _activity(self, arn: str) -> Activity:
        """The activity an API call names, or AWS's ActivityDoesNotExist."""
        self._parse_arn(arn, "activity")
        activity = self._store_for(arn).activities.get(arn)
        if activity is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return activity

    def execution_by_arn(self, arn: str) -> Execution | None:
        try:
            return self._store_for(arn).executions.get(arn)
        except InvalidArn:
            return None

    def _run_clock(self, done: Callable[[], bool], deadline: float, *, stand_at_deadline: bool) -> bool:
        """Wait in virtual time until ``done()`` or ``deadline`` (the cloud's one waiting primitive).

        This is how a caller blocks (StartSyncExecution, the GetActivityTask
        long poll, ``wait_for``): the caller sees the instant it would have
        returned at on AWS, and activity workers on other threads get to
        answer before time moves on. Returns ``done()``.
        """
        timeout = deadline - self.cloud.clock.now()
        return self.cloud.wait_for(done, timeout, stand_at_deadline=stand_at_deadline)

    def _machine(self, arn: str) -> tuple[StateMachine, Version | None, Alias | None]:
        """A state machine, version or alias ARN resolved to (machine, version, alias)."""
        _, _, _, rest = self._parse_arn(arn, "stateMachine")
        _, _, qualifier = rest.partition(":")
        base = arn[: len(arn) - len(qualifier) - 1] if qualifier else arn
        machine = self._store_for(arn).machines.get(base)
        if machine is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        if not qualifier:
            return machine, None, None
        if qualifier.isdigit():
            version = machine.versions.get(int(qualifier))
            if version is None:
                raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
            return machine, version, None
        alias = machine.aliases.get(qualifier)
        if alias is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return machine, None, alias

    def _machine_or_not_found(self, arn: str) -> tuple[StateMachine, Version | None, Alias | None]:
        """:meth:`_machine` for the alias operations, which report a missing machine as ResourceNotFound."""
        try:
            return self._machine(arn)
        except StateMachineDoesNotExist as missing:
            raise ResourceNotFound(missing.message) from None

    def _unqualified_machine(self, arn: str) -> StateMachine:
        """A state machine named by its own ARN: versions and aliases cannot be updated or published."""
        machine, version, alias = self._machine(arn)
        if version is not None or alias is not None:
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        return machine

    def _execution(self, arn: str, *, express_ok: bool = False) -> Execution:
        _, _, kind, _ = self._parse_arn(arn, "execution", "express")
        if kind == "express" and not express_ok:
            raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")
        found = self._store_for(arn).executions.get(arn)
        if found is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return found

    def _validate(self, definition: str, machine_type: str, machine_name: str) -> dict[str, Any]:
        """Refuse a definition AWS would refuse, or one the interpreter cannot run unless a test mocks it.

        A mock scoped to this machine (``mock_task(..., machine=name)``) counts, as one for every machine does.
        """
        problems = validation.errors_only(
            validation.diagnose(definition, machine_type, lambda state: self.mocks.has(machine_name, state))
        )
        if problems:
            raise InvalidDefinition(validation.format_invalid(problems))
        parsed: dict[str, Any] = json.loads(definition)
        return parsed

    @staticmethod
    def _check_configuration(logging: dict[str, Any] | None, encryption: dict[str, Any] | None) -> None:
        """The logging and encryption settings AWS refuses at CreateStateMachine/UpdateStateMachine."""
        if logging is not None:
            destinations = logging.get("destinations") or []
            if logging.get("level", "OFF") != "OFF" and len(destinations) != 1:
                raise InvalidLoggingConfiguration(
                    "Invalid Logging Configuration: Must specify exactly one Log Destination."
                )
        if encryption is not None:
            kind = encryption.get("type")
            if kind == "CUSTOMER_MANAGED_KMS_KEY" and not encryption.get("kmsKeyId"):
                raise InvalidEncryptionConfiguration(
                    "Invalid Encryption Configuration: kmsKeyId is required for CUSTOMER_MANAGED_KMS_KEY"
                )
            if kind == "AWS_OWNED_KEY" and encryption.get("kmsKeyId"):
                raise InvalidEncryptionConfiguration(
                    "Invalid Encryption Configuration: kmsKeyId is not allowed for AWS_OWNED_KEY"
                )

    def _map_run(self, arn: str) -> MapRun:
        self._parse_arn(arn, "mapRun")
        run = self._store_for(arn).map_runs.get(arn)
        if run is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return run

    # -- map runs (the interpreter's side) ------------------------------------------

    def new_map_run(
        self, execution: Execution, label: str, max_concurrency: int, pct: float, count: int, total: int
    ) -> MapRun:
        arn = (
            f"arn:aws:states:{execution.region}:{execution.account_id}:mapRun:"
            f"{execution.machine.name}/{label}:{self.cloud.ids.uuid4()}"
        )
        run = MapRun(arn, execution.arn, self.cloud.clock.now_dt(), max_concurrency, pct, count, total=total)
        self.store(execution.account_id, execution.region).map_runs[arn] = run
        return run

    def new_child_execution(
        self, parent: Execution, run: MapRun, processor: dict[str, Any], data: Any, child_type: str
    ) -> Execution:
        label = run.arn.split(":")[6]
        name = self.cloud.ids.uuid4()
        arn = f"arn:aws:states:{parent.region}:{parent.account_id}:execution:{label}:{name}"
        definition = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
        if "QueryLanguage" in parent.definition:  # the child runs its states in the machine's language
            definition["QueryLanguage"] = parent.definition["QueryLanguage"]
        child = Execution(
            arn,
            name,
            parent.machine,
            definition,
            parent.role_arn,
            child_type,
            dumps(data),
            self.cloud.clock.now_dt(),
            parent.region,
            parent.account_id,
            map_run_arn=run.arn,
            definition_text=dumps(definition),
            test_case=parent.test_case,  # the iterations' Tasks answer from the parent's test case
        )
        run.children.append(child)
        self.store(parent.account_id, parent.region).executions[arn] = child
        return child
