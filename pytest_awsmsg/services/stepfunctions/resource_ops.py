"""Activities, map runs and tags (the resources besides state machines and executions),
ValidateStateMachineDefinition and TestState."""

from __future__ import annotations

import json
from typing import Any

from ...core.service import operation
from ..base import RequestContext
from . import validation
from .common import StepFunctionsBase, _check_name, _listing, _tags
from .errors import (
    ActivityAlreadyExists,
    InvalidDefinition,
    InvalidExecutionInput,
    ResourceNotFound,
    TooManyTags,
    ValidationException,
)
from .models import Activity
from .teststate import TestStateRequest, run_test_state


class ResourceOps(StepFunctionsBase):
    """The operations around executions: activities, map runs, tags, validation, TestState."""

    # -- activities ------------------------------------------------------------------

    @operation
    def create_activity(
        self,
        ctx: RequestContext,
        *,
        name: str,
        tags: list[dict[str, str]] | None = None,
        encryption_configuration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        _check_name(name)
        store = self.ctx_store(ctx)
        arn = ctx.arn(f"activity:{name}", "states")
        existing = store.activities.get(arn)
        if existing is not None:
            if tags and _tags(tags) != existing.tags:
                raise ActivityAlreadyExists(f"Activity Already Exists: '{arn}'")
            return {"activityArn": arn, "creationDate": existing.creation_date}
        activity = Activity(arn, name, ctx.now_dt, _tags(tags), encryption_configuration)
        store.activities[arn] = activity
        return {"activityArn": arn, "creationDate": activity.creation_date}

    @operation
    def describe_activity(self, ctx: RequestContext, *, activity_arn: str) -> dict[str, Any]:
        activity = self._activity(activity_arn)
        out: dict[str, Any] = {
            "activityArn": activity.arn,
            "name": activity.name,
            "creationDate": activity.creation_date,
        }
        if activity.encryption:
            out["encryptionConfiguration"] = activity.encryption
        return out

    @operation
    def delete_activity(self, ctx: RequestContext, *, activity_arn: str) -> dict[str, Any]:
        self._parse_arn(activity_arn, "activity")
        self._store_for(activity_arn).activities.pop(activity_arn, None)
        return {}

    @operation
    def list_activities(
        self, ctx: RequestContext, *, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        activities = sorted(self.ctx_store(ctx).activities.values(), key=lambda a: a.name)
        return _listing(
            "activities",
            activities,
            max_results,
            next_token,
            lambda a: {"activityArn": a.arn, "name": a.name, "creationDate": a.creation_date},
        )

    # -- map runs ----------------------------------------------------------------------

    @operation
    def describe_map_run(self, ctx: RequestContext, *, map_run_arn: str) -> dict[str, Any]:
        run = self._map_run(map_run_arn)
        items, executions = run.counts()
        out: dict[str, Any] = {
            "mapRunArn": run.arn,
            "executionArn": run.execution_arn,
            "status": run.status,
            "startDate": run.start_date,
            "maxConcurrency": run.max_concurrency,
            "toleratedFailurePercentage": run.tolerated_failure_percentage,
            "toleratedFailureCount": run.tolerated_failure_count,
            "itemCounts": items,
            "executionCounts": executions,
            "redriveCount": 0,
        }
        if run.stop_date is not None:
            out["stopDate"] = run.stop_date
        return out

    @operation
    def list_map_runs(
        self,
        ctx: RequestContext,
        *,
        execution_arn: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        execution = self._execution(execution_arn)
        runs = [r for r in self._store_for(execution_arn).map_runs.values() if r.execution_arn == execution.arn]
        return _listing(
            "mapRuns",
            runs,
            max_results,
            next_token,
            lambda r: {
                "executionArn": r.execution_arn,
                "mapRunArn": r.arn,
                "stateMachineArn": execution.machine.arn,
                "startDate": r.start_date,
                **({"stopDate": r.stop_date} if r.stop_date else {}),
            },
        )

    @operation
    def update_map_run(
        self,
        ctx: RequestContext,
        *,
        map_run_arn: str,
        max_concurrency: int | None = None,
        tolerated_failure_percentage: float | None = None,
        tolerated_failure_count: int | None = None,
    ) -> dict[str, Any]:
        run = self._map_run(map_run_arn)
        if max_concurrency is None and tolerated_failure_percentage is None and tolerated_failure_count is None:
            raise ValidationException(
                "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be given"
            )
        if run.status != "RUNNING":
            raise ValidationException(f"Map Run is {run.status}: only a running Map Run can be updated")
        if max_concurrency is not None:
            run.max_concurrency = max_concurrency
        if tolerated_failure_percentage is not None:
            run.tolerated_failure_percentage = tolerated_failure_percentage
            run.tolerance_set.add("pct")
        if tolerated_failure_count is not None:
            run.tolerated_failure_count = tolerated_failure_count
            run.tolerance_set.add("count")
        if run.on_update is not None:
            self.interpreter.post(run.on_update)
        return {}

    # -- tags ----------------------------------------------------------------------------

    def _tagged(self, arn: str) -> dict[str, str]:
        _, _, kind, _ = self._parse_arn(arn, "stateMachine", "activity")
        store = self._store_for(arn)
        resource = store.machines.get(arn) if kind == "stateMachine" else store.activities.get(arn)
        if resource is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return resource.tags

    @operation
    def tag_resource(self, ctx: RequestContext, *, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        current = self._tagged(resource_arn)
        merged = {**current, **_tags(tags)}
        if len(merged) > 50:
            raise TooManyTags("Too many tags: a resource may have at most 50 tags.")
        current.update(merged)
        return {}

    @operation
    def untag_resource(self, ctx: RequestContext, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        current = self._tagged(resource_arn)
        for key in tag_keys:
            current.pop(key, None)
        return {}

    @operation
    def list_tags_for_resource(self, ctx: RequestContext, *, resource_arn: str) -> dict[str, Any]:
        return {"tags": [{"key": k, "value": v} for k, v in self._tagged(resource_arn).items()]}

    # -- validation and TestState -----------------------------------------------------

    @operation
    def validate_state_machine_definition(
        self,
        ctx: RequestContext,
        *,
        definition: str,
        type: str = "STANDARD",
        severity: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        problems = validation.diagnose(definition, type, lambda state: self.mocks.has(None, state))
        # AWS: severity ERROR (the default) returns errors only, WARNING both; 0 results means 100.
        shown = problems if severity == "WARNING" else validation.errors_only(problems)
        limit = max_results or 100
        diagnostics = []
        for diagnostic in shown[:limit]:
            code, message, location = diagnostic
            item = {"severity": validation.severity(diagnostic), "code": code, "message": message}
            if location:
                item["location"] = location
            diagnostics.append(item)
        return {
            "result": "FAIL" if validation.errors_only(problems) else "OK",
            "diagnostics": diagnostics,
            "truncated": len(shown) > limit,
        }

    @operation
    def test_state(
        self,
        ctx: RequestContext,
        *,
        definition: str,
        role_arn: str | None = None,
        input: str | None = None,
        inspection_level: str = "INFO",
        reveal_secrets: bool = False,
        variables: str | None = None,
        state_name: str | None = None,
        mock: dict[str, Any] | None = None,
        context: str | None = None,
        state_configuration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            parsed = json.loads(definition)
        except ValueError as error:
            raise InvalidDefinition(f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {error}'") from None
        language = "JSONPath"
        if isinstance(parsed, dict) and "States" in parsed:
            if state_name is None or state_name not in parsed.get("States", {}):
                raise ValidationException(f"stateName must name a state of the definition: {state_name!r}")
            state = parsed["States"][state_name]
            language = parsed.get("QueryLanguage", "JSONPath")
        else:
            state = parsed
            state_name = state_name or "TestState"
        if not isinstance(state, dict) or "Type" not in state:
            raise InvalidDefinition(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
                'The field "Type" is required but was missing\''
            )
        data = _json_argument(input or "{}", "input")
        given = _json_argument(variables, "variables") if variables else {}
        if not isinstance(given, dict):
            # Assumption: AWS's wording; the model says variables is a JSON object literal.
            raise ValidationException("variables must be a JSON object")
        if state.get("Type") == "Task" and role_arn is None and mock is None:
            # Recorded from AWS. Assumption: a mocked Task calls nothing, so it needs no role.
            raise ValidationException("RoleArn must be specified when testing a Task state")
        request = TestStateRequest(
            name=state_name,
            state=state,
            data=data,
            raw_input=input or "{}",
            language=language,
            level=inspection_level,
            mock=mock,
            config=state_configuration or {},
            variables=given,
            context=_json_argument(context, "context") if context else None,
            role_arn=role_arn,
            reveal_secrets=reveal_secrets,
        )
        return run_test_state(self, ctx, request)


def _json_argument(text: str, name: str) -> Any:
    """A JSON-text request member, parsed; AWS refuses text that is not JSON."""
    try:
        return json.loads(text)
    except ValueError as error:
        if name == "input":
            raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from None
        # Assumption: AWS's wording for the other JSON members.
        raise ValidationException(f"Invalid {name}: '{error}'") from None
