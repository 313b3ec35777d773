"""Domains, workflow and activity types, and domain tags."""

from __future__ import annotations

from typing import Any

from ..base import RequestContext, operation
from . import checks
from .engine import SwfBase
from .errors import (
    DomainAlreadyExistsFault,
    DomainDeprecatedFault,
    LimitExceededFault,
    TooManyTagsFault,
    TypeAlreadyExistsFault,
    TypeDeprecatedFault,
    TypeNotDeprecatedFault,
    UnknownResourceFault,
    invalid,
    type_label,
)
from .models import DEPRECATED, REGISTERED, Domain, TypeRecord

MAX_RETENTION_DAYS = 90
MAX_DOMAINS = 100  # SWF's quota of registered and deprecated domains per account and Region
MAX_TYPES = 10_000  # per domain and kind
MAX_TAGS = 50
_KINDS = {"workflowType": "WorkflowType", "activityType": "ActivityType"}


class ControlOps(SwfBase):
    # -- domains -------------------------------------------------------------------

    @operation
    def register_domain(
        self,
        ctx: RequestContext,
        *,
        name: str,
        workflow_execution_retention_period_in_days: str,
        description: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        checks.name(name, "name")
        retention = workflow_execution_retention_period_in_days
        if retention != "NONE" and (not retention.isdigit() or int(retention) > MAX_RETENTION_DAYS):
            raise invalid(
                retention,
                "workflowExecutionRetentionPeriodInDays",
                f"Member must be NONE or an integer between 0 and {MAX_RETENTION_DAYS}",
            )
        new_tags = _tags(tags or [])
        store = self.ctx_store(ctx)
        if name in store.domains:
            raise DomainAlreadyExistsFault(name)
        if len(store.domains) >= MAX_DOMAINS:
            raise LimitExceededFault(f"You have reached the limit of {MAX_DOMAINS} domains.")
        domain = Domain(name, ctx.arn(f"/domain/{name}"), description, retention)
        domain.tags = new_tags
        store.domains[name] = domain
        return {}

    @operation
    def deprecate_domain(self, ctx: RequestContext, *, name: str) -> dict[str, Any]:
        domain = self.find_domain(ctx, name)
        if domain.status == DEPRECATED:
            raise DomainDeprecatedFault(name)
        domain.status = DEPRECATED
        # AWS: deprecating a domain deprecates every type registered in it.
        for record in (*domain.workflow_types.values(), *domain.activity_types.values()):
            if record.status == REGISTERED:
                record.status = DEPRECATED
                record.deprecated_at = ctx.now
        return {}

    @operation
    def undeprecate_domain(self, ctx: RequestContext, *, name: str) -> dict[str, Any]:
        domain = self.find_domain(ctx, name)
        if domain.status == REGISTERED:
            raise DomainAlreadyExistsFault(name)
        # Assumed: the types the domain's deprecation deprecated stay
        # deprecated; each is undeprecated on its own (AWS does not say).
        domain.status = REGISTERED
        return {}

    @operation
    def describe_domain(self, ctx: RequestContext, *, name: str) -> dict[str, Any]:
        domain = self.find_domain(ctx, name)
        return {
            "domainInfo": domain.info(),
            "configuration": {"workflowExecutionRetentionPeriodInDays": domain.retention},
        }

    @operation
    def list_domains(
        self,
        ctx: RequestContext,
        *,
        registration_status: str,
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
    ) -> dict[str, Any]:
        domains = sorted(
            (d for d in self.ctx_store(ctx).domains.values() if d.status == registration_status), key=lambda d: d.name
        )
        chunk, token = checks.paged(domains, next_page_token, maximum_page_size, reverse_order, registration_status)
        return {"domainInfos": [d.info() for d in chunk], "nextPageToken": token}

    # -- tags ----------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> Domain:
        for domain in self.ctx_store(ctx).domains.values():
            if domain.arn == arn:
                return domain
        raise UnknownResourceFault(f"Unknown resource: {arn}")

    @operation
    def tag_resource(self, ctx: RequestContext, *, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        domain = self._tagged(ctx, resource_arn)
        merged = {**domain.tags, **_tags(tags)}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsFault("You've exceeded the number of tags allowed for a domain.")
        domain.tags = merged
        return {}

    @operation
    def untag_resource(self, ctx: RequestContext, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        domain = self._tagged(ctx, resource_arn)
        for key in tag_keys:
            domain.tags.pop(key, None)
        return {}

    @operation
    def list_tags_for_resource(self, ctx: RequestContext, *, resource_arn: str) -> dict[str, Any]:
        domain = self._tagged(ctx, resource_arn)
        return {"tags": [{"key": k, "value": v} for k, v in domain.tags.items()]}

    # -- types ---------------------------------------------------------------------

    def _types(self, domain: Domain, kind: str) -> dict[tuple[str, str], TypeRecord]:
        return domain.workflow_types if kind == "workflowType" else domain.activity_types

    def find_type(self, domain: Domain, kind: str, ref: dict[str, str]) -> TypeRecord:
        found = self._types(domain, kind).get((ref["name"], ref["version"]))
        if found is None:
            raise UnknownResourceFault(f"Unknown type: {type_label(_KINDS[kind], ref['name'], ref['version'])}")
        return found

    def _register(
        self,
        ctx: RequestContext,
        kind: str,
        domain_name: str,
        name: str,
        version: str,
        description: str | None,
        defaults: dict[str, Any],
    ) -> dict[str, Any]:
        checks.name(name, "name")
        checks.name(version, "version", 64)
        for member, value in defaults.items():
            if member.endswith("Timeout"):
                checks.duration(
                    value,
                    member,
                    allow_none=member != "defaultExecutionStartToCloseTimeout",
                    maximum=checks.ONE_YEAR if member == "defaultExecutionStartToCloseTimeout" else None,
                )
            elif member == "defaultTaskPriority":
                checks.priority(value, member)
            elif member == "defaultTaskList":
                checks.task_list(value, member)
        domain = self.find_domain(ctx, domain_name, usable=True)
        types = self._types(domain, kind)
        if (name, version) in types:
            raise TypeAlreadyExistsFault(type_label(_KINDS[kind], name, version))
        if len(types) >= MAX_TYPES:
            raise LimitExceededFault(f"You have reached the limit of {MAX_TYPES} types in domain {domain_name}.")
        types[(name, version)] = TypeRecord(
            kind, name, version, description, ctx.now, {k: v for k, v in defaults.items() if v is not None}
        )
        return {}

    @operation
    def register_workflow_type(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        name: str,
        version: str,
        description: str | None = None,
        default_task_start_to_close_timeout: str | None = None,
        default_execution_start_to_close_timeout: str | None = None,
        default_task_list: dict[str, str] | None = None,
        default_task_priority: str | None = None,
        default_child_policy: str | None = None,
        default_lambda_role: str | None = None,
    ) -> dict[str, Any]:
        defaults = {
            "defaultTaskStartToCloseTimeout": default_task_start_to_close_timeout,
            "defaultExecutionStartToCloseTimeout": default_execution_start_to_close_timeout,
            "defaultTaskList": default_task_list,
            "defaultTaskPriority": default_task_priority,
            "defaultChildPolicy": default_child_policy,
            "defaultLambdaRole": default_lambda_role,
        }
        return self._register(ctx, "workflowType", domain, name, version, description, defaults)

    @operation
    def register_activity_type(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        name: str,
        version: str,
        description: str | None = None,
        default_task_start_to_close_timeout: str | None = None,
        default_task_heartbeat_timeout: str | None = None,
        default_task_list: dict[str, str] | None = None,
        default_task_priority: str | None = None,
        default_task_schedule_to_start_timeout: str | None = None,
        default_task_schedule_to_close_timeout: str | None = None,
    ) -> dict[str, Any]:
        defaults = {
            "defaultTaskStartToCloseTimeout": default_task_start_to_close_timeout,
            "defaultTaskHeartbeatTimeout": default_task_heartbeat_timeout,
            "defaultTaskList": default_task_list,
            "defaultTaskPriority": default_task_priority,
            "defaultTaskScheduleToStartTimeout": default_task_schedule_to_start_timeout,
            "defaultTaskScheduleToCloseTimeout": default_task_schedule_to_close_timeout,
        }
        return self._register(ctx, "activityType", domain, name, version, description, defaults)

    def _describe(self, ctx: RequestContext, kind: str, domain: str, ref: dict[str, str]) -> dict[str, Any]:
        record = self.find_type(self.find_domain(ctx, domain), kind, ref)
        return {"typeInfo": record.info(), "configuration": dict(record.defaults)}

    @operation
    def describe_workflow_type(
        self, ctx: RequestContext, *, domain: str, workflow_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._describe(ctx, "workflowType", domain, workflow_type)

    @operation
    def describe_activity_type(
        self, ctx: RequestContext, *, domain: str, activity_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._describe(ctx, "activityType", domain, activity_type)

    def _deprecate(self, ctx: RequestContext, kind: str, domain: str, ref: dict[str, str]) -> dict[str, Any]:
        record = self.find_type(self.find_domain(ctx, domain), kind, ref)
        if record.status == DEPRECATED:
            raise TypeDeprecatedFault(type_label(_KINDS[kind], record.name, record.version))
        record.status = DEPRECATED
        record.deprecated_at = ctx.now
        return {}

    @operation
    def deprecate_workflow_type(
        self, ctx: RequestContext, *, domain: str, workflow_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._deprecate(ctx, "workflowType", domain, workflow_type)

    @operation
    def deprecate_activity_type(
        self, ctx: RequestContext, *, domain: str, activity_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._deprecate(ctx, "activityType", domain, activity_type)

    def _undeprecate(self, ctx: RequestContext, kind: str, domain: str, ref: dict[str, str]) -> dict[str, Any]:
        record = self.find_type(self.find_domain(ctx, domain), kind, ref)
        if record.status == REGISTERED:
            raise TypeAlreadyExistsFault(type_label(_KINDS[kind], record.name, record.version))
        record.status = REGISTERED
        record.deprecated_at = None
        return {}

    @operation
    def undeprecate_workflow_type(
        self, ctx: RequestContext, *, domain: str, workflow_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._undeprecate(ctx, "workflowType", domain, workflow_type)

    @operation
    def undeprecate_activity_type(
        self, ctx: RequestContext, *, domain: str, activity_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._undeprecate(ctx, "activityType", domain, activity_type)

    def _delete(self, ctx: RequestContext, kind: str, domain_name: str, ref: dict[str, str]) -> dict[str, Any]:
        domain = self.find_domain(ctx, domain_name)
        record = self.find_type(domain, kind, ref)
        if record.status != DEPRECATED:
            raise TypeNotDeprecatedFault(type_label(_KINDS[kind], record.name, record.version))
        del self._types(domain, kind)[(record.name, record.version)]
        return {}

    @operation
    def delete_workflow_type(
        self, ctx: RequestContext, *, domain: str, workflow_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._delete(ctx, "workflowType", domain, workflow_type)

    @operation
    def delete_activity_type(
        self, ctx: RequestContext, *, domain: str, activity_type: dict[str, str]
    ) -> dict[str, Any]:
        return self._delete(ctx, "activityType", domain, activity_type)

    def _list(
        self,
        ctx: RequestContext,
        kind: str,
        domain: str,
        name: str | None,
        status: str,
        token: str | None,
        size: int | None,
        reverse: bool | None,
    ) -> dict[str, Any]:
        records = sorted(
            (
                r
                for r in self._types(self.find_domain(ctx, domain), kind).values()
                if r.status == status and (name is None or r.name == name)
            ),
            key=lambda r: (r.name, r.version),
        )
        chunk, next_token = checks.paged(records, token, size, reverse, [kind, domain, name, status])
        return {"typeInfos": [r.info() for r in chunk], "nextPageToken": next_token}

    @operation
    def list_workflow_types(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        registration_status: str,
        name: str | None = None,
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
    ) -> dict[str, Any]:
        return self._list(
            ctx, "workflowType", domain, name, registration_status, next_page_token, maximum_page_size, reverse_order
        )

    @operation
    def list_activity_types(
        self,
        ctx: RequestContext,
        *,
        domain: str,
        registration_status: str,
        name: str | None = None,
        next_page_token: str | None = None,
        maximum_page_size: int | None = None,
        reverse_order: bool | None = None,
    ) -> dict[str, Any]:
        return self._list(
            ctx, "activityType", domain, name, registration_status, next_page_token, maximum_page_size, reverse_order
        )


def _tags(tags: list[dict[str, str]]) -> dict[str, str]:
    result = {}
    for tag in tags:
        key = tag["key"]
        if not 1 <= len(key) <= 128:
            raise invalid(key, "tags.member.key", "Member must have length between 1 and 128")
        value = tag.get("value", "")
        if len(value) > 256:
            raise invalid(value, "tags.member.value", "Member must have length less than or equal to 256")
        result[key] = value
    if len(result) > MAX_TAGS:
        raise TooManyTagsFault("You've exceeded the number of tags allowed for a domain.")
    return result
