"""The opt-in guard: a botocore call made while no fake AWS is active fails at once, naming the fix."""

from __future__ import annotations

import pytest

TESTS = """
import boto3
import pytest


def sqs():
    return boto3.client("sqs", region_name="us-east-1")


def test_forgot_the_fixture():
    sqs().list_queues()


def test_with_the_fixture(aws):
    sqs().list_queues()


@pytest.mark.aws
def test_with_the_marker():
    sqs().list_queues()

"""


@pytest.mark.parametrize("how", ["flag", "ini"])
def test_the_guard_fails_calls_outside_a_cloud(pytester: pytest.Pytester, how: str) -> None:
    pytester.makepyfile(TESTS)
    if how == "ini":
        pytester.makeini("[pytest]\nawsmsg_guard = true\n")
    result = pytester.runpytest(*(["--awsmsg-guard"] if how == "flag" else []))
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*NoFakeAwsError: pytest-awsmsg guard: sqs.ListQueues was called while no fake AWS is active*"
            "`aws` fixture or the `@pytest.mark.aws` marker*",
        ]
    )


def test_without_the_guard_nothing_changes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3, botocore.exceptions, pytest

def test_no_fixture(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(botocore.exceptions.NoCredentialsError):
        boto3.Session().client("sqs", region_name="us-east-1").list_queues()
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)
