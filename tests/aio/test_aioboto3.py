"""aioboto3 (sessions, clients and resources over aiobotocore) reaches the cloud.

Skipped where aioboto3 is not installed: tox's aiobotocore-3 env runs a newer
aiobotocore than aioboto3 allows.
"""

from __future__ import annotations

import pytest

from pytest_awsmsg import Cloud

aioboto3 = pytest.importorskip("aioboto3")

pytestmark = pytest.mark.asyncio


async def test_secrets_manager_through_aioboto3(aws: Cloud) -> None:
    async with aioboto3.Session().client("secretsmanager", region_name="us-east-1") as secrets:
        await secrets.create_secret(Name="db", SecretString="hunter2")
        assert (await secrets.get_secret_value(SecretId="db"))["SecretString"] == "hunter2"
        with pytest.raises(secrets.exceptions.ResourceNotFoundException):
            await secrets.get_secret_value(SecretId="other")
    assert aws.secretsmanager.secret("db").value() == "hunter2"


async def test_aioboto3_resource_api(aws: Cloud) -> None:
    async with aioboto3.Session().resource("sqs", region_name="us-east-1") as sqs:
        queue = await sqs.create_queue(QueueName="jobs")
        await queue.send_message(MessageBody="job 1")
        [message] = await queue.receive_messages()
        assert await message.body == "job 1"
