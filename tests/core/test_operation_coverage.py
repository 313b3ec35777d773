"""Every operation of every faked service's botocore model has a declared handler, and
no helper is reachable as an operation."""

from __future__ import annotations

import inspect

import pytest

from pytest_awsmsg.core.registry import faked_services, service_class, service_model
from pytest_awsmsg.core.service import HandlerError, Service, operation, python_name

from .test_docs_coverage import DOCS, _rows


def _newer_operations(name: str) -> set[str]:
    """Handlers of operations the installed botocore lacks but the coverage page's (newer) model has.

    On an older botocore (tox's botocore-min) those serve newer ones; a handler
    named after no operation of either model is still reported.
    """
    on_page = {op for service, op in _rows((DOCS / "coverage.md").read_text(encoding="utf-8")) if service == name}
    return {python_name(op) for op in on_page - set(service_model(name).operation_names)}


@pytest.mark.parametrize("name", faked_services())
def test_every_operation_has_a_handler_and_every_handler_an_operation(name: str) -> None:
    newer = _newer_operations(name)
    problems = [p for p in service_class(name).handler_problems() if p.split(" ", 1)[0] not in newer]
    assert problems == []


def test_the_dispatch_table_holds_declared_handlers_only() -> None:
    table = service_class("sqs").handlers()
    assert table["SendMessage"].method == "send_message"
    assert table["SendMessage"].keywords["QueueUrl"] == "queue_url"
    # Helpers of the class are in no row of the table.
    assert {"queue", "quirks", "enqueue", "take"}.isdisjoint(h.method for h in table.values())


def test_a_helper_named_like_an_operation_is_refused() -> None:
    class Sloppy(Service[None]):
        name = "sqs"

        def send_message(self, ctx: object, **_: object) -> dict[str, object]:
            return {}

    with pytest.raises(HandlerError, match=r"Sloppy.send_message is named after sqs SendMessage but not declared"):
        Sloppy.handlers()


def test_a_handler_of_no_operation_is_reported() -> None:
    class Typo(Service[None]):
        name = "sqs"

        @operation
        def send_mesage(self, ctx: object, **_: object) -> dict[str, object]:
            return {}

    assert "send_mesage is declared a handler, but sqs has no such operation" in Typo.handler_problems()
    assert "no handler for SendMessage" in Typo.handler_problems()


@pytest.mark.parametrize("name", faked_services())
def test_handlers_accept_every_input_member(name: str) -> None:
    """A member botocore may send must not crash a handler with a TypeError."""
    service = service_class(name)
    model = service_model(name)
    problems = []
    for op in model.operation_names:
        handler = service.handlers().get(op)
        method = getattr(service, handler.method) if handler else None
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
