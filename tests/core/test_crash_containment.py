"""A crash inside a fake is answered as AWS's internal error, logged as the
kit's failure, and fails the test at teardown: a retry loop cannot hide it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_awsmsg import AwsError, Cloud
from pytest_awsmsg.core.containment import KitBug

pytest_plugins = ["pytester"]

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def _break(aws: Cloud, service: str, method: str) -> None:
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("kit-bug-marker")

    setattr(aws.service(service), method, crash)


@pytest.mark.parametrize(
    ("service", "operation", "method", "code"),
    [
        ("sqs", "list_queues", "list_queues", "InternalFailure"),
        ("sns", "list_topics", "list_topics", "InternalError"),
        ("secretsmanager", "list_secrets", "list_secrets", "InternalServiceError"),
        ("stepfunctions", "list_activities", "list_activities", "InternalFailure"),
    ],
)
def test_a_crash_is_the_services_internal_error(
    aws: Cloud, service: str, operation: str, method: str, code: str
) -> None:
    _break(aws, service, method)
    client = boto3.client(service, region_name="us-east-1", config=NO_RETRIES)

    with pytest.raises(ClientError) as caught:
        getattr(client, operation)()

    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert caught.value.response["Error"]["Code"] == code
    record = aws.calls[-1]
    assert not record.ok
    assert record.status == 500
    assert "pytest-awsmsg bug" in (record.error_message or "")
    with pytest.raises(KitBug, match="kit-bug-marker"):
        aws.check_kit()
    aws.check_kit()  # reported once


def test_a_retried_crash_is_still_a_kit_failure(aws: Cloud) -> None:
    _break(aws, "sqs", "list_queues")
    sqs = boto3.client("sqs", region_name="us-east-1")

    with pytest.raises(ClientError):
        sqs.list_queues()  # botocore retried the 500s and gave up

    assert len(aws.calls) > 1
    assert all(not r.ok for r in aws.calls)
    with pytest.raises(KitBug, match="KeyError"):
        aws.check_kit()


def test_an_in_cloud_call_that_crashes_is_contained_too(aws: Cloud) -> None:
    _break(aws, "sqs", "get_queue_url")

    with pytest.raises(AwsError) as caught:
        aws.call("sqs", "GetQueueUrl", {"QueueName": "q"})

    assert caught.value.code == "InternalFailure"
    with pytest.raises(KitBug):
        aws.check_kit()


def test_the_test_fails_at_teardown_with_the_kits_traceback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        from botocore.exceptions import ClientError

        def test_retry_loop_swallows_the_500(aws):
            def crash(*args, **kwargs):
                raise ZeroDivisionError("kit-bug-marker")
            aws.service("sqs").list_queues = crash
            sqs = boto3.client("sqs", region_name="us-east-1")
            for _ in range(3):
                try:
                    sqs.list_queues()
                except ClientError:
                    pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*KitBug*", "*ZeroDivisionError: kit-bug-marker*"])


def test_a_crash_in_a_timer_is_a_kit_failure_and_time_goes_on(aws: Cloud) -> None:
    fired: list[str] = []

    def crash() -> None:
        raise RuntimeError("timer-bug-marker")

    aws.clock.call_at(aws.clock.now() + 5, crash, "broken delivery")
    aws.clock.call_at(aws.clock.now() + 6, lambda: fired.append("later"), "healthy timer")

    aws.clock.advance(seconds=10)

    assert fired == ["later"]
    with pytest.raises(KitBug, match=r"(?s)timer 'broken delivery'.*timer-bug-marker"):
        aws.check_kit()


def test_outside_pytest_leaving_fake_aws_raises_the_kits_failure() -> None:
    from pytest_awsmsg import fake_aws

    activation = fake_aws()
    cloud = activation.__enter__()
    _break(cloud, "sqs", "list_queues")
    with pytest.raises(ClientError):
        boto3.client("sqs", region_name="us-east-1", config=NO_RETRIES).list_queues()

    with pytest.raises(KitBug, match="kit-bug-marker"):
        activation.__exit__(None, None, None)
