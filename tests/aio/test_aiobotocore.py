"""aiobotocore clients reach the same cloud as sync boto3 clients.

Every service the kit fakes, called with ``await``: the same call log,
faults, clock and errors; retries and long polls take virtual time and leave
the event loop free.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest
import pytest_asyncio

from pytest_awsmsg import Cloud, current_cloud, fake_aws
from pytest_awsmsg.core.aio import UnsupportedClientError

# Installed by the aio extra (the README's second environment, tox's aiobotocore envs).
session = pytest.importorskip("aiobotocore.session")
awsrequest = pytest.importorskip("aiobotocore.awsrequest")

pytestmark = pytest.mark.asyncio


def client(name: str, **kwargs: Any) -> Any:
    return session.get_session().create_client(name, region_name="us-east-1", **kwargs)


@pytest_asyncio.fixture
async def sqs(aws: Cloud) -> AsyncIterator[Any]:
    async with client("sqs") as sqs:
        yield sqs


async def test_sqs_send_receive_delete_and_modelled_errors(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    await sqs.send_message(QueueUrl=url, MessageBody="order 1")
    [message] = (await sqs.receive_message(QueueUrl=url))["Messages"]
    assert message["Body"] == "order 1"
    await sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert aws.sqs.queue("orders").messages == []
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        await sqs.get_queue_url(QueueName="missing")
    assert [c.operation for c in aws.calls][-1] == "GetQueueUrl"


async def test_an_empty_long_poll_takes_virtual_time_not_real_time(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    started, real_start = aws.clock.now(), time.monotonic()
    answer = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    assert "Messages" not in answer
    assert aws.clock.now() - started == pytest.approx(20, abs=0.5)
    assert time.monotonic() - real_start < 5


async def test_sync_and_async_clients_share_one_cloud(aws: Cloud, sqs: Any) -> None:
    url = boto3.client("sqs").create_queue(QueueName="shared")["QueueUrl"]
    await sqs.send_message(QueueUrl=url, MessageBody="from async")
    [message] = boto3.client("sqs").receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "from async"
    assert [c.operation for c in aws.calls] == ["CreateQueue", "SendMessage", "ReceiveMessage"]


async def test_sns_fans_out_to_sqs(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="billing"))["QueueUrl"]
    queue_arn = aws.sqs.queue("billing").arn
    async with client("sns") as sns:
        topic = (await sns.create_topic(Name="orders"))["TopicArn"]
        allow_topic = {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
        }
        policy = json.dumps({"Version": "2012-10-17", "Statement": [allow_topic]})
        await sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        await sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )
        await sns.publish(TopicArn=topic, Message="order 7")
    [message] = (await sqs.receive_message(QueueUrl=url))["Messages"]
    assert message["Body"] == "order 7"


async def test_step_functions_execution_runs(aws: Cloud) -> None:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}
    async with client("stepfunctions") as sfn:
        machine = await sfn.create_state_machine(
            name="m", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
        )
        execution = await sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")
        aws.clock.run_until_idle()
        described = await sfn.describe_execution(executionArn=execution["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"ok": 1}


@pytest.mark.aws_fault("sqs", "SendMessage", error="throttle", count=2)
async def test_retries_back_off_in_virtual_time_and_leave_the_loop_free(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    beating = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)
    ticks_before = ticks
    answer = await sqs.send_message(QueueUrl=url, MessageBody="x")
    beating.cancel()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert aws.clock.slept > 0  # the backoff, on the cloud's clock
    assert ticks > ticks_before  # other tasks ran between attempts
    assert [c.error_code for c in aws.calls if c.operation == "SendMessage"] == [
        "RequestThrottled",
        "RequestThrottled",
        None,
    ]


@pytest.mark.aws_fault("secretsmanager", "GetSecretValue", connection="closed", count=1)
async def test_a_dropped_connection_is_retried_by_aiobotocore(aws: Cloud) -> None:
    async with client("secretsmanager") as secrets:
        await secrets.create_secret(Name="db", SecretString="x")
        answer = await secrets.get_secret_value(SecretId="db")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1


async def test_a_client_made_without_credentials_gets_fake_ones(aws: Cloud) -> None:
    async with session.get_session().create_client(
        "sqs", region_name="us-east-1", config=botocore.config.Config(signature_version=botocore.UNSIGNED)
    ) as unsigned:
        # Unsigned requests carry no key at all and are still answered.
        assert (await unsigned.list_queues()).get("QueueUrls") is None


async def test_a_client_the_kit_cannot_answer_fails_before_the_fake_acts(
    aws: Cloud, sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(awsrequest, "AioAWSResponse")
    with pytest.raises(UnsupportedClientError, match="cannot answer this async botocore client"):
        await sqs.create_queue(QueueName="orders")
    assert aws.sqs.queues() == []
    assert len(aws.calls) == 0


async def test_fake_aws_is_an_async_context_manager() -> None:
    async with fake_aws(seed=3) as cloud, client("sqs") as sqs:
        await sqs.create_queue(QueueName="q")
        assert [c.operation for c in cloud.calls] == ["CreateQueue"]
    with pytest.raises(RuntimeError, match="No fake AWS is active"):
        current_cloud()


@fake_aws(region="eu-west-1")
async def test_fake_aws_decorates_a_coroutine() -> None:
    async with session.get_session().create_client("sqs") as sqs:
        url = (await sqs.create_queue(QueueName="q"))["QueueUrl"]
    assert ".eu-west-1." in url
    assert current_cloud().region == "eu-west-1"


async def test_an_async_session_runs_no_credential_provider(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    config = tmp_path / "config"
    config.write_text(f"[profile process]\ncredential_process = sh -c 'touch {marker}; exit 1'\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    async with fake_aws() as cloud:
        async with session.AioSession(profile="process").create_client("sqs", region_name="us-east-1") as sqs:
            await sqs.create_queue(QueueName="q")
        assert [c.operation for c in cloud.calls] == ["CreateQueue"]
    assert not marker.exists()
