"""The ``aws`` fixture in tests run by anyio's pytest plugin."""

from __future__ import annotations

import pytest

from pytest_awsmsg import Cloud

session = pytest.importorskip("aiobotocore.session")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_aws_fixture_under_anyio(aws: Cloud) -> None:
    async with session.get_session().create_client("sqs", region_name="us-east-1") as sqs:
        await sqs.create_queue(QueueName="q")
        with pytest.raises(sqs.exceptions.QueueDoesNotExist):
            await sqs.get_queue_url(QueueName="other")
    assert [c.operation for c in aws.calls] == ["CreateQueue", "GetQueueUrl"]
