"""TestState: one state run alone, synchronously, at AWS's inspection levels.

Runs Pass, Task (request-response, or mocked), Choice, Wait (without
waiting), Succeed and Fail states. A Task that would wait for a callback, an
activity or a child execution needs a ``mock``; so do Parallel and Map states,
whose input and output processing run around the mocked result.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..base import RequestContext
from . import choice, validation
from .errors import InvalidDefinition, StatesError, ValidationException
from .interpreter import Thread, Visit, backoff, error_output, iso
from .models import Execution, StateMachine, dumps
from .resources import classify

if TYPE_CHECKING:
    from .common import StepFunctionsBase


class _AnyTarget(dict[str, Any]):
    """A scope in which every Next target exists: a state tested alone may point anywhere."""

    def __contains__(self, key: object) -> bool:
        return True


def _check(name: str, state: Any) -> None:
    checker = validation._Checker("STANDARD", lambda state_name: True)
    checker.state(name, state, f"/States/{name}", _AnyTarget())
    if checker.out:
        raise InvalidDefinition(validation.format_invalid(checker.out))


def run_test_state(
    service: StepFunctionsBase,
    ctx: RequestContext,
    name: str,
    state: Any,
    data: Any,
    level: str,
    mock: dict[str, Any] | None,
    config: dict[str, Any] | None,
    raw_input: str | None = None,
) -> dict[str, Any]:
    _check(name, state)
    kind = state["Type"]
    if state.get("QueryLanguage") == "JSONata" or validation.assigns(state):
        # Refused rather than run as JSONPath without them: the answer would be wrong.
        raise ValidationException(
            "pytest-awsmsg's TestState does not run JSONata states or workflow variables (Assign) yet"
        )
    if kind in ("Parallel", "Map") and mock is None:
        raise ValidationException(
            f"pytest-awsmsg's TestState runs a {kind} state's input and output processing around a mocked "
            "result: pass mock={'result': ...} (its branches or iterations are not run)"
        )
    interp = service.interpreter
    now = ctx.now_dt
    machine = StateMachine(
        ctx.arn("stateMachine:TestStateMachine", "states"), "TestStateMachine", "{}", "", "STANDARD", now, ""
    )
    execution = Execution(
        ctx.arn("execution:TestStateMachine:test-state", "states"),
        "test-state",
        machine,
        {"StartAt": name, "States": {name: state}},
        "",
        "STANDARD",
        dumps(data),
        now,
        ctx.region,
        ctx.account_id,
    )
    thread = Thread(execution, execution.definition, 0, lambda out: None, lambda e, c: None)
    v = Visit(thread, name, state, data, iso(now))
    # The caller's input as sent; every later stage compact, as Step Functions writes JSON.
    inspection: dict[str, Any] = {"input": raw_input if raw_input is not None else dumps(data)}
    out: dict[str, Any] = {}
    try:
        if kind == "Fail":
            inspection["afterInputPath"] = dumps(data)
            out.update(status="FAILED", error=interp._fail_field(v, "Error"), cause=interp._fail_field(v, "Cause"))
        elif kind == "Choice":
            after = interp.input_path(v, data)
            inspection["afterInputPath"] = dumps(after)
            target = next(
                (r["Next"] for r in state["Choices"] if choice.evaluate(r, after, interp.context(v))),
                state.get("Default"),
            )
            if target is None:
                raise StatesError("States.NoChoiceMatched", "No Matches!")
            out.update(status="SUCCEEDED", output=dumps(interp.output_path(v, after)), nextState=target)
        elif kind in ("Wait", "Succeed"):
            after = interp.input_path(v, data)
            inspection["afterInputPath"] = dumps(after)
            out.update(status="SUCCEEDED", output=dumps(interp.output_path(v, after)))
            if "Next" in state:
                out["nextState"] = state["Next"]
        elif kind == "Map":
            # A Map's iteration settings sit between its input and its result stages. Assumption:
            # in JSONPath the stages are a Task's (AWS's recordings are of JSONata Maps).
            after = interp.input_path(v, data)
            inspection["afterInputPath"] = dumps(after)
            v.effective = after
            _map_inspection(interp, v, inspection)
            result = _call(service, execution, state, after, mock)
            inspection["result"] = dumps(result)
            _finish(interp, v, state, result, inspection, out)
        elif kind == "Pass" and "Result" in state:
            # Recorded from AWS: a Pass with a Result shows no InputPath or Parameters stage.
            result = state["Result"]
            inspection["result"] = dumps(result)
            _finish(interp, v, state, result, inspection, out)
        else:
            after = interp.input_path(v, data)
            inspection["afterInputPath"] = dumps(after)
            params = after
            if "Parameters" in state:
                params = interp.template(state["Parameters"], after, interp.context(v))
            inspection["afterParameters"] = dumps(params)
            if kind == "Pass":
                result = params
            else:
                result = _call(service, execution, state, params, mock)
                inspection["result"] = dumps(result)
            _finish(interp, v, state, result, inspection, out)
    except StatesError as error:
        out, details = _handle_error(interp, v, state, error, config or {})
        if details:
            inspection["errorDetails"] = details
    if level in ("DEBUG", "TRACE"):
        out["inspectionData"] = inspection
    return out


def _finish(
    interp: Any,
    v: Visit,
    state: dict[str, Any],
    result: Any,
    inspection: dict[str, Any],
    out: dict[str, Any],
) -> None:
    """ResultSelector, ResultPath and OutputPath; AWS shows the first two stages even when they change nothing."""
    if "ResultSelector" in state:
        result = interp.template(state["ResultSelector"], result, interp.context(v))
    placed = interp.result_path(v, result)
    inspection["afterResultSelector"] = dumps(result)
    inspection["afterResultPath"] = dumps(placed)
    out.update(status="SUCCEEDED", output=dumps(interp.output_path(v, placed)))
    if "Next" in state:
        out["nextState"] = state["Next"]


def _map_inspection(interp: Any, v: Visit, inspection: dict[str, Any]) -> None:
    """A Map's items and iteration settings, as AWS shows them: maxConcurrency always, tolerances when set."""
    from .maps import _inputs, _number

    items, inputs = _inputs(interp, v)
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


def _call(
    service: StepFunctionsBase, execution: Execution, state: dict[str, Any], params: Any, mock: dict[str, Any] | None
) -> Any:
    from .tasks import _invoke_lambda, call_resource

    if mock is not None:
        if "errorOutput" in mock:
            failure = mock["errorOutput"]
            raise StatesError(failure.get("error", ""), failure.get("cause", ""))
        try:
            return json.loads(mock.get("result", "null"))
        except ValueError:
            raise ValidationException("mock.result must be valid JSON") from None
    resource = classify(str(state["Resource"]))
    if resource.kind == "activity" or resource.pattern or resource.kind == "unsupported":
        raise ValidationException(
            f"pytest-awsmsg's TestState cannot run {resource.arn} for real (it would wait or is not faked): "
            "pass mock={'result': ...}"
        )
    if resource.kind == "lambda":
        return _invoke_lambda(service.interpreter, resource.arn, params)
    return call_resource(service.interpreter, execution, resource, params)


def _handle_error(
    interp: Any, v: Visit, state: dict[str, Any], error: StatesError, config: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the answer, its inspectionData.errorDetails) for an error: retried, caught or failed.

    errorDetails names only the retrier or catcher that handled the error: the
    model's indexes start at 0, so an unhandled error has none.
    """
    attempts = int(config.get("retrierRetryCount", 0))
    for i, retrier in enumerate(state.get("Retry") or []):
        if interp.matches(retrier["ErrorEquals"], error.error, v):
            if attempts < retrier.get("MaxAttempts", 3):
                answer = {"status": "RETRIABLE", "error": error.error, "cause": error.cause}
                return answer, {"retryIndex": i, "retryBackoffIntervalSeconds": int(backoff(retrier, attempts))}
            break
    for i, catcher in enumerate(state.get("Catch") or []):
        if interp.matches(catcher["ErrorEquals"], error.error, v):
            output = interp.result_path(v, error_output(error.error, error.cause), catcher.get("ResultPath", "$"))
            answer = {
                "status": "CAUGHT_ERROR",
                "error": error.error,
                "cause": error.cause,
                "nextState": catcher["Next"],
                "output": dumps(output),
            }
            return answer, {"catchIndex": i}
    return {"status": "FAILED", "error": error.error, "cause": error.cause}, {}
