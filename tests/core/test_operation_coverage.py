"""Every operation of every faked service's botocore model has a handler."""

from __future__ import annotations

import inspect

import pytest

from pytest_awsmsg.core.registry import faked_services, service_class, service_model
from pytest_awsmsg.services.base import python_name


@pytest.mark.parametrize("name", faked_services())
def test_every_operation_has_a_method(name: str) -> None:
    service = service_class(name)
    missing = [
        op for op in service_model(name).operation_names if not callable(getattr(service, python_name(op), None))
    ]
    assert missing == [], f"{name} has no handler for: {', '.join(missing)}"


@pytest.mark.parametrize("name", faked_services())
def test_handlers_accept_every_input_member(name: str) -> None:
    """A member botocore may send must not crash a handler with a TypeError."""
    service = service_class(name)
    model = service_model(name)
    problems = []
    for op in model.operation_names:
        method = getattr(service, python_name(op), None)
        shape = model.operation_model(op).input_shape
        if method is None or shape is None:
            continue
        parameters = inspect.signature(method).parameters
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            continue
        unknown = [m for m in shape.members if python_name(m) not in parameters]
        if unknown:
            problems.append(f"{op}: {', '.join(unknown)}")
    assert problems == []
