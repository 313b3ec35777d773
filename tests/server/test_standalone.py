"""``python -m pytest_awsmsg serve``: the cloud served from its own process."""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest

from .conftest import Client


def first_line(process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """The server's first line of stdout, waiting for it at most ``timeout`` seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            pytest.fail(f"the server printed nothing in {timeout} s")
    return process.stdout.readline().strip()


def start_server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_awsmsg", "serve", "--port", "0", "--seed", "7", "--region", "eu-west-1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, first_line(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@pytest.fixture
def standalone() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A server of this test's own."""
    yield from start_server()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """One server for the tests that leave its state as they found it (starting one takes a second)."""
    yield from start_server()


def test_it_prints_the_url_first_and_stops_cleanly_on_interrupt(standalone: tuple[subprocess.Popen[str], str]) -> None:
    process, url = standalone
    assert url.startswith("http://127.0.0.1:")
    client = Client(url)
    try:
        assert client.json_call("sqs", "ListQueues", {}, region="eu-west-1").status == 200
    finally:
        client.close()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert out == ""  # the URL was the only line
    assert "Traceback" not in err
    assert f"export AWS_ENDPOINT_URL={url}" in err


def test_real_boto3_clients_talk_to_it(standalone: tuple[subprocess.Popen[str], str]) -> None:
    _, url = standalone  # no cloud is active in this test: boto3 really goes over loopback
    options = {
        "endpoint_url": url,
        "region_name": "eu-west-1",
        "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key": "any",
    }
    sqs = boto3.client("sqs", **options)
    queue_url = sqs.create_queue(QueueName="jobs", Attributes={"DelaySeconds": "900"})["QueueUrl"]
    assert queue_url == f"{url}/123456789012/jobs"
    sqs.send_message(QueueUrl=queue_url, MessageBody="later")
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    control = Client(url)
    try:
        # Virtual time, moved over the control endpoint: the 15-minute delay is over.
        before = control.request("GET", "/_awsmsg/clock").json()["epoch"]
        advanced = control.request("POST", "/_awsmsg/clock/advance", json.dumps({"minutes": 15}).encode())
        assert advanced.status == 200
        assert advanced.json()["epoch"] >= before + 900
        [message] = sqs.receive_message(QueueUrl=queue_url)["Messages"]
        assert message["Body"] == "later"

        sns = boto3.client("sns", **options)
        topic = sns.create_topic(Name="news")["TopicArn"]
        assert topic == "arn:aws:sns:eu-west-1:123456789012:news"
        sns.publish(TopicArn=topic, Message="hello")
        [publication] = control.request("GET", "/_awsmsg/deliveries").json()["publications"]
        assert (publication["source_name"], publication["message"]) == ("news", "hello")
        calls = control.request("GET", "/_awsmsg/calls").json()["calls"]
        assert [c["operation"] for c in calls][-2:] == ["CreateTopic", "Publish"]

        assert control.request("POST", "/_awsmsg/reset").status == 200
        assert "QueueUrls" not in sqs.list_queues()
        assert control.request("GET", "/_awsmsg/deliveries").json() == {"publications": []}
    finally:
        control.close()


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/_awsmsg/nothing", b"", 404),
        ("POST", "/_awsmsg/clock/advance", b"not json", 400),
        ("POST", "/_awsmsg/clock/advance", b'{"fortnights": 1}', 400),
        ("POST", "/_awsmsg/clock/advance", b'{"seconds": -5}', 400),
        ("POST", "/_awsmsg/clock/travel", b'{"to": "not a date"}', 400),
    ],
)
def test_the_control_endpoint_explains_a_bad_request(
    shared_server: tuple[subprocess.Popen[str], str], method: str, path: str, body: bytes, status: int
) -> None:
    _, url = shared_server
    client = Client(url)
    try:
        response = client.request(method, path, body)
        assert response.status == status
        assert response.json()["message"]
    finally:
        client.close()


def test_a_non_loopback_host_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest_awsmsg", "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "not a loopback address" in result.stderr
