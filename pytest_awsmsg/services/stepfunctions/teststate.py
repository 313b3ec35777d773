"""TestState: one state run alone, synchronously, at AWS's inspection levels.

Every state type runs, in either query language, with workflow variables
(``variables`` in, ``inspectionData.variables`` out). A Task calls its
resource (a Lambda stand-in, a faked service) unless the request's ``mock``
answers it; a Task that would wait (an activity, ``.sync``,
``.waitForTaskToken``), a Parallel and a Map need a mock, and run their input
and output processing around it. ``stateConfiguration`` plays the rest of an
execution: how many retries happened, how many Map iterations failed, what an
ItemReader read.

``inspectionData`` has the keys AWS returns for each kind of state (recorded
from AWS): the input as sent, then each stage as compact JSON. JSONata states
show the input, ``afterArguments`` and ``result`` of a Task, and a Map's
iteration settings; JSONPath states every path stage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..base import RequestContext
from . import mock_results, validation
from .errors import InvalidDefinition, StatesError, ValidationException
from .interpreter import Interpreter, Thread, Visit, backoff, error_output, iso
from .models import Execution, StateMachine, dumps
from .paths import Context
from .resources import classify

if TYPE_CHECKING:
    from .common import StepFunctionsBase

# Recorded from AWS: the context object of a tested state names it "StateName", whatever it is called.
CONTEXT_STATE_NAME = "StateName"
EXCEEDED = ("States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")


@dataclass
class TestStateRequest:
    """What TestState was asked, parsed."""

    name: str
    state: dict[str, Any]
    data: Any
    raw_input: str
    language: str = "JSONPath"  # the machine's QueryLanguage, when a whole machine was sent
    level: str = "INFO"
    mock: dict[str, Any] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] | None = None
    role_arn: str | None = None
    reveal_secrets: bool = False


class _TestInterpreter(Interpreter):
    """The service's interpreter with TestState's context object: an Express-looking run, the caller's overrides."""

    def __init__(self, service: StepFunctionsBase, request: TestStateRequest) -> None:
        super().__init__(service)
        self.request = request

    def context(self, v: Visit, *, item: tuple[int, Any] | None = None) -> Context:
        base = super().context(v, item=item)
        values: dict[str, Any] = dict(base)
        values["Execution"]["RoleArn"] = self.request.role_arn
        values["Execution"].pop("RedriveCount", None)  # recorded: a tested state's context has none
        values["State"]["Name"] = CONTEXT_STATE_NAME
        return Context(_merged(values, self.request.context or {}), base.variables)


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s values in place, objects merged key by key (the ``context`` parameter)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def run_test_state(service: StepFunctionsBase, ctx: RequestContext, request: TestStateRequest) -> dict[str, Any]:
    """TestState's answer: status, output or error, next state, and at DEBUG/TRACE the inspection data."""
    check_state(request)
    check_mock(request)
    interp = _TestInterpreter(service, request)
    v = _visit(interp, ctx, request)
    inspection: dict[str, Any] = {"input": request.raw_input}  # as sent; every later stage compact
    try:
        out = (_run_jsonata if v.jsonata else _run_jsonpath)(interp, v, request, inspection)
    except StatesError as error:
        out = _handle_error(interp, v, error, request.config, inspection)
    if v.thread.variables:
        inspection["variables"] = dumps(v.thread.variables)
    if request.level in ("DEBUG", "TRACE"):
        out["inspectionData"] = inspection
    return out


# -- the request ------------------------------------------------------------------


class _AnyTarget(dict[str, Any]):
    """A scope in which every Next target exists: a state tested alone may point anywhere."""

    def __contains__(self, key: object) -> bool:
        return True


def check_state(request: TestStateRequest) -> None:
    """The state's definition, checked as CreateStateMachine checks it (in the machine's query language).

    What the kit refuses at creation because it cannot run it (an S3 ItemReader
    or ResultWriter) is fine here: TestState reads and writes nothing.
    """
    checker = validation._Checker("STANDARD", lambda state_name: True)
    checker.language = request.language
    checker.state(request.name, request.state, f"/States/{request.name}", _AnyTarget())
    errors = validation.errors_only(checker.out)
    problems = [p for p in errors if p[0] != validation.UNSUPPORTED or "Credentials" in p[1]]
    if problems:
        raise InvalidDefinition(validation.format_invalid(problems))


def check_mock(request: TestStateRequest) -> None:
    """AWS's rules for ``mock``, ``context`` and ``revealSecrets`` (messages recorded from AWS)."""
    kind, mock = request.state["Type"], request.mock
    if mock is None:
        if kind in ("Map", "Parallel"):
            raise InvalidDefinition(
                "TestState API does not support Map or Parallel states. Supported state types include: "
                "[Task, Wait, Pass, Succeed, Fail, Choice]"
            )
        if request.context is not None:
            # Assumption: AWS's wording; the rule is the model's ("only if a mock is specified").
            raise ValidationException("TestState only supports a context when a mock is specified.")
        return
    if kind not in ("Task", "Map", "Parallel"):
        raise ValidationException(f"State type '{kind}' is not supported when a mock is specified")
    if ("result" in mock) == ("errorOutput" in mock):
        raise ValidationException("A test mock should have only one of the following fields: [result, errorOutput].")
    if request.reveal_secrets:
        raise ValidationException("TestState does not support RevealSecrets when a mock is specified.")
    caused_by = request.config.get("errorCausedByState")
    if caused_by is not None and caused_by not in _inner_states(request.state):
        # Assumption: AWS's wording; the model says it names the state (inside the Map or Parallel)
        # the mocked error comes from.
        raise ValidationException(f"errorCausedByState '{caused_by}' is not a state of the Map or Parallel state")
    if "errorOutput" in mock:
        return
    try:
        result = json.loads(mock["result"])
    except ValueError:
        # Assumption: AWS's wording for a mocked result that is not JSON.
        raise ValidationException("Mocked result must be valid JSON.") from None
    if kind == "Map" and "ResultWriter" in request.state:
        if not isinstance(result, dict):
            raise ValidationException("Mocked result must be a JSON object.")
    elif kind in ("Map", "Parallel") and not isinstance(result, list):
        raise ValidationException("Mocked result must be an array.")
    elif kind == "Parallel" and len(result) != len(request.state["Branches"]):
        raise ValidationException("Mocked result must contain the same number of items as number of Parallel branches.")
    elif kind == "Task":
        mock_results.check(str(request.state["Resource"]), result, mock.get("fieldValidationMode", "STRICT"))


def _inner_states(state: dict[str, Any]) -> set[str]:
    """The names of the states inside a Map's processor or a Parallel's branches, at any depth."""
    scopes = [*(state.get("Branches") or []), state.get("ItemProcessor") or state.get("Iterator") or {}]
    names: set[str] = set()
    for scope in scopes:
        for name, inner in (scope.get("States") or {}).items():
            names |= {name, *_inner_states(inner)}
    return names


def _visit(interp: Interpreter, ctx: RequestContext, request: TestStateRequest) -> Visit:
    """The state's one visit, in a one-state Express-looking execution that holds the given variables."""
    now = ctx.now_dt
    ids = interp.cloud.ids
    machine_name, run_name = ids.uuid4(), ids.uuid4()
    machine = StateMachine(
        ctx.arn(f"stateMachine:{machine_name}", "states"), machine_name, "{}", "", "EXPRESS", now, ""
    )
    definition = {"QueryLanguage": request.language, "StartAt": request.name, "States": {request.name: request.state}}
    execution = Execution(
        ctx.arn(f"express:{machine_name}:{run_name}", "states"),
        run_name,
        machine,
        definition,
        request.role_arn or "",
        "EXPRESS",
        dumps(request.data),
        now,
        ctx.region,
        ctx.account_id,
    )
    thread = Thread(execution, definition, 0, lambda out: None, lambda e, c: None)
    thread.variables.update(request.variables)
    v = Visit(thread, request.name, request.state, request.data, iso(now))
    v.retry_count = int(request.config.get("retrierRetryCount", 0))
    return v


# -- JSONPath states ----------------------------------------------------------------


def _run_jsonpath(
    interp: Interpreter, v: Visit, request: TestStateRequest, inspection: dict[str, Any]
) -> dict[str, Any]:
    """A JSONPath state: each path stage in AWS's order, shown as it happens."""
    state, kind = v.state, v.type
    if kind == "Fail":
        inspection["afterInputPath"] = dumps(interp.input_path(v, v.input))
        return {"status": "FAILED", "error": interp._fail_field(v, "Error"), "cause": interp._fail_field(v, "Cause")}
    if kind == "Choice":
        target, chosen, after = interp.choose(v)
        inspection["afterInputPath"] = dumps(after)
        if target is None:
            raise StatesError("States.NoChoiceMatched", "No Matches!")
        _keep(v, interp.assign(v, chosen.get("Assign"), after))
        return {"status": "SUCCEEDED", "output": dumps(interp.output_path(v, after)), "nextState": target}
    if kind == "Pass" and "Result" in state:
        # Recorded from AWS: a Pass with a Result shows no InputPath or Parameters stage.
        inspection["result"] = dumps(state["Result"])
        return _finish_jsonpath(interp, v, state["Result"], inspection)
    after = interp.input_path(v, v.input)
    if kind != "Parallel":  # AWS shows no afterInputPath for a Parallel state
        inspection["afterInputPath"] = dumps(after)
    if kind in ("Wait", "Succeed"):
        _keep(v, interp.assign(v, state.get("Assign"), after))
        return _succeeded(v, interp.output_path(v, after))
    v.effective = after
    if kind == "Map":
        # A Map's iteration settings sit between its input and its result stages. Assumption:
        # in JSONPath the stages are a Task's (AWS's recordings are of JSONata Maps).
        inputs = _map_inspection(interp, v, request, inspection)
        result = _call(interp, v, request, inputs)
        inspection["result"] = dumps(result)
        return _finish_jsonpath(interp, v, result, inspection)
    params = interp.arguments(v, after)
    inspection["afterParameters"] = dumps(params)
    if kind == "Pass":
        return _finish_jsonpath(interp, v, params, inspection)
    result = _call(interp, v, request, params)
    inspection["result"] = dumps(result)
    return _finish_jsonpath(interp, v, result, inspection)


def _finish_jsonpath(interp: Interpreter, v: Visit, result: Any, inspection: dict[str, Any]) -> dict[str, Any]:
    """ResultSelector, Assign, ResultPath and OutputPath; AWS shows the first and third stages even when
    they change nothing."""
    if "ResultSelector" in v.state:
        result = interp.template(v.state["ResultSelector"], result, interp.context(v))
    assigned = interp.assign(v, v.state.get("Assign"), result)
    placed = interp.result_path(v, result)
    inspection["afterResultSelector"] = dumps(result)
    inspection["afterResultPath"] = dumps(placed)
    output = interp.output_path(v, placed)
    _keep(v, assigned)
    return _succeeded(v, output)


def _map_inspection(interp: Interpreter, v: Visit, request: TestStateRequest, inspection: dict[str, Any]) -> list[Any]:
    """A Map's items and iteration settings, as AWS shows them: maxConcurrency always, tolerances when set.

    Returns the iterations' inputs. With an ItemReader the items are the
    ``stateConfiguration.mapItemReaderData`` (TestState reads nothing).
    """
    from .maps import _inputs, _number

    if "ItemReader" in v.state:
        # Assumption: the ItemSelector is not applied to what the reader read (no iteration runs).
        items = json.loads(request.config.get("mapItemReaderData") or "[]")
        inputs = items if isinstance(items, list) else [items]
    else:
        items, inputs = _inputs(interp, v)
    if not v.jsonata:
        inspection["afterItemsPath"] = dumps(items)
        if "ItemSelector" in v.state or "Parameters" in v.state:
            inspection["afterItemSelector"] = dumps(inputs)
    inspection["maxConcurrency"] = int(_number(interp, v, "MaxConcurrency", 0)[0])
    count, count_set = _number(interp, v, "ToleratedFailureCount", 0)
    if count_set:
        inspection["toleratedFailureCount"] = int(count)
    pct, pct_set = _number(interp, v, "ToleratedFailurePercentage", 0)
    if pct_set:
        inspection["toleratedFailurePercentage"] = float(pct)
    failed = int(request.config.get("mapIterationFailureCount", 0))
    over_count = count_set and failed > count
    over_pct = pct_set and bool(items) and failed * 100 / len(items) > pct
    if (over_count or over_pct) and not (request.mock and "errorOutput" in request.mock):
        raise StatesError(*EXCEEDED)
    return inputs


# -- JSONata states -------------------------------------------------------------------


def _run_jsonata(
    interp: Interpreter, v: Visit, request: TestStateRequest, inspection: dict[str, Any]
) -> dict[str, Any]:
    """A JSONata state: Arguments, the result, then Output and Assign, evaluated together."""
    state, kind = v.state, v.type
    if kind == "Fail":
        return {"status": "FAILED", "error": interp._fail_field(v, "Error"), "cause": interp._fail_field(v, "Cause")}
    if kind == "Choice":
        target, chosen, _ = interp.choose(v)
        if target is None:
            raise StatesError("States.NoChoiceMatched", "No Matches!")
        output, assigned = interp.settle(v, chosen, v.input)
        _keep(v, assigned)
        return {"status": "SUCCEEDED", "output": dumps(output), "nextState": target}
    if kind in ("Pass", "Succeed", "Wait"):
        for timing in ("Seconds", "Timestamp"):
            if timing in state:
                interp.number(v, timing)  # a failing expression fails the state, as it would in a run
        output, assigned = interp.settle(v, state, v.input)
        _keep(v, assigned)
        return _succeeded(v, output)
    if kind == "Map":
        inputs = _map_inspection(interp, v, request, inspection)
        result = _call(interp, v, request, inputs)
    else:
        arguments = interp.arguments(v, v.input)
        if kind == "Task":  # AWS shows no afterArguments for a Parallel state
            inspection["afterArguments"] = dumps(arguments)
        result = _call(interp, v, request, arguments)
        if kind == "Task":
            inspection["result"] = dumps(result)
    output, assigned = interp.settle(v, state, result, result=result)
    _keep(v, assigned)
    return _succeeded(v, output)


# -- shared ------------------------------------------------------------------------------


def _keep(v: Visit, assigned: dict[str, Any] | None) -> None:
    """Variables the state assigned join those in scope (shown as inspectionData.variables)."""
    if assigned:
        v.thread.variables.update(assigned)


def _succeeded(v: Visit, output: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "SUCCEEDED", "output": dumps(output)}
    if "Next" in v.state:
        out["nextState"] = v.state["Next"]
    return out


def _call(interp: Interpreter, v: Visit, request: TestStateRequest, params: Any) -> Any:
    """The mocked result or error, or (a Task without a mock) the resource called for real."""
    from .tasks import _invoke_lambda, call_resource

    mock = request.mock
    if mock is not None:
        if "errorOutput" in mock:
            failure = mock["errorOutput"]
            raise StatesError(failure.get("error", ""), failure.get("cause", ""))
        return json.loads(mock["result"])
    resource = classify(str(v.state["Resource"]))
    if resource.kind == "activity" or resource.pattern or resource.kind == "unsupported":
        raise ValidationException(
            f"pytest-awsmsg's TestState cannot run {resource.arn} for real (it would wait or is not faked): "
            "pass mock={'result': ...}"
        )
    if resource.kind == "lambda":
        return _invoke_lambda(interp, resource.arn, params)
    return call_resource(interp, v.thread.execution, resource, params)


def _handle_error(
    interp: Interpreter, v: Visit, error: StatesError, config: dict[str, Any], inspection: dict[str, Any]
) -> dict[str, Any]:
    """The answer for an error: retried, caught or failed; ``errorDetails`` names the handler.

    The model's indexes start at 0, so an unhandled error has no errorDetails.
    ``stateConfiguration.retrierRetryCount`` is how many retries already
    happened: once the matching retrier's MaxAttempts are spent, the catchers decide.
    """
    failed = {"error": error.error, "cause": error.cause}
    i = next(
        (i for i, r in enumerate(v.state.get("Retry") or []) if interp.matches(r["ErrorEquals"], error.error, v)), None
    )
    if i is not None:
        retrier = v.state["Retry"][i]
        attempts = int(config.get("retrierRetryCount", 0))
        if attempts < retrier.get("MaxAttempts", 3):
            inspection["errorDetails"] = {
                "retryIndex": i,
                "retryBackoffIntervalSeconds": int(backoff(retrier, attempts)),
            }
            return {"status": "RETRIABLE", **failed}
    for i, catcher in enumerate(v.state.get("Catch") or []):
        if interp.matches(catcher["ErrorEquals"], error.error, v):
            caught = error_output(error.error, error.cause)
            if v.jsonata:
                output, assigned = interp.settle(v, catcher, caught, errorOutput=caught)
            else:
                assigned = interp.assign(v, catcher.get("Assign"), caught)
                output = interp.result_path(v, caught, catcher.get("ResultPath", "$"))
            _keep(v, assigned)
            inspection["errorDetails"] = {"catchIndex": i}
            return {"status": "CAUGHT_ERROR", **failed, "nextState": catcher["Next"], "output": dumps(output)}
    return {"status": "FAILED", **failed}
