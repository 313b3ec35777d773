"""Activation: fake_aws as context manager and decorator, and what it guarantees."""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from pytest_awsmsg import Cloud, current_cloud, fake_aws
from pytest_awsmsg.core.errors import UnfakedServiceError


def _queue_url(name: str = "q") -> str:
    sqs = boto3.client("sqs", region_name="eu-west-1")
    return str(sqs.create_queue(QueueName=name)["QueueUrl"])


def test_context_manager_yields_the_cloud_and_answers_calls() -> None:
    with fake_aws(seed=3, region="eu-west-1") as aws:
        assert isinstance(aws, Cloud)
        url = _queue_url()
        assert url == "https://sqs.eu-west-1.amazonaws.com/123456789012/q"
        assert [c.operation for c in aws.calls] == ["CreateQueue"]


def test_a_client_made_before_the_fake_talks_to_it() -> None:
    early = boto3.client("sqs", region_name="eu-west-1")
    with fake_aws() as aws:
        url = early.create_queue(QueueName="early")["QueueUrl"]
        assert url.endswith("/early")
        assert aws.calls[0].region == "eu-west-1"


def test_a_client_made_before_the_fake_without_any_credentials_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    early = boto3.session.Session().client("sqs", region_name="us-west-2")
    with fake_aws():
        assert early.create_queue(QueueName="q")["QueueUrl"].startswith("https://sqs.us-west-2.")


def test_real_credentials_are_replaced_while_active(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    with fake_aws():
        creds = boto3.session.Session().get_credentials()
        assert creds.access_key != "AKIAREALREALREAL"
        assert creds.secret_key != "real-secret"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALREALREAL"


def test_an_unfaked_service_fails_at_once_naming_it() -> None:
    with fake_aws(), pytest.raises(UnfakedServiceError, match=r"blocked a call to s3 \(ListBuckets\)"):
        boto3.client("s3", region_name="us-east-1").list_buckets()


def test_passthrough_lets_another_handler_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.stub import Stubber

    s3 = boto3.client("s3", region_name="us-east-1")
    with fake_aws(passthrough=["s3"]), Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": []})
        assert s3.list_buckets()["Buckets"] == []


def test_nothing_is_answered_after_exit() -> None:
    sqs = boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # loopback discard port: refused at once
        config=botocore.config.Config(retries={"max_attempts": 0}),
        # Outside a cloud a client signs with its own keys (none are left behind by earlier clouds).
        aws_access_key_id="AKIDOUTSIDE",
        aws_secret_access_key="outside",
    )
    with fake_aws():
        sqs.create_queue(QueueName="inside")
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        sqs.create_queue(QueueName="outside")


def test_a_fake_that_fails_to_start_leaves_nothing_active() -> None:
    sqs = boto3.client(
        "sqs",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # loopback discard port: refused at once
        config=botocore.config.Config(retries={"max_attempts": 0}),
        # Outside a cloud a client signs with its own keys (none are left behind by earlier clouds).
        aws_access_key_id="AKIDOUTSIDE",
        aws_secret_access_key="outside",
    )
    region = os.environ.get("AWS_DEFAULT_REGION")
    with pytest.raises(ValueError, match="isoformat"), fake_aws(freeze="not an instant", region="eu-west-1"):
        pass  # pragma: no cover - never entered
    assert os.environ.get("AWS_DEFAULT_REGION") == region
    with pytest.raises(RuntimeError, match="No fake AWS is active"):
        current_cloud()
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        sqs.create_queue(QueueName="outside")


def test_botocore_gets_its_own_sleep_back_even_if_the_test_mocked_time_sleep() -> None:
    from unittest import mock

    from botocore.retries.standard import RetryHandler

    before = RetryHandler.__init__.__defaults__
    with mock.patch("time.sleep"), fake_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.create_queue(QueueName="inside")
    assert RetryHandler.__init__.__defaults__ == before


def test_activations_ending_out_of_order_leave_the_default_region_as_it_was() -> None:
    before = os.environ.get("AWS_DEFAULT_REGION")
    first, second = fake_aws(region="eu-west-1"), fake_aws(region="ap-south-1")
    first.start()
    tokyo = second.start()
    first.stop()  # not the innermost: the other cloud still decides
    boto3.client("sqs").create_queue(QueueName="regionless")
    assert tokyo.calls[-1].region == "ap-south-1"
    second.stop()
    assert os.environ.get("AWS_DEFAULT_REGION") == before


def test_same_seed_same_bytes() -> None:
    def run(seed: int) -> list[Any]:
        with fake_aws(seed=seed, freeze="2026-01-01T00:00:00Z"):
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
            sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
            got = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])
            return [sent["MessageId"], sent["ResponseMetadata"]["RequestId"], got["Messages"]]

    assert run(7) == run(7)
    assert run(7)[0] != run(8)[0]


@fake_aws
def test_bare_decorator() -> None:
    assert _queue_url().endswith("/q")
    assert len(current_cloud().calls) == 1


@fake_aws(region="ap-southeast-2", seed=5)
def test_decorator_with_options() -> None:
    assert current_cloud().region == "ap-southeast-2"
    assert boto3.client("sqs").create_queue(QueueName="q")["QueueUrl"].startswith("https://sqs.ap-southeast-2.")


@fake_aws(seed=1)
class TestDecoratedClass:
    def test_each_method_gets_a_fresh_cloud(self) -> None:
        assert current_cloud().calls.records == []
        _queue_url()

    def test_and_another(self) -> None:
        assert current_cloud().calls.records == []


def test_current_cloud_outside_says_how_to_get_one() -> None:
    with pytest.raises(RuntimeError, match="aws` fixture"):
        current_cloud()


def test_threads_share_the_cloud() -> None:
    with fake_aws() as aws:
        url = _queue_url()
        errors: list[BaseException] = []

        def produce(n: int) -> None:
            try:
                sqs = boto3.client("sqs", region_name="eu-west-1")
                for i in range(10):
                    sqs.send_message(QueueUrl=url, MessageBody=f"{n}-{i}")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=produce, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(aws.calls.of("sqs", "SendMessage")) == 40


def test_an_unknown_region_is_refused_as_endpoint_resolution_would() -> None:
    with fake_aws() as cloud:
        sqs = boto3.client("sqs", region_name="us-east-9")
        with pytest.raises(
            botocore.exceptions.EndpointConnectionError, match=r"https://sqs\.us-east-9\.amazonaws\.com"
        ):
            sqs.create_queue(QueueName="orders")
        assert len(cloud.calls) == 0  # nothing was created anywhere
        assert cloud.clock.slept > 0  # botocore retried, in virtual time
        # A region the installed botocore knows is answered.
        boto3.client("sqs", region_name="ap-southeast-2").create_queue(QueueName="orders")
        assert cloud.sqs.queue("orders", region="ap-southeast-2").name == "orders"


def test_the_call_log_shows_the_date_so_a_scenario_over_days_reads_right() -> None:
    with fake_aws(freeze="2024-01-02T03:04:05Z") as cloud:
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.create_queue(QueueName="orders")
        cloud.clock.advance(hours=25)
        sqs.list_queues()
        first, second = cloud.calls.format().splitlines()
    assert first.startswith("2024-01-02 03:04:05.000 us-east-1 sqs.CreateQueue")
    assert second.startswith("2024-01-03 04:04:05.000 us-east-1 sqs.ListQueues")
