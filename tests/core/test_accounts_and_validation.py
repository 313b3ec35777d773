"""Cross-account callers, and the output check that guards the fakes themselves."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud, fake_aws, register_service
from pytest_awsmsg.core.containment import KitBug
from pytest_awsmsg.core.registry import _SERVICES
from pytest_awsmsg.services.base import RequestContext, Service, operation


def test_credentials_for_another_account_act_as_that_account(aws: Cloud) -> None:
    mine = boto3.client("sqs", region_name="us-east-1")
    theirs = boto3.client("sqs", region_name="us-east-1", **aws.credentials_for("111122223333"))

    assert mine.create_queue(QueueName="q")["QueueUrl"].endswith("/123456789012/q")
    assert theirs.create_queue(QueueName="q")["QueueUrl"].endswith("/111122223333/q")
    assert [c.account_id for c in aws.calls] == ["123456789012", "111122223333"]


def test_credentials_for_refuses_what_is_not_an_account_id(aws: Cloud) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        aws.credentials_for("12345")


class _BrokenSqs(Service[None]):
    """Answers GetQueueUrl with a number where the model wants a string."""

    name = "sqs"

    @operation
    def get_queue_url(self, ctx: RequestContext, **_: Any) -> dict[str, Any]:
        return {"QueueUrl": 42}


def test_a_fake_returning_an_invalid_result_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_SERVICES, "sqs", _SERVICES["sqs"])  # restored after the test
    register_service(_BrokenSqs)
    with fake_aws() as cloud:
        with pytest.raises(ClientError, match="InternalFailure"):
            boto3.client("sqs", region_name="us-east-1").get_queue_url(QueueName="q")
        # contained as an internal error, and reported as the kit's bug
        with pytest.raises(KitBug, match="GetQueueUrl returned an invalid result"):
            cloud.check_kit()
