"""Every operation of the installed botocore's SQS model has a handler."""

from __future__ import annotations

import inspect

import botocore.session

from pytest_awsmsg.services.base import python_name
from pytest_awsmsg.services.sqs import SqsService


def test_every_operation_has_a_method_taking_its_members() -> None:
    model = botocore.session.get_session().get_service_model("sqs")
    assert len(model.operation_names) >= 23
    for name in model.operation_names:
        method = getattr(SqsService, python_name(name), None)
        assert callable(method), f"SqsService lacks {python_name(name)} for {name}"
        accepted = set(inspect.signature(method).parameters)
        members = model.operation_model(name).input_shape.members
        missing = {python_name(m) for m in members} - accepted
        assert not missing, f"{name} does not accept {sorted(missing)}"
