"""What the core asks of a service: its error classes and the resources a call names,
and that the core asks rather than imports (it imports nothing from ``services/``)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import botocore
import pytest

import pytest_awsmsg.core
from pytest_awsmsg import AwsError
from pytest_awsmsg.core.model_errors import ModelErrors
from pytest_awsmsg.core.registry import faked_services, service_class, service_model
from pytest_awsmsg.core.service import Service
from pytest_awsmsg.services.sns import errors as sns_errors
from pytest_awsmsg.services.sqs import errors as sqs_errors


def test_error_classes_are_made_from_the_model_once() -> None:
    sns = service_class("sns")
    not_found = sns.error_class("NotFoundException")
    assert not_found is sns_errors.NotFoundException  # one class: `except` catches what was raised
    assert (not_found.code, not_found.status, not_found.sender_fault) == ("NotFoundException", 404, True)
    internal = sns.error_class("InternalErrorException")
    assert internal is not None
    assert (internal.status, internal.sender_fault) == (500, False)  # the shape says no senderFault
    assert sns.error_class("QueueDoesNotExist") is None  # another service's shape


def test_overrides_say_what_the_model_does_not() -> None:
    gone = service_class("sqs").error_class("QueueDoesNotExist")
    assert gone is sqs_errors.QueueDoesNotExist
    assert gone.query_code == "AWS.SimpleQueueService.NonExistentQueue"
    assert gone().message == "The specified queue does not exist."
    over_limit = service_class("sqs").error_class("OverLimit")
    assert over_limit is not None
    assert over_limit.status == 403
    assert "QueueDoesNotExist" in dir(sqs_errors)  # dir() lists the made classes too
    with pytest.raises(AttributeError, match="no error class 'nonsense'"):
        _ = sqs_errors.nonsense


@pytest.mark.parametrize("name", faked_services())
def test_every_error_class_a_service_imports_is_a_shape_of_its_model(name: str) -> None:
    """A typo in an import would otherwise make a class of its own.

    Checked against a botocore at least as new as the one the coverage page
    was made from: an older one (tox's botocore-min) lacks shapes the services raise.
    """
    page = (Path(__file__).parents[2] / "docs" / "coverage.md").read_text("utf-8")  # the checkout's, not the wheel's
    made_with = re.search(r"botocore (\d+(?:\.\d+)+)", page)
    installed = tuple(int(p) for p in botocore.__version__.split(".")[:3])
    if made_with and installed < tuple(int(p) for p in made_with.group(1).split(".")[:3]):
        pytest.skip(f"botocore {botocore.__version__} predates the error shapes the services raise")
    package = Path(service_class(name).__module__.replace(".", "/")).parent.name
    folder = Path(pytest_awsmsg.core.__file__).parent.parent / "services" / package
    errors_module = importlib.import_module(f"pytest_awsmsg.services.{package}.errors")
    shapes = {shape.name for shape in service_model(name).error_shapes}
    unknown = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "errors" and node.level == 1:
                for alias in node.names:
                    if alias.name[:1].isupper() and alias.name not in vars(errors_module):
                        unknown.add(alias.name)
    assert unknown - shapes == set()


def test_an_override_of_anything_but_what_a_class_says_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot override code"):
        ModelErrors("sqs", overrides={"OverLimit": {"code": "Other"}})


def test_a_service_without_an_errors_module_gets_classes_from_its_model() -> None:
    class TinySwf(Service[None]):
        name = "swf"

    unknown = TinySwf.error_class("UnknownResourceFault")
    assert unknown is not None
    assert issubclass(unknown, AwsError)
    assert unknown.code == "UnknownResourceFault"


def test_resource_names_include_nested_members_but_not_map_keys_or_lookalikes() -> None:
    class TinySwf(Service[None]):
        name = "swf"
        resource_members = frozenset({"domain"})

    params = {"domain": "shop", "taskList": {"name": "orders"}, "identity": "worker-1"}
    assert TinySwf.resource_names(params, "PollForActivityTask") == ["shop", "orders"]

    sqs = service_class("sqs")
    # A tag is data, not a member, even one keyed "OwnerId".
    assert sqs.resource_names({"QueueName": "q", "tags": {"OwnerId": "orders"}}, "CreateQueue") == ["q"]
    batch = {"QueueUrl": "https://x/123456789012/q", "Entries": [{"Id": "orders", "MessageGroupId": "orders"}]}
    assert sqs.resource_names(batch, "SendMessageBatch") == ["https://x/123456789012/q"]


def test_the_core_imports_nothing_from_services() -> None:
    offenders = []
    for path in Path(pytest_awsmsg.core.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and "services" in node.module.split("."):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
