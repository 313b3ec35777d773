"""The pytest side of breaking the cloud: markers, report sections, the timeline file."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

CLIENTS = """
import boto3
import botocore.exceptions
import pytest
from botocore.config import Config


def sqs(retries=5, region="us-east-1"):
    return boto3.client("sqs", region_name=region, config=Config(retries={"mode": "standard", "max_attempts": retries}))


def queue():
    return sqs().create_queue(QueueName="orders")["QueueUrl"]
"""


def test_markers_are_registered_with_their_signatures(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.aws_fault(service=None, operations=None, *, region=None, *",
            "@pytest.mark.aws_az_outage(zone, duration=None, *, error_share=None, shift_after=60.0)*",
            "@pytest.mark.aws_region_outage(region, duration=None)*",
            "@pytest.mark.aws_fis(template)*",
            "@pytest.mark.aws_virtual_sleep*",
            "@pytest.mark.sfn_mock_config(config)*",
        ]
    )


@pytest.mark.parametrize(
    ("marker", "target"),
    [
        ("aws_fault", "pytest_awsmsg.core.faults:FaultInjector.inject"),
        ("aws_az_outage", "pytest_awsmsg.core.topology:Topology.az_outage"),
        ("aws_region_outage", "pytest_awsmsg.core.topology:Topology.region_outage"),
        ("aws_fis", "pytest_awsmsg.core.faults:FaultInjector.fis"),
        ("sfn_mock_config", "pytest_awsmsg.services.stepfunctions.view:StepFunctionsView.mock_config"),
    ],
)
def test_registered_marker_signatures_match_what_the_markers_call(marker: str, target: str) -> None:
    # `pytest --markers` is the marker's documentation: it must not drift from the API.
    import importlib
    import inspect

    from pytest_awsmsg.plugin import _signature

    module, _, qualname = target.partition(":")
    owner, _, name = qualname.partition(".")
    function = getattr(getattr(importlib.import_module(module), owner), name)
    parameters = [
        p.replace(annotation=inspect.Parameter.empty)
        for p in inspect.signature(function).parameters.values()
        if p.name != "self"
    ]
    assert _signature(marker) == marker + str(inspect.Signature(parameters))


def test_fault_markers_pull_in_the_cloud_and_stack_from_module_to_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
from pytest_awsmsg import current_cloud

pytestmark = pytest.mark.aws_fault("sqs", "ReceiveMessage", error="internal")


@pytest.mark.aws_fault("sqs", "SendMessage", error="throttle", count=2)
def test_retrying_producer_survives():
    answer = sqs(retries=5).send_message(QueueUrl=queue(), MessageBody="x")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    with pytest.raises(botocore.exceptions.ClientError, match="InternalFailure"):
        sqs(retries=0).receive_message(QueueUrl=queue())
    assert [r.label for r in current_cloud().faults.rules] == ["rule 1", "rule 2"]


@pytest.mark.aws_fault("sqs", "SendMessage", error="throttle", count=2)
def test_producer_without_retries_fails():
    with pytest.raises(botocore.exceptions.ClientError, match="RequestThrottled"):
        sqs(retries=0).send_message(QueueUrl=queue(), MessageBody="x")
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_outage_markers_start_with_the_test_body_after_fixtures_set_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.fixture
def url(aws):
    with aws.in_az("us-east-1a"):  # set up in a healthy cloud
        return queue()


@pytest.mark.aws_az_outage("us-east-1a", duration=300)
def test_az(aws, url):
    with aws.in_az("us-east-1a"), pytest.raises(botocore.exceptions.EndpointConnectionError):
        sqs().send_message(QueueUrl=url, MessageBody="x")
    aws.clock.advance(300)
    with aws.in_az("us-east-1a"):
        sqs().send_message(QueueUrl=url, MessageBody="x")


@pytest.mark.aws_region_outage("us-east-1")
def test_region():
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        queue()
    sqs(region="eu-west-1").create_queue(QueueName="failover")
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_fis_marker_reads_a_template_beside_the_test(pytester: pytest.Pytester) -> None:
    template = {
        "targets": {"app": {"resourceType": "aws:iam:role", "resourceArns": ["arn:aws:iam::123456789012:role/app"]}},
        "actions": {
            "throttle": {
                "actionId": "aws:fis:inject-api-throttle-error",
                "parameters": {"service": "sqs", "operations": "SendMessage", "percentage": "100", "duration": "PT5M"},
                "targets": {"Roles": "app"},
            }
        },
    }
    pytester.mkdir("chaos").joinpath("throttle.json").write_text(json.dumps(template))
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.aws_fis("chaos/throttle.json")
def test_chaos(aws):
    url = queue()
    with pytest.raises(botocore.exceptions.ClientError, match="RequestThrottled"):
        sqs(retries=0).send_message(QueueUrl=url, MessageBody="x")
    aws.clock.advance(minutes=5)
    sqs(retries=0).send_message(QueueUrl=url, MessageBody="x")
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_virtual_sleep_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time
        import pytest

        @pytest.mark.aws_virtual_sleep
        def test_polls(aws):
            start = aws.clock.now()
            deadline = time.monotonic() + 3600
            while time.monotonic() < deadline:
                time.sleep(60)  # virtual: the marker makes sleep move the clock
            assert aws.clock.now() - start == 3600

        @pytest.mark.aws(virtual_sleep=True)
        def test_as_an_aws_marker_option(aws):
            start = aws.clock.now()
            time.sleep(90)  # virtual, as above
            assert aws.clock.now() - start == 90

        def test_untouched(aws):
            assert not aws.clock.frozen
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_the_closest_of_aws_virtual_sleep_and_aws_virtual_sleep_option_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time
        import pytest

        REAL_SLEEP = time.sleep
        pytestmark = pytest.mark.aws_virtual_sleep

        @pytest.mark.aws(virtual_sleep=False)
        def test_turned_off_for_this_test(aws):
            assert time.sleep is REAL_SLEEP

        @pytest.mark.aws(seed=1)
        def test_module_setting_kept(aws):
            assert time.sleep is not REAL_SLEEP
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_bad_fault_marker_fails_the_test_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.aws_fault("sqs", "SendMessage", error="TopicNotFound")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["@pytest.mark.aws_fault: sqs SendMessage never returns 'TopicNotFound'*"])


def test_a_misused_marker_names_itself_and_its_signature(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.aws_fault("sqs", "SendMessage", eror="throttle")
        def test_typo():
            pass

        @pytest.mark.aws_fis
        def test_no_template():
            pass

        @pytest.mark.aws(seeed=1)
        def test_aws_typo(aws):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2, errors=1)
    result.stdout.no_fnmatch_line("*def _apply_marker*")  # the message, not the plugin's insides
    result.stdout.no_fnmatch_line("*During handling of the above exception*")
    result.stdout.fnmatch_lines_random(
        [
            "@pytest.mark.aws_fault: got an unexpected keyword argument 'eror'; "
            "it takes aws_fault(service=None, operations=None, *, region=None, *",
            "@pytest.mark.aws_fis: missing a required argument: 'template'; it takes aws_fis(template)",
            "@pytest.mark.aws: unknown option 'seeed'. Did you mean 'seed'? It takes aws(seed=None, region=None, *",
        ]
    )
    result.stdout.no_fnmatch_line("*def _options*")
    result.stdout.no_fnmatch_line("*UsageError*")


def test_a_misspelt_operation_in_a_fault_marker_gets_a_suggestion(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.aws_fault("sqs", "SendMesage", error="throttle")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["@pytest.mark.aws_fault: sqs has no operation SendMesage. Did you mean 'SendMessage'?"]
    )


def test_failure_report_shows_injected_faults_and_retries(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.aws_fault("sqs", "SendMessage", error="throttle", count=2, label="burst")
def test_fails():
    sqs(retries=5).send_message(QueueUrl=queue(), MessageBody="x")
    assert False, "boom"
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*aws calls*",
            # (fnmatch reads [...] as a character class: match around the brackets)
            "*sqs.SendMessage(QueueUrl=*) -> 403 RequestThrottled: *fault: burst: error throttle*",
            "*sqs.SendMessage(QueueUrl=*) (attempt 3) -> ok",
            "*aws faults*",
            "*us-east-1 sqs.SendMessage attempt 1: error throttle *burst*",
            "*us-east-1 sqs.SendMessage attempt 2: error throttle *burst*",
            "*aws retries*",
            "#2 sqs.SendMessage: 3 attempts: 403 RequestThrottled *fault*, 403 RequestThrottled *fault*, ok",
        ]
    )


def test_timeline_option_writes_every_tests_story_as_json(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.aws_fault("sqs", "SendMessage", error="unavailable", count=1)
def test_one(aws):
    sqs().send_message(QueueUrl=queue(), MessageBody="x")
    aws.az_outage("us-east-1c", duration=10)
    aws.clock.advance(10)


def test_two(aws):
    assert False
"""
    )
    result = pytester.runpytest("--awsmsg-timeline", "out/timeline.json")
    result.assert_outcomes(passed=1, failed=1)
    data = json.loads((pytester.path / "out" / "timeline.json").read_text())
    by_name = {test["nodeid"].split("::")[-1]: test for test in data["tests"]}
    one, two = by_name["test_one"], by_name["test_two"]  # whatever order they ran in
    assert (one["outcome"], two["outcome"]) == ("passed", "failed")
    kinds = [(e["kind"], e.get("operation") or e.get("name"), e.get("attempt"), e.get("up")) for e in one["events"]]
    assert kinds == [
        ("call", "CreateQueue", 1, None),
        ("call", "SendMessage", 1, None),
        ("fault", "SendMessage", 1, None),
        ("call", "SendMessage", 2, None),
        ("az-change", "us-east-1c", None, False),
        ("az-change", "us-east-1c", None, True),
    ]
    assert one["events"][2]["action"] == "error unavailable"
    rules = [(r["action"], r["selects"], r["injected"]) for r in one["fault_rules"]]
    assert rules[0] == ("error unavailable", {"service": "sqs", "operations": ["SendMessage"], "count": 1}, 1)
    assert [r["label"] for r in one["fault_rules"][1:]] == [
        "az-outage us-east-1c: caller in the failed AZ",
        "az-outage us-east-1c: calls landing in the failed AZ",
    ]
    assert one["events"][3]["invocation"] == one["events"][1]["invocation"]
    assert two["events"] == []


def test_under_xdist_the_timeline_is_one_merged_file(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        CLIENTS
        + "".join(
            f"""
def test_{n}(aws):
    sqs().send_message(QueueUrl=queue(), MessageBody="{n}")
"""
            for n in range(4)
        )
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:asyncio", "--awsmsg-timeline", "out/timeline.json")
    result.assert_outcomes(passed=4)
    assert [p.name for p in (pytester.path / "out").iterdir()] == ["timeline.json"]
    data = json.loads((pytester.path / "out" / "timeline.json").read_text())
    assert [test["nodeid"].split("::")[-1] for test in data["tests"]] == ["test_0", "test_1", "test_2", "test_3"]
    assert all(len(test["events"]) == 2 for test in data["tests"])  # CreateQueue, SendMessage


def test_failure_report_shows_outages(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.aws_az_outage("us-east-1b", duration=30)
        def test_fails(aws):
            aws.clock.advance(30)
            assert False
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*aws outages*", "* AZ us-east-1b (use1-az2) down", "* AZ us-east-1b (use1-az2) back up"]
    )
