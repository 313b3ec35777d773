"""Real clients in other processes against the served cloud: boto3, the AWS
CLI, the AWS SDK for JavaScript v3, and a Celery worker consuming SQS through
kombu (whose receive path signs with botocore but sends with its own HTTP
client, so only server mode can answer it)."""

from __future__ import annotations

import importlib.util
import json
import os
import selectors
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import boto3
import pytest

from pytest_awsmsg import Cloud

from .conftest import run_python, sns_send_policy

NODE_DIR = Path(__file__).parent / "node"
PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
ROLE = "arn:aws:iam::123456789012:role/machine"


@pytest.fixture
def world(aws: Cloud) -> dict[str, str]:
    """One resource per service, made in-process: the other process must see them."""
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    inbox_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    inbox_arn = aws.sqs.queue("inbox").arn
    sqs.set_queue_attributes(QueueUrl=inbox_url, Attributes={"Policy": sns_send_policy(inbox_arn)})
    sns = boto3.client("sns")
    topic_arn = sns.create_topic(Name="events")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
    machine_arn = boto3.client("stepfunctions").create_state_machine(
        name="pass", definition=PASS_MACHINE, roleArn=ROLE
    )["stateMachineArn"]
    boto3.client("secretsmanager").create_secret(Name="db-password", SecretString="hunter2")
    return {"queue_url": queue_url, "inbox_url": inbox_url, "topic_arn": topic_arn, "machine_arn": machine_arn}


def test_boto3_in_a_subprocess_reaches_every_service(aws: Cloud, world: dict[str, str]) -> None:
    aws.serve()
    code = f"""
import boto3, json
sqs = boto3.client("sqs")
url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
sqs.send_message(QueueUrl=url, MessageBody="from boto3")
boto3.client("sns").publish(TopicArn={world["topic_arn"]!r}, Message="fan out")
run = boto3.client("stepfunctions").start_execution(stateMachineArn={world["machine_arn"]!r}, name="sub")
secret = boto3.client("secretsmanager").get_secret_value(SecretId="db-password")["SecretString"]
print(json.dumps({{"execution": run["executionArn"], "secret": secret}}))
"""
    out = json.loads(run_python(code).stdout)
    assert out["secret"] == "hunter2"
    assert aws.stepfunctions.execution(out["execution"]).status == "SUCCEEDED"
    sqs = boto3.client("sqs")
    assert sqs.receive_message(QueueUrl=world["queue_url"])["Messages"][0]["Body"] == "from boto3"
    assert sqs.receive_message(QueueUrl=world["inbox_url"])["Messages"][0]["Body"] == "fan out"


@pytest.mark.skipif(importlib.util.find_spec("awscli") is None, reason="awscli is not installed (pip install awscli)")
def test_the_aws_cli_reaches_every_service(aws: Cloud, world: dict[str, str]) -> None:
    url = aws.serve()
    aws.faults.inject("stepfunctions", "DescribeStateMachine", error="AccessDeniedException", message="not today")

    def cli(*args: str) -> subprocess.Popen[str]:
        # AWS CLI v1 sends SQS commands to queue.amazonaws.com whatever
        # AWS_ENDPOINT_URL says (its "SSL common name" customisation), unless
        # given --endpoint-url; every other service follows the variable.
        endpoint = ["--endpoint-url", url] if args[0] == "sqs" else []
        command = [sys.executable, "-m", "awscli", *args, *endpoint, "--output", "json"]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    # Started together: the CLI takes seconds to start, the server answers them side by side.
    running = {
        "send": cli("sqs", "send-message", "--queue-url", world["queue_url"], "--message-body", "cli"),
        "missing": cli("sqs", "get-queue-url", "--queue-name", "nope"),
        "publish": cli("sns", "publish", "--topic-arn", world["topic_arn"], "--message", "from cli"),
        "machines": cli("stepfunctions", "list-state-machines"),
        "denied": cli("stepfunctions", "describe-state-machine", "--state-machine-arn", world["machine_arn"]),
        "secret": cli("secretsmanager", "get-secret-value", "--secret-id", "db-password"),
    }
    done = {name: (p.communicate(timeout=120), p.returncode) for name, p in running.items()}
    outputs = {name: out for name, ((out, _), code) in done.items() if code == 0}
    errors = {name: err for name, ((_, err), code) in done.items() if code != 0}
    assert set(errors) == {"missing", "denied"}, errors
    assert [m.body for m in aws.sqs.queue("orders").messages] == ["cli"]
    assert [m.body for m in aws.sqs.queue("inbox").messages] == ["from cli"]
    assert [m["name"] for m in json.loads(outputs["machines"])["stateMachines"]] == ["pass"]
    assert json.loads(outputs["secret"])["SecretString"] == "hunter2"
    # The fake's errors, and injected faults, reach the CLI as AWS's do.
    assert "NonExistentQueue" in errors["missing"] or "QueueDoesNotExist" in errors["missing"]
    assert "AccessDeniedException" in errors["denied"]
    assert "not today" in errors["denied"]


def _node_skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not (NODE_DIR / "node_modules" / "@aws-sdk" / "client-sqs").is_dir():
        return f"the AWS SDK for JavaScript is not installed: npm ci --prefix {NODE_DIR.relative_to(Path.cwd())}"
    return None


@pytest.mark.skipif(_node_skip_reason() is not None, reason=str(_node_skip_reason()))
def test_the_aws_sdk_for_javascript_reaches_every_service(aws: Cloud, world: dict[str, str]) -> None:
    url = aws.serve()
    result = subprocess.run(
        ["node", str(NODE_DIR / "every_service.mjs"), world["topic_arn"], world["machine_arn"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["queueUrl"] == f"{url}/123456789012/orders"
    assert out["received"] == ["from node"]
    assert out["secret"] == "hunter2"
    assert out["missing"] == "QueueDoesNotExist"
    assert aws.stepfunctions.execution(out["executionArn"]).status == "SUCCEEDED"
    assert [m.body for m in aws.sqs.queue("inbox").messages] == ["node says hi"]
    assert [d.target for d in aws.deliveries.to("inbox")] == ["inbox"]


_CELERY_TASKS = """
import boto3
from celery import Celery

app = Celery("awsmsg_celery_tasks", broker="sqs://")
app.conf.broker_transport_options = {"wait_time_seconds": 1, "polling_interval": 0.1}
app.conf.worker_hijack_root_logger = False


@app.task(name="add")
def add(x, y):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="results")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=str(x + y))
    return x + y
"""


_QUIET_WORKER = ("--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO")


@pytest.mark.skipif(
    importlib.util.find_spec("celery") is None or importlib.util.find_spec("pycurl") is None,
    reason="celery[sqs] is not installed (pip install 'celery[sqs]')",
)
def test_a_celery_worker_consumes_sqs_through_the_server(aws: Cloud, tmp_path: Path) -> None:
    from celery import Celery  # type: ignore[import-untyped]

    boto3.client("sqs").create_queue(QueueName="results")
    aws.serve()
    (tmp_path / "awsmsg_celery_tasks.py").write_text(textwrap.dedent(_CELERY_TASKS))
    # The producer is this test, in-process; the worker, in another process,
    # receives through kombu's asynchronous SQS client (pycurl), over the server.
    producer = Celery("producer", broker="sqs://")
    producer.send_task("add", args=(2, 3))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "awsmsg_celery_tasks", "worker", "--pool=solo", *_QUIET_WORKER],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    try:
        assert _wait_for_line(worker, "succeeded", log, timeout=90.0), "".join(log)
    finally:
        worker.terminate()
        try:
            worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
    assert [m.body for m in aws.sqs.queue("results").messages] == ["5"]
    assert aws.sqs.queue("celery").messages == []  # the task message was received and deleted
    served = {c.operation for c in aws.calls if c.thread.startswith("awsmsg-server")}
    assert {"ReceiveMessage", "DeleteMessage"} <= served


def _wait_for_line(process: subprocess.Popen[str], needle: str, log: list[str], timeout: float) -> bool:
    """Read the process's stderr until a line contains ``needle`` (bounded; no sleeping)."""
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(deadline - time.monotonic()):
                return False
            line = process.stderr.readline()
            if not line:
                return False  # the worker exited
            log.append(line)
            if needle in line:
                return True
    return False
