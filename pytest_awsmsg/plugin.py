"""The pytest entry point: the ``aws`` fixture, markers, options and reports.

Thin by design: no service logic, and nothing heavy imported until a test asks
for the cloud (pytest loads this module in every run).
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from . import _hook

if TYPE_CHECKING:
    from .core.cloud import Cloud

_CLOUD = pytest.StashKey["Cloud"]()
# Markers that need a cloud pull in the ``aws`` fixture on their own.
CLOUD_MARKERS = ("aws",)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("awsmsg", "pytest-awsmsg: in-memory AWS messaging")
    group.addoption(
        "--awsmsg-seed",
        default=None,
        help="Base seed for every test's cloud (combined with the test's node id). Default: the ini value, else 0.",
    )
    parser.addini("awsmsg_seed", "Base seed for every test's cloud.", default="0")
    parser.addini(
        "awsmsg_validate_output",
        "Check every result a fake returns against its botocore output shape (for developing fakes).",
        type="bool",
        default=False,
    )
    parser.addini("awsmsg_region", "Default region of every test's cloud (else AWS_DEFAULT_REGION, else us-east-1).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "aws(seed=None, region=None, account_id='123456789012', passthrough=(), freeze=None): "
        "run the test against pytest-awsmsg's in-memory AWS, configured by these options.",
    )
    # Installed now, before test modules are imported, so clients they create
    # at import time are covered too. Costs nothing until botocore loads.
    _hook.install()
    _hook.validate_output = bool(config.getini("awsmsg_validate_output"))
    extra = config.pluginmanager.hook.pytest_awsmsg_services()
    if any(extra):
        from .core.registry import register_service

        for services in extra:
            for service in services or ():
                register_service(service)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and "aws" not in names and any(item.get_closest_marker(m) for m in CLOUD_MARKERS):
            names.append("aws")


def seed_for(base: str, nodeid: str) -> int:
    """A test's default seed: stable per test, independent of order and xdist."""
    digest = hashlib.sha256(f"{base}:{nodeid}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = request.config
    base = config.getoption("--awsmsg-seed") or config.getini("awsmsg_seed") or "0"
    options: dict[str, Any] = {"seed": seed_for(str(base), request.node.nodeid)}
    region = config.getini("awsmsg_region")
    if region:
        options["region"] = region
    # Closest marker wins: apply from the outermost (module, class) inwards.
    for marker in reversed(list(request.node.iter_markers("aws"))):
        if marker.args:
            raise pytest.UsageError("@pytest.mark.aws takes keyword arguments only, e.g. aws(seed=1)")
        options.update(marker.kwargs)
    return options


@pytest.fixture
def aws(request: pytest.FixtureRequest) -> Generator[Cloud, None, None]:
    """A fresh in-memory AWS for this test; every boto3 client talks to it."""
    from .core.activation import fake_aws

    activation = fake_aws(**_options(request))
    cloud = activation.start()
    request.node.stash[_CLOUD] = cloud
    try:
        request.config.pluginmanager.hook.pytest_awsmsg_cloud_created(cloud=cloud, request=request)
        yield cloud
    finally:
        activation.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    cloud = item.stash.get(_CLOUD, None)
    if cloud is not None and report.failed:
        report.sections.append(("aws calls", cloud.calls.format()))
        for title, text in cloud.report_sections():
            report.sections.append((title, text))
    return report
