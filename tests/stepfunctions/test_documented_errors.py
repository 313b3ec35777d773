"""Every Step Functions operation naming a resource answers only the errors its model documents."""

from __future__ import annotations

from typing import Any

import botocore
import botocore.session
import pytest
from botocore.model import Shape

ACCOUNT = "arn:aws:states:us-east-1:123456789012:"
# A well-formed ARN of the right kind that names nothing, per ARN member of the model.
MISSING = {
    "stateMachineArn": ACCOUNT + "stateMachine:nope",
    "executionArn": ACCOUNT + "execution:nope:e1",
    "activityArn": ACCOUNT + "activity:nope",
    "mapRunArn": ACCOUNT + "mapRun:nope/label:1",
    "stateMachineAliasArn": ACCOUNT + "stateMachine:nope:alias",
    "stateMachineVersionArn": ACCOUNT + "stateMachine:nope:1",
    "resourceArn": ACCOUNT + "stateMachine:nope",
}


def _minimal(shape: Shape) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [_minimal(shape.member)]
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "map":
        return {}
    return "x" * max(1, shape.metadata.get("min", 1))


def _cases() -> list[tuple[str, str]]:
    model = botocore.session.get_session().get_service_model("stepfunctions")
    cases = []
    for name in model.operation_names:
        members = model.operation_model(name).input_shape.required_members
        if any(member in MISSING for member in members):
            cases.extend([(name, "missing"), (name, "junk")])
    return cases


@pytest.mark.parametrize(("operation", "arn"), _cases())
def test_answers_are_documented_errors(sfn: Any, operation: str, arn: str) -> None:
    op_model = sfn.meta.service_model.operation_model(operation)
    documented = {shape.name for shape in op_model.error_shapes}
    params = _minimal(op_model.input_shape)
    for member in params:
        if member in MISSING:
            params[member] = MISSING[member] if arn == "missing" else "not-an-arn"
    code = None
    try:
        getattr(sfn, botocore.xform_name(operation))(**params)
    except sfn.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
    assert code is None or code in documented, (operation, code)
