"""Task states: Lambda stand-ins, activities, callbacks and service integrations.

Events follow AWS's sequences: ``LambdaFunctionScheduled/Started/Succeeded``
for a Lambda ARN resource; ``TaskScheduled/Started/(Submitted)/Succeeded`` for
service integrations; ``ActivityScheduled/Started/Succeeded`` for activities.
A test's mock (``aws.stepfunctions.mock_task``) answers in place of the
resource, with the same events.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...core.errors import AwsError
from ...core.lambdas import LambdaFunctionError, LambdaNotFound
from . import errors
from .errors import StatesError
from .interpreter import MAX_PAYLOAD, Visit, iso
from .mocks import NO_MOCK as _NO_MOCK
from .mocks import TaskFailure
from .models import Execution, PendingTask, dumps
from .query import QUERY_EVALUATION_ERROR
from .resources import Resource, classify

if TYPE_CHECKING:
    from .interpreter import Interpreter

DEFAULT_TIMEOUT = 99999999  # ASL: a Task's TimeoutSeconds when none is given


def start_task(interp: Interpreter, v: Visit) -> None:
    """InputPath and Parameters once per state entry; the resource on every attempt."""
    v.effective = interp.input_path(v, v.input)
    run_task(interp, v)


def _seconds(interp: Interpreter, v: Visit, data: Any, field: str) -> int | None:
    if field in v.state:
        value = interp.number(v, field)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise StatesError(
                QUERY_EVALUATION_ERROR, f"The value of the field '{field}' must be a positive integer: {dumps(value)}"
            )
        return value
    path = v.state.get(field + "Path")
    if path is None:
        return None
    value = interp.select(path, data, v)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise StatesError(errors.RUNTIME, f"The value at {field}Path '{path}' must be a positive integer: {value!r}")
    return value


def run_task(interp: Interpreter, v: Visit) -> None:
    resource = classify(str(v.state["Resource"]))
    data = v.effective
    service = interp.service
    v.token = service.tokens.mint() if resource.pattern == ".waitForTaskToken" else None
    params = interp.arguments(v, data)
    if len(dumps(params).encode()) > MAX_PAYLOAD:
        raise StatesError(
            errors.DATA_LIMIT_EXCEEDED,
            f"The state/task '{v.name}' has an input with a size exceeding the maximum number of bytes service limit.",
        )
    timeout = _seconds(interp, v, data, "TimeoutSeconds")
    heartbeat = _seconds(interp, v, data, "HeartbeatSeconds")
    execution = v.thread.execution
    mock = service.mocks.answer(execution.test_case, execution.machine.name, v.name)
    if resource.kind == "lambda":
        _lambda(interp, v, resource, params, timeout, mock)
    elif resource.kind == "activity":
        _activity(interp, v, resource, params, timeout, heartbeat, mock)
    else:
        _integration(interp, v, resource, params, timeout, heartbeat, mock)


def _normalise(value: Any) -> Any:
    """A stand-in's return value as JSON would carry it."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _mocked(mock: Any) -> Any:
    if isinstance(mock, TaskFailure):
        raise StatesError(mock.error, mock.cause)
    return copy.deepcopy(mock)


def _invoke_lambda(interp: Interpreter, function: str, payload: Any) -> Any:
    """Call a stand-in; its exception becomes the error Step Functions reports."""
    lambdas = interp.cloud.lambdas
    try:
        result = lambdas.invoke(function, copy.deepcopy(payload), source="stepfunctions")
    except LambdaNotFound as missing:
        raise StatesError(
            "Lambda.ResourceNotFoundException",
            f"Function not found: {function} (Service: Lambda, Status Code: 404, Error Code: "
            f"ResourceNotFoundException). {missing}",
        ) from None
    except LambdaFunctionError as failure:
        cause = {
            "errorMessage": failure.error_message,
            "errorType": failure.error_type,
            "requestId": interp.cloud.ids.uuid4(),
            "stackTrace": failure.stack_trace,
        }
        raise StatesError(failure.error_type, dumps(cause)) from None
    try:
        return _normalise(result)
    except (TypeError, ValueError) as bad:
        raise StatesError(
            "Runtime.MarshalError", dumps({"errorMessage": f"Unable to marshal response: {bad}"})
        ) from None


def _lambda(interp: Interpreter, v: Visit, resource: Resource, params: Any, timeout: int | None, mock: Any) -> None:
    thread = v.thread
    scheduled: dict[str, Any] = {"resource": resource.arn, "input": dumps(params), "inputDetails": {"truncated": False}}
    if timeout is not None:
        scheduled["timeoutInSeconds"] = timeout
    interp.event(thread, "LambdaFunctionScheduled", lambdaFunctionScheduledEventDetails=scheduled)
    interp.event(thread, "LambdaFunctionStarted")
    try:
        result = _mocked(mock) if mock is not _NO_MOCK else _invoke_lambda(interp, resource.arn, params)
    except StatesError as error:
        details = {"error": error.error, "cause": error.cause} if error.cause else {"error": error.error}
        interp.event(thread, "LambdaFunctionFailed", lambdaFunctionFailedEventDetails=details)
        interp.fail_state(v, error.error, error.cause)
        return
    interp.event(
        thread,
        "LambdaFunctionSucceeded",
        lambdaFunctionSucceededEventDetails={"output": dumps(result), "outputDetails": {"truncated": False}},
    )
    interp.finish(v, result)


def _waiting(
    interp: Interpreter,
    v: Visit,
    token: str,
    input_text: str,
    timeout: int | None,
    heartbeat: int | None,
    on_success: Callable[[Any], None],
    on_failure: Callable[[str, str], None],
    on_timeout: Callable[[str], None],
    activity_arn: str | None = None,
    started: Callable[[str], None] | None = None,
) -> PendingTask:
    """Register a task that waits for SendTaskSuccess/Failure, with its timers (core/tasktokens.py)."""
    thread = v.thread

    def close(outcome: str) -> bool:
        return thread.alive() and ticket.close(outcome)

    def succeed(output: Any) -> None:
        if close("SUCCEEDED"):
            interp.post(lambda: on_success(output))

    def fail(error: str, cause: str) -> None:
        if close("FAILED"):
            interp.post(lambda: on_failure(error, cause))

    def expired(kind: str) -> None:
        error = errors.HEARTBEAT_TIMEOUT if kind == "HEARTBEAT" else errors.TIMEOUT
        if thread.alive():
            interp.post(lambda: on_timeout(error))

    def watch_heartbeats() -> None:
        timer = ticket.arm("HEARTBEAT", heartbeat, expired, "sfn heartbeat", heartbeat=True)
        if timer is not None:
            thread.timers.append(timer)

    def beat() -> None:
        thread.timers.extend(ticket.heartbeat())

    def start(worker: str) -> None:
        # An activity's heartbeat window opens when a worker takes the task.
        if started is not None:
            started(worker)
        watch_heartbeats()

    task = PendingTask(
        token, thread.execution, v.name, input_text, succeed, fail, beat, activity_arn, start if started else None
    )
    ticket = interp.service.tokens.issue(task, token)
    task.ticket = ticket
    timer = ticket.arm("TIMEOUT", timeout or DEFAULT_TIMEOUT, expired, f"sfn timeout {v.name}")
    assert timer is not None
    thread.timers.append(timer)
    if started is None:
        watch_heartbeats()
    return task


def _activity(
    interp: Interpreter,
    v: Visit,
    resource: Resource,
    params: Any,
    timeout: int | None,
    heartbeat: int | None,
    mock: Any,
) -> None:
    thread = v.thread
    scheduled: dict[str, Any] = {"resource": resource.arn, "input": dumps(params), "inputDetails": {"truncated": False}}
    if timeout is not None:
        scheduled["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        scheduled["heartbeatInSeconds"] = heartbeat
    interp.event(thread, "ActivityScheduled", activityScheduledEventDetails=scheduled)

    def succeeded(output: Any) -> None:
        interp.event(
            thread,
            "ActivitySucceeded",
            activitySucceededEventDetails={"output": dumps(output), "outputDetails": {"truncated": False}},
        )
        interp.finish(v, output)

    def failed(error: str, cause: str) -> None:
        details = {"error": error, "cause": cause} if cause else {"error": error}
        interp.event(thread, "ActivityFailed", activityFailedEventDetails=details)
        interp.fail_state(v, error, cause)

    def timed_out(error: str) -> None:
        interp.event(thread, "ActivityTimedOut", activityTimedOutEventDetails={"error": error})
        interp.fail_state(v, error, "")

    if mock is not _NO_MOCK:
        interp.event(thread, "ActivityStarted", activityStartedEventDetails={"workerName": "pytest-awsmsg-mock"})
        try:
            succeeded(_mocked(mock))
        except StatesError as error:
            failed(error.error, error.cause)
        return
    activity = interp.service.find_activity(resource.arn)
    if activity is None:
        interp.event(
            thread,
            "ActivityScheduleFailed",
            activityScheduleFailedEventDetails={"error": "States.Runtime", "cause": "Activity does not exist."},
        )
        interp.fail_state(v, errors.RUNTIME, f"Activity does not exist: {resource.arn}")
        return

    def started(worker: str) -> None:
        interp.event(thread, "ActivityStarted", activityStartedEventDetails={"workerName": worker})

    task = _waiting(
        interp,
        v,
        interp.service.tokens.mint(),
        dumps(params),
        timeout,
        heartbeat,
        succeeded,
        failed,
        timed_out,
        activity_arn=activity.arn,
        started=started,
    )
    activity.queue.append(task)


class _TaskEvents:
    """The history events of one service-integration attempt: ``Task*`` with its resourceType and resource."""

    def __init__(self, interp: Interpreter, v: Visit, resource: Resource) -> None:
        self.interp = interp
        self.v = v
        self.names = {"resourceType": resource.resource_type, "resource": resource.action}

    def scheduled(self, params: Any, timeout: int | None, heartbeat: int | None) -> None:
        details: dict[str, Any] = {**self.names, "region": self.v.thread.execution.region, "parameters": dumps(params)}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        self.interp.event(self.v.thread, "TaskScheduled", taskScheduledEventDetails=details)
        self.interp.event(self.v.thread, "TaskStarted", taskStartedEventDetails=dict(self.names))

    def submitted(self, output: Any) -> None:
        details = {**self.names, "output": dumps(output), "outputDetails": {"truncated": False}}
        self.interp.event(self.v.thread, "TaskSubmitted", taskSubmittedEventDetails=details)

    def succeeded(self, output: Any) -> None:
        details = {**self.names, "output": dumps(output), "outputDetails": {"truncated": False}}
        self.interp.event(self.v.thread, "TaskSucceeded", taskSucceededEventDetails=details)
        self.interp.finish(self.v, output)

    def failed(self, error: str, cause: str) -> None:
        details = {**self.names, "error": error}
        if cause:
            details["cause"] = cause
        self.interp.event(self.v.thread, "TaskFailed", taskFailedEventDetails=details)
        self.interp.fail_state(self.v, error, cause)

    def timed_out(self, error: str) -> None:
        self.interp.event(self.v.thread, "TaskTimedOut", taskTimedOutEventDetails={**self.names, "error": error})
        self.interp.fail_state(self.v, error, "")


def _integration(
    interp: Interpreter,
    v: Visit,
    resource: Resource,
    params: Any,
    timeout: int | None,
    heartbeat: int | None,
    mock: Any,
) -> None:
    """A service integration: request-response, ``.waitForTaskToken`` or ``.sync``, or a mock in its place."""
    events = _TaskEvents(interp, v, resource)
    events.scheduled(params, timeout, heartbeat)
    if mock is not _NO_MOCK:
        _answer_mocked(events, resource, mock)
    elif resource.pattern == ".waitForTaskToken":
        _call_and_wait_for_token(interp, v, resource, params, timeout, heartbeat, events)
    elif not resource.pattern:
        _call(interp, v, resource, params, events)
    else:
        _call_and_wait_for_child(interp, v, resource, params, timeout, events)


def _answer_mocked(events: _TaskEvents, resource: Resource, mock: Any) -> None:
    """A mocked answer recorded as the integration's own events.

    Assumed: a mocked ``.sync`` or ``.waitForTaskToken`` Task that returns
    records TaskSubmitted before TaskSucceeded, as the real pattern does; no
    call was made, so the submission's output is ``{}``. A thrown error is a
    TaskFailed straight after TaskStarted (the call, or the job, failing).
    """
    try:
        result = _mocked(mock)
    except StatesError as error:
        events.failed(error.error, error.cause)
        return
    if resource.pattern:
        events.submitted({})
    events.succeeded(result)


def _call(interp: Interpreter, v: Visit, resource: Resource, params: Any, events: _TaskEvents) -> None:
    """Request-response: the call's result is the task's."""
    try:
        result = call_resource(interp, v.thread.execution, resource, params)
    except StatesError as error:
        events.failed(error.error, error.cause)
        return
    events.succeeded(result)


def _call_and_wait_for_token(
    interp: Interpreter,
    v: Visit,
    resource: Resource,
    params: Any,
    timeout: int | None,
    heartbeat: int | None,
    events: _TaskEvents,
) -> None:
    """``.waitForTaskToken``: call, record TaskSubmitted, then wait for SendTask* with the token."""
    # The token is live before the resource is called: whoever receives it
    # may answer at once (a stand-in calling SendTaskSuccess itself). The
    # answer is queued behind the TaskSubmitted event recorded below.
    assert v.token is not None
    waiting = _waiting(
        interp, v, v.token, dumps(params), timeout, heartbeat, events.succeeded, events.failed, events.timed_out
    )
    try:
        result = call_resource(interp, v.thread.execution, resource, params)
    except StatesError as error:
        waiting.fail(error.error, error.cause)
        return
    events.submitted(result)


def _call_and_wait_for_child(
    interp: Interpreter, v: Visit, resource: Resource, params: Any, timeout: int | None, events: _TaskEvents
) -> None:
    """``.sync`` / ``.sync:2`` on states:startExecution: start the child, then wait for it to close."""
    thread = v.thread
    try:
        result = call_resource(interp, thread.execution, resource, params)
    except StatesError as error:
        events.failed(error.error, error.cause)
        return
    events.submitted(result)
    child = interp.service.execution_by_arn(result["ExecutionArn"])
    done = [False]

    def child_closed(child: Execution) -> None:
        if done[0] or not thread.alive():
            return
        done[0] = True
        described = describe_for_sync(child, resource.pattern == ".sync:2")
        if child.status == "SUCCEEDED":
            events.succeeded(described)
        else:
            events.failed(errors.TASK_FAILED, dumps(described))

    if child is not None:
        _follow_child(interp, thread.execution, child, child_closed)
    if timeout is not None:

        def fire() -> None:
            if not done[0]:
                done[0] = True
                events.timed_out(errors.TIMEOUT)

        interp.later(thread, interp.cloud.clock.now() + timeout, fire, f"sfn sync timeout {v.name}")


def _follow_child(
    interp: Interpreter, parent: Execution, child: Execution, child_closed: Callable[[Execution], None]
) -> None:
    """Call ``child_closed`` when the child closes; stop the child if the parent ends first."""
    if child.closed:
        interp.post(lambda: child_closed(child))
        return
    child.on_close.append(child_closed)

    def parent_closed(parent: Execution) -> None:
        # Like any .sync job, the child is stopped when the parent stops waiting for it.
        if not child.closed and parent.status != "SUCCEEDED":
            interp.close(child, "ABORTED", error="States.Aborted", cause="The parent execution stopped.")

    parent.on_close.append(parent_closed)


def describe_for_sync(child: Execution, parsed: bool) -> dict[str, Any]:
    """What ``.sync`` (strings) and ``.sync:2`` (JSON) return for a child execution."""
    out: dict[str, Any] = {
        "ExecutionArn": child.arn,
        "Input": json.loads(child.input) if parsed else child.input,
        "InputDetails": {"Included": True},
        "Name": child.name,
        "StartDate": int(child.start_date.timestamp() * 1000),
        "StateMachineArn": child.machine.arn,
        "Status": child.status,
    }
    if child.stop_date is not None:
        out["StopDate"] = int(child.stop_date.timestamp() * 1000)
    if child.output is not None:
        out["Output"] = json.loads(child.output) if parsed else child.output
        out["OutputDetails"] = {"Included": True}
    if child.error:
        out["Error"] = child.error
    if child.cause:
        out["Cause"] = child.cause
    return out


def _sdk_metadata(interp: Interpreter, status: int = 200) -> dict[str, Any]:
    request_id = interp.cloud.ids.uuid4()
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id}
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _error_name(prefix: str, code: str) -> str:
    # Step Functions names SDK errors after the Java SDK's exception classes.
    return f"{prefix}.{code if code.endswith('Exception') else code + 'Exception'}"


def call_resource(interp: Interpreter, execution: Execution, resource: Resource, params: Any) -> Any:
    """Call what a Task's resource names (not Lambda ARNs or activities) and shape its result."""
    if not isinstance(params, dict):
        raise StatesError(errors.RUNTIME, "The Parameters of a service integration must be a JSON object")
    cloud = interp.cloud
    kind = (resource.service, resource.operation) if resource.kind == "optimised" else None

    def call(service: str, operation: str, request: dict[str, Any], prefix: str) -> dict[str, Any]:
        try:
            return cloud.call(
                service,
                operation,
                request,
                region=execution.region,
                account_id=execution.account_id,
                caller="stepfunctions",
            )
        except AwsError as error:
            raise StatesError(
                _error_name(prefix, error.code),
                f"{error.message} (Service: {prefix}, Status Code: {error.status or 400}, Error Code: {error.code})",
            ) from None

    if kind == ("lambda", "Invoke"):
        function = params.get("FunctionName")
        if not isinstance(function, str):
            raise StatesError(errors.RUNTIME, "lambda:invoke needs a FunctionName")
        payload = params.get("Payload", {})
        if params.get("InvocationType") == "Event":
            _invoke_lambda(interp, function, payload)
            return {"Payload": "", "StatusCode": 202, **_sdk_metadata(interp, 202)}
        result = _invoke_lambda(interp, function, payload)
        return {"ExecutedVersion": "$LATEST", "Payload": result, "StatusCode": 200, **_sdk_metadata(interp)}
    if kind == ("sqs", "SendMessage"):
        request = dict(params)
        if not isinstance(request.get("MessageBody"), str):
            request["MessageBody"] = dumps(request.get("MessageBody"))
        return {**_pascal(call("sqs", "SendMessage", request, "SQS")), **_sdk_metadata(interp)}
    if kind == ("sns", "Publish"):
        request = dict(params)
        if not isinstance(request.get("Message"), str):
            request["Message"] = dumps(request.get("Message"))
        return {**_pascal(call("sns", "Publish", request, "SNS")), **_sdk_metadata(interp)}
    if kind == ("stepfunctions", "StartExecution"):
        request = {_camel(k): v for k, v in params.items()}
        if "input" in request and not isinstance(request["input"], str):
            request["input"] = dumps(request["input"])
        started = call("stepfunctions", "StartExecution", request, "StepFunctions")
        return {
            "ExecutionArn": started["executionArn"],
            "StartDate": int(started["startDate"].timestamp() * 1000),
            **_sdk_metadata(interp),
        }
    if resource.kind == "sdk":
        from ...core.registry import service_model

        shape = service_model(resource.service).operation_model(resource.operation).input_shape
        request = _to_model(params, shape)
        return _pascal(call(resource.service, resource.operation, request, resource.error_prefix))
    raise StatesError(errors.RUNTIME, f"pytest-awsmsg cannot run {resource.arn}")


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def _pascal(value: Any) -> Any:
    """An SDK response as Step Functions hands it to the state: PascalCase members, JSON values."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _to_model(value: Any, shape: Any) -> Any:
    """aws-sdk Parameters (PascalCase) mapped onto the model's member names, case-insensitively."""
    if shape is None:
        return value
    type_name = getattr(shape, "type_name", "")
    if type_name == "structure" and isinstance(value, dict):
        members = {name.lower(): name for name in shape.members}
        out = {}
        for key, item in value.items():
            name = members.get(key.lower(), key)
            out[name] = _to_model(item, shape.members.get(name))
        return out
    if type_name == "list" and isinstance(value, list):
        return [_to_model(item, shape.member) for item in value]
    if type_name == "map" and isinstance(value, dict):
        return {k: _to_model(item, shape.value) for k, item in value.items()}
    if type_name == "blob" and isinstance(value, str):
        return value.encode()
    return value


__all__ = ["MAX_PAYLOAD", "TaskFailure", "call_resource", "run_task", "start_task"]
