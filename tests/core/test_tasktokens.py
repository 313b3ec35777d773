"""Task tokens with heartbeat and timeout timers (core/tasktokens.py), and the two services using them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.clock import Clock
from pytest_awsmsg.core.ids import IdSource
from pytest_awsmsg.core.tasktokens import TaskTokens


def book(seed: int = 7) -> tuple[Clock, TaskTokens[str]]:
    clock = Clock()  # not frozen: freezing would patch the process's time until unfrozen
    ids = IdSource(seed)
    return clock, TaskTokens(clock, lambda: ids.alnum(40))


def test_tokens_come_from_the_seed() -> None:
    first = [book(3)[1].issue("a").token for _ in range(2)]
    _, tokens = book(3)
    again = [tokens.issue("a").token, tokens.issue("b").token]
    assert first[0] == again[0]
    assert again[0] != again[1]
    assert book(4)[1].issue("a").token != again[0]


def test_a_heartbeat_starts_the_window_again_and_the_timeout_still_bounds_the_task() -> None:
    clock, tokens = book()
    expired: list[str] = []
    task = tokens.issue("work")
    task.arm("TIMEOUT", 100, expired.append, "timeout")
    task.arm("HEARTBEAT", 10, expired.append, "heartbeat", heartbeat=True)
    for _ in range(5):
        clock.advance(9)
        task.heartbeat()
    assert (expired, task.open) == ([], True)
    clock.advance(9.5)
    assert expired == []
    clock.advance(0.5)
    assert (expired, task.outcome) == (["HEARTBEAT"], "TIMED_OUT")
    assert clock.pending == []  # the overall timeout went with it

    clock, tokens = book()
    expired = []
    task = tokens.issue("work")
    task.arm("TIMEOUT", 30, expired.append, "timeout")
    task.arm("HEARTBEAT", 10, expired.append, "heartbeat", heartbeat=True)
    for _ in range(5):
        clock.advance(8)
        task.heartbeat()
    assert expired == ["TIMEOUT"]  # heartbeats do not extend the overall timeout


def test_a_task_closes_once_and_its_token_is_then_spent() -> None:
    clock, tokens = book()
    expired: list[str] = []
    task = tokens.issue("work")
    token = task.token
    assert token is not None
    task.arm("TIMEOUT", 10, expired.append, "timeout")
    assert tokens.find(token) is task
    assert [t.payload for t in tokens] == ["work"]
    assert task.close("SUCCEEDED") is True
    assert task.close("FAILED") is False
    assert task.outcome == "SUCCEEDED"
    assert (tokens.find(token), tokens.spent(token), list(tokens)) == (None, True, [])
    assert clock.pending == []
    clock.advance(60)
    assert expired == []
    assert task.heartbeat() == []
    assert task.arm("TIMEOUT", 10, expired.append, "timeout") is None
    assert not tokens.spent("never handed out")


def test_timers_run_before_the_token_and_disarm_by_kind() -> None:
    clock, tokens = book()
    expired: list[str] = []
    task = tokens.task("scheduled")
    task.arm("SCHEDULE_TO_START", 5, expired.append, "s2s")
    task.arm("SCHEDULE_TO_CLOSE", 50, expired.append, "s2c")
    assert task.token is None
    assert list(tokens) == []
    clock.advance(4)
    task.disarm("SCHEDULE_TO_START")  # a worker took it
    token = tokens.hand_out(task)
    assert tokens.find(token) is task
    clock.advance(10)
    assert expired == []
    clock.advance(40)
    assert expired == ["SCHEDULE_TO_CLOSE"]
    assert tokens.spent(token)


def test_a_minted_token_is_spent_until_its_task_is_handed_it() -> None:
    _, tokens = book()
    token = tokens.mint()
    assert tokens.spent(token)
    assert tokens.find(token) is None
    task = tokens.issue("callback", token)
    assert tokens.find(token) is task
    assert not tokens.spent(token)


# -- Step Functions: callbacks and activities ---------------------------------------------


def sfn_timers(aws: Cloud) -> list[str]:
    return [t.label for t in aws.clock.pending if t.label.startswith("sfn ")]


@pytest.mark.aws(freeze=True)
def test_sfn_answering_a_callback_cancels_its_timers_and_spends_the_token(aws: Cloud) -> None:
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    aws.lambdas.register("notify", lambda event, context: None)
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        "TimeoutSeconds": 300,
        "HeartbeatSeconds": 60,
        "End": True,
    }
    machine = sfn.create_state_machine(
        name="callback",
        definition=json.dumps({"StartAt": "Wait", "States": {"Wait": state}}),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = aws.lambdas.invocations[-1].event["token"]
    assert sorted(sfn_timers(aws)) == ["sfn heartbeat", "sfn timeout Wait"]
    sfn.send_task_heartbeat(taskToken=token)
    assert sorted(sfn_timers(aws)) == ["sfn heartbeat", "sfn timeout Wait"]  # re-armed, not added
    sfn.send_task_success(taskToken=token, output='{"ok": 1}')
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    assert sfn_timers(aws) == []
    for answer in (
        lambda: sfn.send_task_success(taskToken=token, output="{}"),
        lambda: sfn.send_task_failure(taskToken=token, error="late"),
        lambda: sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(sfn.exceptions.TaskTimedOut):
            answer()
    assert aws.stepfunctions.pending_tasks == []


@pytest.mark.aws(freeze=True)
def test_sfn_activity_heartbeat_window_opens_when_a_worker_takes_the_task(aws: Cloud) -> None:
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    activity = sfn.create_activity(name="pack")["activityArn"]
    state = {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 20, "End": True}
    machine = sfn.create_state_machine(
        name="packing",
        definition=json.dumps({"StartAt": "Pack", "States": {"Pack": state}}),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    aws.clock.advance(100)  # queued, nobody polls: no heartbeat is due yet
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    assert sfn_timers(aws) == ["sfn timeout Pack"]
    task = sfn.get_activity_task(activityArn=activity, workerName="w1")
    aws.clock.advance(19)
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    aws.clock.advance(19)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(1)
    described = sfn.describe_execution(executionArn=arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.HeartbeatTimeout")
    assert sfn_timers(aws) == []
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")


# -- SWF: activity and decision tasks ------------------------------------------------------


@pytest.fixture
def swf_order(aws: Cloud) -> Any:
    swf = boto3.client("swf", region_name="us-east-1")
    swf.register_domain(name="orders", workflowExecutionRetentionPeriodInDays="7")
    swf.register_workflow_type(
        domain="orders",
        name="order",
        version="1",
        defaultTaskList={"name": "deciders"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain="orders",
        name="charge",
        version="1",
        defaultTaskList={"name": "workers"},
        defaultTaskScheduleToStartTimeout="60",
        defaultTaskScheduleToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="300",
        defaultTaskHeartbeatTimeout="20",
    )
    swf.start_workflow_execution(domain="orders", workflowId="o-1", workflowType={"name": "order", "version": "1"})
    return swf


def swf_timers(aws: Cloud) -> list[str]:
    return sorted(t.label for t in aws.clock.pending if t.label.startswith("swf ") and "o-1" not in t.label)


def test_swf_completing_an_activity_cancels_its_timers_and_spends_the_token(aws: Cloud, swf_order: Any) -> None:
    swf = swf_order
    decision = swf.poll_for_decision_task(domain="orders", taskList={"name": "deciders"})
    schedule = {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityId": "c-1",
            "activityType": {"name": "charge", "version": "1"},
        },
    }
    swf.respond_decision_task_completed(taskToken=decision["taskToken"], decisions=[schedule])
    with pytest.raises(swf.exceptions.UnknownResourceFault):  # a decision task answers once
        swf.respond_decision_task_completed(taskToken=decision["taskToken"], decisions=[])
    assert swf_timers(aws) == ["swf activity c-1 schedule_to_close", "swf activity c-1 schedule_to_start"]
    work = swf.poll_for_activity_task(domain="orders", taskList={"name": "workers"})
    assert swf_timers(aws) == [
        "swf activity c-1 schedule_to_close",
        "swf activity start_to_close",
        "swf heartbeat",
    ]
    swf.record_activity_task_heartbeat(taskToken=work["taskToken"])
    assert len(swf_timers(aws)) == 3  # the heartbeat window moved; nothing was added
    elsewhere = boto3.client("swf", region_name="eu-west-1")
    with pytest.raises(elsewhere.exceptions.UnknownResourceFault):  # tokens belong to their region
        elsewhere.respond_activity_task_completed(taskToken=work["taskToken"])
    swf.respond_activity_task_completed(taskToken=work["taskToken"], result="ok")
    assert swf_timers(aws) == []
    for answer in (
        lambda: swf.respond_activity_task_completed(taskToken=work["taskToken"]),
        lambda: swf.respond_activity_task_failed(taskToken=work["taskToken"]),
        lambda: swf.record_activity_task_heartbeat(taskToken=work["taskToken"]),
    ):
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            answer()
