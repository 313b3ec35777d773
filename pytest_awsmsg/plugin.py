"""The pytest entry point: the ``aws`` fixture, markers, options and reports.

Thin by design: no service logic, and nothing heavy imported until a test asks
for the cloud (pytest loads this module in every run).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import _hook

if TYPE_CHECKING:
    from .core.cloud import Cloud

_CLOUD = pytest.StashKey["Cloud"]()
_OUTCOME = pytest.StashKey[str]()
_TIMELINE = pytest.StashKey["list[dict[str, Any]]"]()
_WORKER_TIMELINES = "awsmsg_timelines"  # what an xdist worker hands its controller
# Markers that need a cloud pull in the ``aws`` fixture on their own.
CLOUD_MARKERS = (
    "aws",
    "aws_fault",
    "aws_az_outage",
    "aws_region_outage",
    "aws_fis",
    "aws_virtual_sleep",
    "sfn_mock_config",
)
_MARKERS = (
    "aws(seed=None, region=None, account_id='123456789012', passthrough=(), freeze=None, virtual_sleep=False): "
    "run the test against pytest-awsmsg's in-memory AWS, configured by these options.",
    "aws_fault(service=None, operations=None, *, region=None, resource=None, caller_az=None, error=None, "
    "status=None, message=None, connection=None, processed=False, latency=None, count=None, nth=None, "
    "percentage=None, after=0.0, duration=None, include_internal=False, label=None): "
    "inject a fault into the calls it selects (aws.faults.inject); several markers stack.",
    "aws_az_outage(zone, duration=None, *, error_share=None, shift_after=60.0): "
    "an Availability Zone is down from the start of the test (aws.az_outage).",
    "aws_region_outage(region, duration=None): every endpoint of a region is unreachable (aws.region_outage).",
    "aws_fis(template): run an AWS FIS experiment template's API fault actions (a dict, JSON text, "
    "or a JSON file path relative to the test file) from the start of the test.",
    "aws_virtual_sleep: time.sleep and asyncio.sleep in the code under test move virtual time instead of waiting.",
    "sfn_mock_config(config): a Step Functions Local mock configuration (a JSON file path relative to the test "
    "file, or a dict) for executions started with stateMachineArn#TestCase (aws.stepfunctions.mock_config).",
)


def _signature(name: str) -> str:
    """A marker's signature as registered (``aws_fis(template)``), for error messages."""
    for line in _MARKERS:
        if line.split("(")[0].split(":")[0] == name:
            return line.split(": ")[0]
    return name


def _apply_marker(marker: pytest.Mark, target: Callable[..., Any]) -> Any:
    """Call ``target`` with a marker's arguments; a misused marker fails the test naming it.

    The failure is the message alone (``pytrace=False``): the plugin's frames
    would only hide what the user has to fix, which is the marker.
    """
    import inspect

    # (pytest.fail outside the except blocks: no "during handling of the
    # above exception" chain in the report.)
    try:
        inspect.signature(target).bind(*marker.args, **marker.kwargs)
    except TypeError as error:
        # Without this the user reads "inject() got an unexpected keyword
        # argument", naming neither the marker nor what it takes.
        problem = f"{error}; it takes {_signature(marker.name)}"
    else:
        try:
            return target(*marker.args, **marker.kwargs)
        except (ValueError, OSError) as error:  # refused configuration, an FIS template file that is not there
            problem = str(error)
    pytest.fail(f"@pytest.mark.{marker.name}: {problem}", pytrace=False)


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
    group.addoption(
        "--awsmsg-guard",
        action="store_true",
        default=None,
        help="Fail any botocore call made while no fake AWS is active (no `aws` fixture or marker).",
    )
    parser.addini(
        "awsmsg_guard",
        "Fail any botocore call made while no fake AWS is active (no `aws` fixture or marker).",
        type="bool",
        default=False,
    )
    group.addoption(
        "--awsmsg-timeline",
        metavar="PATH",
        default=None,
        help="Write every test's AWS timeline (calls, retries, faults, outages, deliveries) to PATH as JSON.",
    )


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    if config.getoption("--awsmsg-timeline", None):
        config.stash[_TIMELINE] = []
    # Installed now, before test modules are imported, so clients they create
    # at import time are covered too. Costs nothing until botocore loads.
    _hook.install()
    # A process-wide switch: remember the outer value so a nested run
    # (pytester's runpytest_inprocess) does not leave its own setting behind.
    config.add_cleanup(functools.partial(setattr, _hook, "validate_output", _hook.validate_output))
    _hook.validate_output = bool(config.getini("awsmsg_validate_output"))
    config.add_cleanup(functools.partial(setattr, _hook, "guard", _hook.guard))
    _hook.guard = bool(config.getoption("--awsmsg-guard", None) or config.getini("awsmsg_guard"))
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


def _options(request: pytest.FixtureRequest, allowed: frozenset[str]) -> dict[str, Any]:
    """``fake_aws`` options: the ini defaults, then ``aws`` markers (closest wins)."""
    config = request.config
    base = config.getoption("--awsmsg-seed") or config.getini("awsmsg_seed") or "0"
    options: dict[str, Any] = {"seed": seed_for(str(base), request.node.nodeid)}
    region = config.getini("awsmsg_region")
    if region:
        options["region"] = region
    # Closest marker wins: apply from the outermost (module, class) inwards.
    for marker in reversed(list(request.node.iter_markers("aws"))):
        # One line naming the marker, as for aws_fault (pytest.fail outside any except block).
        if marker.args:
            pytest.fail("@pytest.mark.aws takes keyword arguments only, e.g. aws(seed=1)", pytrace=False)
        unknown = sorted(set(marker.kwargs) - allowed)
        if unknown:
            from .core.suggest import did_you_mean

            hints = "".join(did_you_mean(name, allowed) for name in unknown)
            pytest.fail(
                f"@pytest.mark.aws: unknown option {', '.join(map(repr, unknown))}.{hints} "
                f"It takes {_signature('aws')}",
                pytrace=False,
            )
        options.update(marker.kwargs)
    # aws_virtual_sleep and aws(virtual_sleep=...) say the same thing: the
    # closest of them wins (a test can turn off what its module turned on).
    for marker in request.node.iter_markers():
        if marker.name == "aws_virtual_sleep":
            options["virtual_sleep"] = True
            break
        if marker.name == "aws" and "virtual_sleep" in marker.kwargs:
            break  # already applied above
    return options


def _beside_the_test(node: pytest.Item, spec: Any) -> Any:
    """A marker's file argument: a path relative to the test file when such a file exists there."""
    if isinstance(spec, str) and not spec.lstrip().startswith("{"):
        beside_test = Path(node.path).parent / spec
        if beside_test.exists():
            return str(beside_test)
    return spec


def _configure_the_cloud(cloud: Cloud, node: pytest.Item) -> None:
    """Markers that set the cloud up before fixtures use it (the closest mock configuration wins)."""
    marker = node.get_closest_marker("sfn_mock_config")
    if marker is not None:
        _apply_marker(marker, lambda config: cloud.stepfunctions.mock_config(_beside_the_test(node, config)))
    elif os.environ.get("SFN_MOCK_CONFIG"):
        cloud.service("stepfunctions")  # reads the file now: a mistake in it fails the test at setup


def _break_the_cloud(cloud: Cloud, node: pytest.Item) -> None:
    """Apply the fault and outage markers, outermost (module, class) first."""
    for marker in reversed(list(node.iter_markers("aws_fault"))):
        _apply_marker(marker, cloud.faults.inject)
    for marker in reversed(list(node.iter_markers("aws_az_outage"))):
        _apply_marker(marker, cloud.az_outage)
    for marker in reversed(list(node.iter_markers("aws_region_outage"))):
        _apply_marker(marker, cloud.region_outage)

    def fis_beside_the_test(template: Any) -> Any:
        return cloud.faults.fis(_beside_the_test(node, template))

    for marker in reversed(list(node.iter_markers("aws_fis"))):
        _apply_marker(marker, fis_beside_the_test)


@pytest.fixture
def aws(request: pytest.FixtureRequest) -> Generator[Cloud, None, None]:
    """A fresh in-memory AWS for this test; every boto3 client talks to it."""
    import inspect

    from .core.activation import fake_aws

    allowed = frozenset(inspect.signature(fake_aws.__init__).parameters) - {"self", "func"}
    activation = fake_aws(**_options(request, allowed))
    cloud = activation.start()
    cloud.label = f"test {request.node.nodeid}"
    request.node.stash[_CLOUD] = cloud
    try:
        _configure_the_cloud(cloud, request.node)
        request.config.pluginmanager.hook.pytest_awsmsg_cloud_created(cloud=cloud, request=request)
        yield cloud
    finally:
        activation.stop()
    cloud.check_kit()  # a crash of the kit fails the test, even when the caller retried past its 500


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # Markers break the cloud when the test body starts: fixtures set up
    # queues and topics in a healthy cloud, and an outage's duration counts
    # from the first line of the test.
    cloud = item.stash.get(_CLOUD, None)
    if cloud is not None:
        _break_the_cloud(cloud, item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    cloud = item.stash.get(_CLOUD, None)
    if cloud is None:
        return report
    if report.failed:
        report.sections.append(("aws calls", cloud.calls.format()))
        if cloud.faults.log:
            report.sections.append(("aws faults", cloud.faults.format()))
        if cloud.topology.changes:
            report.sections.append(("aws outages", cloud.topology.format()))
        retried = cloud.calls.retried()
        if retried:
            report.sections.append(("aws retries", "\n".join(i.summary() for i in retried)))
        for title, text in cloud.report_sections():
            report.sections.append((title, text))
    if report.failed or report.skipped:
        item.stash[_OUTCOME] = item.stash.get(_OUTCOME, None) or report.outcome
    timelines = item.config.stash.get(_TIMELINE, None)
    if timelines is not None and report.when == "teardown":
        from .core.timeline import timeline

        entry = {"nodeid": item.nodeid, "outcome": item.stash.get(_OUTCOME, "passed"), **timeline(cloud)}
        timelines.append(entry)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    timelines = config.stash.get(_TIMELINE, None)
    path = config.getoption("--awsmsg-timeline", None)
    if timelines is None or not path:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller writes the one file
        workeroutput[_WORKER_TIMELINES] = json.dumps(timelines)
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"version": 1, "tests": timelines}, indent=1) + "\n", encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist's controller: a worker's timelines join the run's, in node id order."""
    timelines = node.config.stash.get(_TIMELINE, None)
    sent = getattr(node, "workeroutput", {}).get(_WORKER_TIMELINES)
    if timelines is not None and sent:
        timelines.extend(json.loads(sent))
        timelines.sort(key=lambda entry: entry["nodeid"])
