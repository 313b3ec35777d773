"""Suite-wide test setup: skip what the installed botocore cannot express.

The suite also runs against the oldest botocore we support (tox's
``botocore-min``), whose models lack operations and members AWS added since.
A test that needs them says so, and is skipped there rather than failing:

    @pytest.mark.requires_api("secretsmanager", "ListSecrets", "SortBy")
    @pytest.mark.requires_api("stepfunctions", "CreateActivity", error="ActivityAlreadyExists")
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.registry import service_model


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires_api(service, operation, *members, error=None): skip unless the installed botocore "
        "models the operation, these input members and this error shape",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("requires_api"):
        service, operation, *members = marker.args
        model = service_model(service)
        if operation not in model.operation_names:
            pytest.skip(f"botocore {botocore.__version__} has no {service} {operation}")
        shape = model.operation_model(operation).input_shape
        missing = [m for m in members if shape is None or m not in shape.members]
        if missing:
            pytest.skip(f"botocore {botocore.__version__}'s {service} {operation} has no {', '.join(missing)}")
        error = marker.kwargs.get("error")
        if error and error not in {shape.name for shape in model.error_shapes}:
            pytest.skip(f"botocore {botocore.__version__} has no {service} error {error}")


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """Inner runs without pytest-asyncio, which warns there about an ini option their files lack."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:asyncio")
    return pytester


@pytest.fixture
def sqs(aws: Cloud) -> Any:
    """A boto3 SQS client in the test's cloud: one definition for every folder that needs it."""
    return boto3.client("sqs", region_name="us-east-1")
