"""Other mocks beside the kit: the kit alone answers what it fakes; the rest goes to whoever answers it.

moto's ``mock_aws`` answers at botocore's ``before-send`` too, and botocore
hands every request to every handler: without the rule, moto would also
create the kit's queues and run their long polls in real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from pytest_awsmsg import Cloud, fake_aws
from pytest_awsmsg.core.errors import UnfakedServiceError

moto = pytest.importorskip("moto")
from moto.sqs.models import sqs_backends  # noqa: E402

MOTO_ACCOUNT = "123456789012"  # moto's default account


@contextmanager
def kit_then_moto() -> Iterator[Cloud]:
    with fake_aws() as cloud, moto.mock_aws():
        yield cloud


@contextmanager
def moto_then_kit() -> Iterator[Cloud]:
    with moto.mock_aws(), fake_aws() as cloud:
        yield cloud


ORDERS: list[Callable[[], AbstractContextManager[Cloud]]] = [kit_then_moto, moto_then_kit]


@pytest.mark.parametrize("both", ORDERS, ids=["kit-first", "moto-first"])
def test_the_kit_alone_answers_what_it_fakes(both: Callable[[], AbstractContextManager[Cloud]]) -> None:
    with both() as cloud:
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="order 1")
        [message] = sqs.receive_message(QueueUrl=url)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # the kit's handle
        started = time.monotonic()
        assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
        assert time.monotonic() - started < 2  # moto would have waited 5 real seconds
        assert sqs_backends[MOTO_ACCOUNT]["us-east-1"].queues == {}  # moto never saw them
        assert [c.operation for c in cloud.calls] == [
            "CreateQueue",
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "ReceiveMessage",
        ]


@pytest.mark.parametrize("both", ORDERS, ids=["kit-first", "moto-first"])
def test_moto_answers_what_the_kit_does_not_fake(both: Callable[[], AbstractContextManager[Cloud]]) -> None:
    with both() as cloud:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="invoices")
        s3.put_object(Bucket="invoices", Key="1.pdf", Body=b"%PDF")
        assert s3.get_object(Bucket="invoices", Key="1.pdf")["Body"].read() == b"%PDF"
        assert len(cloud.calls) == 0


def test_moto_started_after_the_first_kit_call_still_never_sees_it() -> None:
    with fake_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.create_queue(QueueName="before")
        with moto.mock_aws():
            sqs.create_queue(QueueName="during")
            assert sqs_backends[MOTO_ACCOUNT]["us-east-1"].queues == {}


def test_moto_is_untouched_after_the_cloud() -> None:
    from moto.core.models import botocore_stubber

    with fake_aws(), moto.mock_aws():
        boto3.client("sqs", region_name="us-east-1").list_queues()
    assert "process_request" not in vars(botocore_stubber)
    with moto.mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.create_queue(QueueName="moto-only")
        assert list(sqs_backends[MOTO_ACCOUNT]["us-east-1"].queues) == ["moto-only"]


def test_a_stubber_answers_what_the_kit_does_not_fake_without_passthrough() -> None:
    from botocore.stub import Stubber

    with fake_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        with Stubber(s3) as stub:
            stub.add_response("list_buckets", {"Buckets": [{"Name": "invoices"}]})
            assert s3.list_buckets()["Buckets"][0]["Name"] == "invoices"


def no_retries(name: str, **kwargs: Any) -> Any:
    config = botocore.config.Config(retries={"max_attempts": 0})
    return boto3.client(name, region_name="us-east-1", config=config, **kwargs)


def test_a_call_nothing_answers_is_refused_naming_what_would_answer_it() -> None:
    with fake_aws(), pytest.raises(UnfakedServiceError) as refused:
        no_retries("s3").list_buckets()
    message = str(refused.value)
    assert "blocked a call to s3 (ListBuckets)" in message
    assert "moto's mock_aws" in message
    assert "Stubber on the client, which needs nothing more" in message


def test_passthrough_with_nothing_answering_is_refused_instead_of_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.httpsession

    sent: list[str] = []
    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", lambda self, request: sent.append(request.url))
    with fake_aws(passthrough=("s3",)), pytest.raises(UnfakedServiceError) as refused:
        no_retries("s3").list_buckets()
    assert sent == []
    assert "passthrough=('s3',) let it past the kit, but no other mock answered it" in str(refused.value)
    assert "https://s3.amazonaws.com/" in str(refused.value)


def test_passthrough_to_a_loopback_endpoint_is_sent() -> None:
    # The loopback discard port refuses at once: the request was really sent.
    with fake_aws(passthrough=("s3",)), pytest.raises(botocore.exceptions.EndpointConnectionError):
        no_retries("s3", endpoint_url="http://127.0.0.1:9").list_buckets()


def test_the_endpoint_is_exactly_as_before_after_the_cloud() -> None:
    import botocore.endpoint

    before = vars(botocore.endpoint.Endpoint)["_send"]
    with ExitStack() as stack:
        stack.enter_context(fake_aws())
        assert vars(botocore.endpoint.Endpoint)["_send"] is not before
    assert vars(botocore.endpoint.Endpoint)["_send"] is before
