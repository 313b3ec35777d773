"""TestState's ``mock.fieldValidationMode``: a mocked result checked against the integration's API model.

AWS validates a mocked Task result against the response shape of the API the
resource calls (STRICT: required fields present and every present field of the
right type; PRESENT: present fields only; NONE: nothing), with the field names
Step Functions uses (the model's member names with a capital first letter).
Fields the model does not have are accepted. The messages are AWS's (recorded):
``Mock result schema validation error: Field 'Entries' must be an array``.
"""

from __future__ import annotations

import re
from typing import Any

from botocore import xform_name
from botocore.exceptions import UnknownServiceError
from botocore.model import Shape

from .errors import ValidationException

_ARN = re.compile(r"^arn:aws[\w-]*:states:::([\w-]+):([\w-]+)(?::([\w-]+))?(\.sync(?::2)?|\.waitForTaskToken)?$")
# Step Functions' names for services whose botocore name differs.
_BOTOCORE_NAMES = {"sfn": "stepfunctions", "states": "stepfunctions"}
# Members Step Functions hands over as parsed JSON rather than as the model's blob or string.
_FREE = {("lambda", "Invoke"): {"Payload"}, ("stepfunctions", "DescribeExecution"): {"Input", "Output"}}
_NUMBERS = ("integer", "long", "float", "double")


def _shape(arn: str) -> tuple[Shape, set[str]] | None:
    """The response shape a Task resource's result follows, and its free-form members (None: not checked).

    Assumption: a callback (``.waitForTaskToken``) returns whatever the worker
    sends, and the ``.sync`` jobs other than Step Functions' describe calls the
    kit does not model, so those results are not checked; nor are a Lambda
    function ARN's (its payload is the function's).
    """
    from ...core.registry import service_model

    match = _ARN.match(arn)
    if match is None:
        return None
    service, action, sdk_action, pattern = match.groups()
    if service == "aws-sdk":
        service, action = action, sdk_action or ""
    elif sdk_action is not None:
        return None
    service = _BOTOCORE_NAMES.get(service, service)
    if pattern == ".waitForTaskToken" or (pattern and service != "stepfunctions"):
        return None
    try:
        model = service_model(service)
    except UnknownServiceError:
        return None
    wanted = "DescribeExecution" if pattern else xform_name(action[:1].upper() + action[1:])
    operation = next((name for name in model.operation_names if xform_name(name) == xform_name(wanted)), None)
    if operation is None:
        return None
    output = model.operation_model(operation).output_shape
    if output is None:
        return None
    free = _FREE.get((service, operation), set()) if pattern != ".sync" else set()
    return output, free


def check(arn: str, result: Any, mode: str) -> None:
    """Raise AWS's ValidationException if ``result`` does not fit the resource's response shape."""
    if mode == "NONE":
        return
    found = _shape(arn)
    if found is None:
        return
    shape, free = found
    problem = _problem(result, shape, "", mode == "STRICT", free)
    if problem is not None:
        raise ValidationException(f"Mock result schema validation error: {problem}")


def _problem(value: Any, shape: Shape, name: str, strict: bool, free: set[str]) -> str | None:
    kind = shape.type_name
    field = f"Field '{name}'"
    if kind == "structure":
        if not isinstance(value, dict):
            # Assumption: AWS's wording for a structure that is not an object (the top level has no name).
            return f"{field} must be an object" if name else "The mock result must be a JSON object"
        for member, inner in shape.members.items():
            key = member[:1].upper() + member[1:]
            if key in value:
                if key in free and not name:
                    continue
                problem = _problem(value[key], inner, key, strict, free)
                if problem is not None:
                    return problem
            elif strict and member in shape.required_members:
                return f"Required field '{key}' is missing"
        return None
    if kind == "list":
        if not isinstance(value, list):
            return f"{field} must be an array"
        for item in value:
            problem = _problem(item, shape.member, name, strict, free)
            if problem is not None:
                return problem
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return f"{field} must be an object"
        for item in value.values():
            problem = _problem(item, shape.value, name, strict, free)
            if problem is not None:
                return problem
        return None
    return _scalar_problem(value, shape, field)


def _scalar_problem(value: Any, shape: Shape, field: str) -> str | None:
    kind, limits = shape.type_name, shape.metadata
    if kind in _NUMBERS:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return f"{field} must be a number"
        if "min" in limits and value < limits["min"]:
            return f"{field} is less than the minimum value"
        if "max" in limits and value > limits["max"]:
            return f"{field} exceeds the maximum value"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{field} must be a boolean"
    # string, blob and timestamp: JSON strings (a timestamp is ISO 8601 text, a blob base64 text).
    if not isinstance(value, str):
        return f"{field} must be a string"
    if kind == "string" and shape.enum and value not in shape.enum:
        return f"{field} is not an expected value"
    if kind in ("string", "blob") and "min" in limits and len(value) < limits["min"]:
        return f"{field} is smaller than the minimum length"
    if kind in ("string", "blob") and "max" in limits and len(value) > limits["max"]:
        # Assumption: worded like the minimum-length message AWS gives.
        return f"{field} is larger than the maximum length"
    return None
