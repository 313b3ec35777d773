"""Hooks other packages implement to extend pytest-awsmsg.

Registered with pytest's plugin manager in ``pytest_addhooks``; implement them
in a conftest or a plugin like any pytest hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .core.cloud import Cloud


@pytest.hookspec
def pytest_awsmsg_services() -> list[Any]:  # type: ignore[empty-body]
    """Return fake service classes (subclasses of ``Service``) to register.

    Called once at configure time; each class answers for its ``name``.
    """


@pytest.hookspec
def pytest_awsmsg_cloud_created(cloud: Cloud, request: pytest.FixtureRequest) -> None:
    """A test's cloud was created, before the test uses it: seed state here."""
