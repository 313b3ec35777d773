"""Threads and the cloud: user code may call AWS from any thread, only the test
moves virtual time, and threads that outlive their test fail loudly."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud, StragglerError, StragglerThreadWarning, fake_aws
from pytest_awsmsg.core import threads as threads_module

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sfn"


def finishes(action: Callable[[], Any], seconds: float = 20.0) -> Any:
    """Run ``action`` on a daemon thread; fail (instead of hanging the suite) if it deadlocks."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = action()
        except BaseException as exc:  # re-raised on the test's thread
            outcome["error"] = exc

    runner = threading.Thread(target=run, name="finishes", daemon=True)
    runner.start()
    runner.join(seconds)  # a bounded wait for a deadlock, not a sleep
    assert not runner.is_alive(), "deadlocked: the cloud's lock was held while user code waited for a thread"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def send_from_a_worker_thread(queue_url: str, body: str) -> str:
    """What code under test does: hand the AWS call to a pool and wait for it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        sent = pool.submit(
            lambda: boto3.client("sqs", region_name=REGION).send_message(QueueUrl=queue_url, MessageBody=body)
        )
        return str(sent.result(timeout=20)["MessageId"])


@pytest.fixture
def results_queue(aws: Cloud) -> str:
    return str(boto3.client("sqs", region_name=REGION).create_queue(QueueName="results")["QueueUrl"])


# -- no lock is held while user code runs -----------------------------------------------------


def test_a_lambda_invoked_by_sns_may_call_aws_from_a_worker_thread(aws: Cloud, results_queue: str) -> None:
    aws.lambdas.register("relay", lambda event, context: send_from_a_worker_thread(results_queue, "from sns"))
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="orders")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=aws.lambdas.arn("relay"))
    finishes(lambda: sns.publish(TopicArn=topic, Message="order-1"))
    assert aws.sqs.queue("results").bodies == ["from sns"]


def test_a_lambda_task_of_step_functions_may_call_aws_from_a_worker_thread(aws: Cloud, results_queue: str) -> None:
    aws.lambdas.register("relay", lambda event, context: send_from_a_worker_thread(results_queue, "from sfn"))
    sfn = boto3.client("stepfunctions", region_name=REGION)
    definition = {
        "StartAt": "Relay",
        "States": {"Relay": {"Type": "Task", "Resource": aws.lambdas.arn("relay"), "End": True}},
    }
    machine = sfn.create_state_machine(name="relay", definition=json.dumps(definition), roleArn=ROLE)
    arn = finishes(lambda: sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"])
    assert finishes(lambda: aws.stepfunctions.wait_for(arn)).status == "SUCCEEDED"
    assert aws.sqs.queue("results").bodies == ["from sfn"]


def test_a_rotation_function_may_call_secrets_manager_from_a_worker_thread(aws: Cloud) -> None:
    def rotate(event: dict[str, Any], context: Any) -> None:
        def step() -> None:
            client = boto3.client("secretsmanager", region_name=REGION)
            secret, token = event["SecretId"], event["ClientRequestToken"]
            if event["Step"] == "createSecret":
                client.put_secret_value(
                    SecretId=secret, ClientRequestToken=token, SecretString="rotated", VersionStages=["AWSPENDING"]
                )
            elif event["Step"] == "finishSecret":
                current = client.describe_secret(SecretId=secret)["VersionIdsToStages"]
                old = next(v for v, stages in current.items() if "AWSCURRENT" in stages)
                client.update_secret_version_stage(
                    SecretId=secret, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=old
                )

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(step).result(timeout=20)

    aws.lambdas.register("rotate", rotate)
    sm = boto3.client("secretsmanager", region_name=REGION)
    sm.create_secret(Name="db", SecretString="original")
    finishes(lambda: sm.rotate_secret(SecretId="db", RotationLambdaARN=aws.lambdas.arn("rotate")))
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "rotated"


def test_leaving_the_cloud_while_a_handler_thread_still_calls_does_not_hang() -> None:
    release = threading.Event()

    def leave() -> None:
        with fake_aws() as cloud:
            url = boto3.client("sqs", region_name=REGION).create_queue(QueueName="q")["QueueUrl"]
            cloud.lambdas.register("slow", lambda event, context: send_from_a_worker_thread(url, "late"))
            sns = boto3.client("sns", region_name=REGION)
            topic = sns.create_topic(Name="t")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=cloud.lambdas.arn("slow"))
            sns.publish(TopicArn=topic, Message="m")
            release.set()

    finishes(leave)
    assert release.is_set()


# -- who moves time ------------------------------------------------------------------------


@pytest.fixture
def quick_background_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background waits give up after 20 ms of real time instead of 500, to keep the suite fast."""
    monkeypatch.setattr(threads_module, "BACKGROUND_REAL_WAIT", 0.02)


@pytest.mark.aws(freeze=True)  # real time does not count: only what the cloud moved
@pytest.mark.usefixtures("quick_background_waits")
def test_a_background_long_poll_does_not_move_the_tests_clock(aws: Cloud) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    empty = sqs.create_queue(QueueName="empty")["QueueUrl"]
    short = sqs.create_queue(QueueName="short-lived", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=short, MessageBody="keep me")
    start = aws.clock.now()
    polls = 0
    done = threading.Event()

    def poller() -> None:
        nonlocal polls
        client = boto3.client("sqs", region_name=REGION)
        while polls < 10:
            client.receive_message(QueueUrl=empty, WaitTimeSeconds=20)
            polls += 1
        done.set()

    worker = threading.Thread(target=poller, name="poller")
    worker.start()
    worker.join(20)
    assert done.is_set()
    # Ten 20-second polls on another thread while the test was busy elsewhere: no virtual time passed.
    assert aws.clock.now() == start
    assert aws.sqs.queue("short-lived").bodies == ["keep me"]


@pytest.mark.aws(freeze=True)
@pytest.mark.usefixtures("quick_background_waits")
def test_background_activity_polls_do_not_move_time(aws: Cloud) -> None:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    activity = sfn.create_activity(name="approve")["activityArn"]
    start = aws.clock.now()

    def worker() -> None:
        client = boto3.client("stepfunctions", region_name=REGION)
        for _ in range(5):
            assert "taskToken" not in client.get_activity_task(activityArn=activity)

    thread = threading.Thread(target=worker, name="activity-worker")
    thread.start()
    thread.join(20)
    assert not thread.is_alive()
    assert aws.clock.now() == start  # was 300 s later: each empty poll jumped 60 s


@pytest.mark.aws(freeze=True)  # so that no real time counts
def test_the_tests_own_long_poll_moves_time_at_once(aws: Cloud) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    start = aws.clock.now()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    assert aws.clock.now() - start == 20


@pytest.mark.aws(freeze=True)
def test_time_moves_when_the_test_and_every_other_thread_wait(aws: Cloud) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    mine = sqs.create_queue(QueueName="mine")["QueueUrl"]
    theirs = sqs.create_queue(QueueName="theirs")["QueueUrl"]
    start = aws.clock.now()
    answered: list[bool] = []

    seen = threading.Event()

    def other() -> None:
        client = boto3.client("sqs", region_name=REGION)
        client.get_queue_url(QueueName="theirs")  # from its first call on, it uses the cloud
        seen.set()
        answered.append("Messages" in client.receive_message(QueueUrl=theirs, WaitTimeSeconds=10))

    thread = threading.Thread(target=other, name="other-poller")
    thread.start()
    seen.wait(20)
    assert "Messages" not in sqs.receive_message(QueueUrl=mine, WaitTimeSeconds=20)
    thread.join(20)
    assert answered == [False]
    assert aws.clock.now() - start == 20  # both polls ran their course in virtual time


@pytest.mark.aws(freeze=True)
def test_the_tests_long_poll_waits_for_a_thread_that_is_about_to_send(aws: Cloud) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    seen = threading.Event()

    def producer() -> None:
        client = boto3.client("sqs", region_name=REGION)
        client.get_queue_attributes(QueueUrl=url)  # from its first call on, it uses the cloud
        seen.set()
        client.send_message(QueueUrl=url, MessageBody="hello")

    thread = threading.Thread(target=producer, name="producer")
    thread.start()
    start = aws.clock.now()
    seen.wait(20)
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
    thread.join(20)
    assert [m["Body"] for m in messages] == ["hello"]
    assert aws.clock.now() == start  # it waited for the producer, not for the end of the poll


# -- stragglers -----------------------------------------------------------------------------


def test_a_thread_that_outlives_its_cloud_is_reported_and_its_calls_fail() -> None:
    stop = threading.Event()
    errors: list[BaseException] = []
    called = threading.Event()

    def straggler() -> None:
        client = boto3.client("sqs", region_name=REGION)
        client.list_queues()
        called.set()
        stop.wait(20)
        try:
            client.list_queues()
        except BaseException as exc:  # what the straggler's own code would see
            errors.append(exc)

    thread = threading.Thread(target=straggler, name="late-consumer")
    activation = fake_aws()
    activation.start()
    thread.start()
    called.wait(20)
    with pytest.warns(StragglerThreadWarning, match="late-consumer"):
        activation.stop()
    with fake_aws() as next_cloud:
        stop.set()
        thread.join(20)
        assert len(next_cloud.calls) == 0  # the straggler's call did not land in the next cloud
    assert len(errors) == 1
    assert isinstance(errors[0], StragglerError)
    assert "late-consumer" in str(errors[0])


def test_threads_joined_before_the_end_are_not_stragglers(aws: Cloud) -> None:
    def call() -> None:
        boto3.client("sqs", region_name=REGION).list_queues()

    thread = threading.Thread(target=call)
    thread.start()
    thread.join(20)
    assert aws.threads.stragglers() == []


def test_an_activity_worker_thread_finishes_its_task_before_the_heartbeat_times_out(aws: Cloud) -> None:
    """A worker loop of GetActivityTask on a thread, as AWS's docs write one, while the test waits."""
    sfn = boto3.client("stepfunctions", region_name=REGION)
    activity = sfn.create_activity(name="approve")["activityArn"]
    definition = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": activity,
                "TimeoutSeconds": 300,
                "HeartbeatSeconds": 30,
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(name="approval", definition=json.dumps(definition), roleArn=ROLE)
    stop = threading.Event()
    handled: list[str] = []

    def worker() -> None:
        client = boto3.client("stepfunctions", region_name=REGION)
        while not stop.is_set():
            task = client.get_activity_task(activityArn=activity, workerName="approver")
            if "taskToken" not in task:
                continue
            client.send_task_heartbeat(taskToken=task["taskToken"])
            handled.append(json.loads(task["input"])["order"])
            client.send_task_success(taskToken=task["taskToken"], output=json.dumps({"approved": True}))

    thread = threading.Thread(target=worker, name="approver")
    thread.start()
    try:
        arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"order": "o-1"}')["executionArn"]
        execution = finishes(lambda: aws.stepfunctions.wait_for(arn))
    finally:
        stop.set()
        thread.join(20)
    assert execution.status == "SUCCEEDED"
    assert handled == ["o-1"]
