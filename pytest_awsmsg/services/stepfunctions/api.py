"""The Step Functions fake: one method per operation of the botocore model.

Executions run in :mod:`.interpreter`; state machines, versions and aliases
live here, executions and tasks in :mod:`.execution_ops`, and the rest
(activities, map runs, tags, validation, TestState) in :mod:`.resource_ops`.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.service import operation
from ..base import RequestContext
from .common import StepFunctionsBase, _check_name, _listing, _tags
from .errors import (
    ConflictException,
    InvalidArn,
    MissingRequiredParameter,
    ResourceNotFound,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    ValidationException,
)
from .execution_ops import ExecutionOps
from .models import Alias, StateMachine, Version
from .resource_ops import ResourceOps
from .view import StepFunctionsView

# CharacterRestrictedName in the model: not only digits (that would read as a version number).
_ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$")


class StateMachineOps(StepFunctionsBase):
    """State machines, versions and aliases."""

    # -- state machines --------------------------------------------------------

    @operation
    def create_state_machine(
        self,
        ctx: RequestContext,
        *,
        name: str,
        definition: str,
        role_arn: str,
        type: str = "STANDARD",
        logging_configuration: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
        publish: bool = False,
        version_description: str | None = None,
        encryption_configuration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        _check_name(name)
        self._validate(definition, type, name)
        self._check_configuration(logging_configuration, encryption_configuration)
        if version_description and not publish:
            raise ValidationException("Version description can only be set when publish is true")
        store = self.ctx_store(ctx)
        arn = ctx.arn(f"stateMachine:{name}", "states")
        existing = store.machines.get(arn)
        if existing is not None:
            if existing.definition != definition or existing.role_arn != role_arn or existing.type != type:
                raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": existing.creation_date}
        machine = StateMachine(
            arn,
            name,
            definition,
            role_arn,
            type,
            ctx.now_dt,
            self.cloud.ids.uuid4(),
            logging=logging_configuration or {"level": "OFF", "includeExecutionData": False},
            tracing=tracing_configuration or {"enabled": False},
            encryption=encryption_configuration,
            tags=_tags(tags),
        )
        store.machines[arn] = machine
        out: dict[str, Any] = {"stateMachineArn": arn, "creationDate": machine.creation_date}
        if publish:
            out["stateMachineVersionArn"] = self._publish(ctx, machine, version_description).arn
        return out

    def _publish(self, ctx: RequestContext, machine: StateMachine, description: str | None) -> Version:
        latest = machine.versions.get(machine.next_version - 1)
        if latest is not None and latest.revision_id == machine.revision_id:
            return latest
        number = machine.next_version
        machine.next_version += 1
        version = Version(
            f"{machine.arn}:{number}",
            number,
            machine.definition,
            machine.role_arn,
            machine.revision_id,
            description,
            ctx.now_dt,
        )
        machine.versions[number] = version
        return version

    @operation
    def describe_state_machine(
        self, ctx: RequestContext, *, state_machine_arn: str, included_data: str | None = None
    ) -> dict[str, Any]:
        machine, version, alias = self._machine(state_machine_arn)
        if alias is not None:
            raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: alias'")
        # A version describes its own snapshot; name, type and configuration are the machine's.
        source: StateMachine | Version = machine if version is None else version
        out: dict[str, Any] = {
            "stateMachineArn": source.arn,
            "name": machine.name,
            "status": "ACTIVE",
            "definition": source.definition,
            "roleArn": source.role_arn,
            "type": machine.type,
            "creationDate": source.creation_date,
            "loggingConfiguration": machine.logging,
            "tracingConfiguration": machine.tracing,
            **machine.shown_revision(source.revision_id),
        }
        if version is not None and version.description:
            out["description"] = version.description
        if machine.encryption:
            out["encryptionConfiguration"] = machine.encryption
        return out

    @operation
    def list_state_machines(
        self, ctx: RequestContext, *, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        machines = sorted(self.ctx_store(ctx).machines.values(), key=lambda m: m.name)
        return _listing(
            "stateMachines",
            machines,
            max_results,
            next_token,
            lambda m: {"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": m.creation_date},
        )

    @operation
    def update_state_machine(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str,
        definition: str | None = None,
        role_arn: str | None = None,
        logging_configuration: dict[str, Any] | None = None,
        tracing_configuration: dict[str, Any] | None = None,
        publish: bool = False,
        version_description: str | None = None,
        encryption_configuration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        machine = self._unqualified_machine(state_machine_arn)
        if all(
            v is None
            for v in (definition, role_arn, logging_configuration, tracing_configuration, encryption_configuration)
        ):
            raise MissingRequiredParameter(
                "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration "
                "or the TracingConfiguration must be specified"
            )
        self._check_configuration(logging_configuration, encryption_configuration)
        if definition is not None:
            self._validate(definition, machine.type, machine.name)
            if definition != machine.definition:
                machine.definition = definition
                machine.revision_id = self.cloud.ids.uuid4()
        if role_arn is not None and role_arn != machine.role_arn:
            machine.role_arn = role_arn
            machine.revision_id = self.cloud.ids.uuid4()
        if logging_configuration is not None:
            machine.logging = logging_configuration
        if tracing_configuration is not None:
            machine.tracing = tracing_configuration
        if encryption_configuration is not None:
            machine.encryption = encryption_configuration
        machine.update_date = ctx.now_dt
        out: dict[str, Any] = {"updateDate": machine.update_date, "revisionId": machine.revision_id}
        if publish:
            out["stateMachineVersionArn"] = self._publish(ctx, machine, version_description).arn
        return out

    @operation
    def delete_state_machine(self, ctx: RequestContext, *, state_machine_arn: str) -> dict[str, Any]:
        _, _, _, rest = self._parse_arn(state_machine_arn, "stateMachine")
        if ":" in rest:
            raise ValidationException(
                "Service does not support deleting a version or an alias with DeleteStateMachine: use "
                "DeleteStateMachineVersion or DeleteStateMachineAlias"
            )
        # Deleting a machine that does not exist succeeds, as AWS's does.
        self._store_for(state_machine_arn).machines.pop(state_machine_arn, None)
        return {}

    @operation
    def describe_state_machine_for_execution(
        self, ctx: RequestContext, *, execution_arn: str, included_data: str | None = None
    ) -> dict[str, Any]:
        execution = self._execution(execution_arn)
        machine = execution.machine
        out: dict[str, Any] = {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "definition": execution.definition_text,
            "roleArn": execution.role_arn,
            "updateDate": machine.update_date or machine.creation_date,
            "loggingConfiguration": machine.logging,
            "tracingConfiguration": machine.tracing,
            **machine.shown_revision(machine.revision_id),
        }
        if execution.map_run_arn:
            out["mapRunArn"] = execution.map_run_arn
        return out

    # -- versions and aliases ------------------------------------------------------

    @operation
    def publish_state_machine_version(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str,
        revision_id: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        machine = self._unqualified_machine(state_machine_arn)
        if revision_id is not None and revision_id != machine.revision_id:
            raise ConflictException(
                f"Failed to publish the State Machine version for revision {revision_id}. "
                f"The current State Machine revision is {machine.revision_id}."
            )
        published = self._publish(ctx, machine, description)
        return {"creationDate": published.creation_date, "stateMachineVersionArn": published.arn}

    @operation
    def list_state_machine_versions(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        try:
            machine, _, _ = self._machine(state_machine_arn)
        except StateMachineDoesNotExist:
            # The model documents no StateMachineDoesNotExist here. Assumption: like AWS's
            # other list operations, a machine that does not exist has no versions.
            self._parse_arn(state_machine_arn, "stateMachine")
            return {"stateMachineVersions": []}
        versions = sorted(machine.versions.values(), key=lambda v: -v.number)
        return _listing(
            "stateMachineVersions",
            versions,
            max_results,
            next_token,
            lambda v: {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date},
        )

    @operation
    def delete_state_machine_version(self, ctx: RequestContext, *, state_machine_version_arn: str) -> dict[str, Any]:
        try:
            machine, version, _ = self._machine(state_machine_version_arn)
        except StateMachineDoesNotExist:
            return {}
        if version is None:
            raise ValidationException(f"Invalid version ARN: '{state_machine_version_arn}'")
        users = [
            a.name
            for a in machine.aliases.values()
            if any(r["stateMachineVersionArn"] == version.arn for r in a.routing)
        ]
        if users:
            raise ConflictException(
                "Version to be deleted must not be referenced by an alias. Current list of aliases referencing "
                f"this version: [{', '.join(users)}]"
            )
        del machine.versions[version.number]
        return {}

    def _routing(self, routing: list[dict[str, Any]]) -> tuple[StateMachine, list[dict[str, Any]]]:
        """The machine a routing configuration points into, checked with AWS's messages (recorded)."""
        if not 1 <= len(routing) <= 2:
            raise ValidationException("Routing configuration must contain one or two versions")
        arns = [r["stateMachineVersionArn"] for r in routing]
        received = f"Received: [{', '.join(arns)}]"
        found = [self._machine_or_not_found(arn) for arn in arns]
        if any(version is None for _, version, _ in found):
            raise ValidationException(f"Routing configuration must contain state machine version ARNs. {received}")
        if len(set(arns)) != len(arns):
            raise ValidationException(
                f"Routing configuration must contain distinct state machine version ARNs. {received}"
            )
        if sum(r["weight"] for r in routing) != 100:
            weights = ", ".join(str(r["weight"]) for r in routing)
            raise ValidationException(f"Sum of routing configuration weights must equal 100. Received: [{weights}]")
        # Assumption: AWS's wording for versions of two different machines is not recorded.
        if len({machine.arn for machine, _, _ in found}) != 1:
            raise ValidationException(
                f"Routing configuration must contain versions of a single state machine. {received}"
            )
        return found[0][0], [dict(r) for r in routing]

    @operation
    def create_state_machine_alias(
        self,
        ctx: RequestContext,
        *,
        name: str,
        routing_configuration: list[dict[str, Any]],
        description: str | None = None,
    ) -> dict[str, Any]:
        if not _ALIAS_NAME.match(name):
            # The model's pattern, in the words AWS's model validation uses (recorded).
            raise ValidationException(
                f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {_ALIAS_NAME.pattern}"
            )
        machine, routing = self._routing(routing_configuration)
        arn = f"{machine.arn}:{name}"
        existing = machine.aliases.get(name)
        if existing is not None:
            if existing.routing != routing or existing.description != description:
                raise ConflictException(
                    "Failed to create alias because an alias with the same name and a different routing "
                    "configuration already exists."
                )
            return {"stateMachineAliasArn": arn, "creationDate": existing.creation_date}
        # AWS reports an updateDate from the start (the creation date until an update).
        now = ctx.now_dt  # one reading: on an unfrozen clock two would differ
        alias = Alias(arn, name, description, routing, now, now)
        machine.aliases[name] = alias
        return {"stateMachineAliasArn": arn, "creationDate": alias.creation_date}

    def _alias(self, arn: str) -> tuple[StateMachine, Alias]:
        try:
            machine, _, alias = self._machine(arn)
        except (StateMachineDoesNotExist, ResourceNotFound):
            # Recorded from AWS (UpdateStateMachineAlias of an alias that does not exist).
            raise ResourceNotFound("Request references a resource that does not exist.") from None
        if alias is None:
            raise ValidationException(f"Invalid alias ARN: '{arn}'")
        return machine, alias

    @operation
    def describe_state_machine_alias(self, ctx: RequestContext, *, state_machine_alias_arn: str) -> dict[str, Any]:
        _, alias = self._alias(state_machine_alias_arn)
        out: dict[str, Any] = {
            "stateMachineAliasArn": alias.arn,
            "name": alias.name,
            "routingConfiguration": alias.routing,
            "creationDate": alias.creation_date,
        }
        if alias.description is not None:
            out["description"] = alias.description
        if alias.update_date is not None:
            out["updateDate"] = alias.update_date
        return out

    @operation
    def update_state_machine_alias(
        self,
        ctx: RequestContext,
        *,
        state_machine_alias_arn: str,
        description: str | None = None,
        routing_configuration: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        machine, alias = self._alias(state_machine_alias_arn)
        if description is None and routing_configuration is None:
            raise ValidationException("Either description or routingConfiguration must be specified")
        if routing_configuration is not None:
            owner, routing = self._routing(routing_configuration)
            if owner is not machine:
                raise ValidationException("An alias can only route to versions of its own state machine")
            alias.routing = routing
        if description is not None:
            alias.description = description
        alias.update_date = ctx.now_dt
        return {"updateDate": alias.update_date}

    @operation
    def delete_state_machine_alias(self, ctx: RequestContext, *, state_machine_alias_arn: str) -> dict[str, Any]:
        try:
            machine, alias = self._alias(state_machine_alias_arn)
        except ResourceNotFound:
            return {}  # recorded from AWS: deleting an alias that does not exist succeeds
        del machine.aliases[alias.name]
        return {}

    @operation
    def list_state_machine_aliases(
        self,
        ctx: RequestContext,
        *,
        state_machine_arn: str,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        machine, _, _ = self._machine_or_not_found(state_machine_arn)
        aliases = sorted(machine.aliases.values(), key=lambda a: a.name)
        return _listing(
            "stateMachineAliases",
            aliases,
            max_results,
            next_token,
            lambda a: {"stateMachineAliasArn": a.arn, "creationDate": a.creation_date},
        )


class StepFunctionsService(StateMachineOps, ExecutionOps, ResourceOps):
    """AWS Step Functions: real state machine definitions run by an ASL interpreter in virtual time."""

    name = "stepfunctions"
    view_class = StepFunctionsView
