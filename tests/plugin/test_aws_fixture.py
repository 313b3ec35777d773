"""The pytest side: the aws fixture, the aws marker, seeds, options and reports."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


def test_fixture_gives_each_test_a_fresh_cloud(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_one(aws):
            boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="a")
            assert len(aws.calls) == 1

        def test_two(aws):
            sqs = boto3.client("sqs", region_name="us-east-1")
            assert sqs.list_queues().get("QueueUrls", []) == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_marker_configures_the_cloud_and_pulls_in_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from pytest_awsmsg import current_cloud

        pytestmark = pytest.mark.aws(region="eu-central-1", seed=1)

        @pytest.mark.aws(seed=42)
        def test_closest_marker_wins():
            cloud = current_cloud()
            assert (cloud.seed, cloud.region) == (42, "eu-central-1")
            url = boto3.client("sqs").create_queue(QueueName="q")["QueueUrl"]
            assert url.startswith("https://sqs.eu-central-1.")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_default_seed_depends_on_the_node_id_not_on_order(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def _ids(aws):
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            return sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]

        def test_a(aws):
            print("ID-a", _ids(aws))

        def test_b(aws):
            print("ID-b", _ids(aws))
        """
    )

    def ids(*args: str) -> dict[str, str]:
        result = pytester.runpytest("-s", *args)
        assert result.ret == 0
        return dict(re.findall(r"(ID-[ab]) (\S+)", "\n".join(result.outlines)))

    forward = ids()
    only_b = ids("-k", "test_b")
    assert forward["ID-a"] != forward["ID-b"]
    assert only_b["ID-b"] == forward["ID-b"]
    assert ids("--awsmsg-seed", "9")["ID-b"] != forward["ID-b"]


def test_failed_test_report_shows_the_aws_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_fails(aws):
            sqs = boto3.client("sqs", region_name="us-east-1")
            sqs.create_queue(QueueName="orders")
            try:
                sqs.get_queue_url(QueueName="missing")
            except sqs.exceptions.QueueDoesNotExist:
                pass
            assert False, "boom"
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*aws calls*",
            "*us-east-1 sqs.CreateQueue(QueueName='orders'*) -> ok",
            "*sqs.GetQueueUrl(QueueName='missing') -> 400 QueueDoesNotExist: The specified queue does not exist.*",
        ]
    )


def test_marker_rejects_positional_arguments(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.aws(1)
        def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*keyword arguments only*"])


def test_loading_the_plugin_does_not_import_boto3() -> None:
    code = (
        "import sys, pytest_awsmsg.plugin; print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('boto3', 'botocore') or m.startswith('pytest_awsmsg.services')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
