"""Task states: Lambda stand-ins, callbacks, activities, integrations with the other fakes, mocks."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.stepfunctions import TaskFailure

from .conftest import LAMBDA, MachineFactory, Runner, events, single


def test_lambda_arn_resource_gets_the_effective_input_and_records_lambda_events(
    aws: Cloud, sfn: Any, run: Runner
) -> None:
    aws.lambdas.register("total", lambda event, context: {"total": sum(event["prices"])})
    state = {"Type": "Task", "Resource": LAMBDA + "total", "InputPath": "$.cart", "ResultPath": "$.sum"}
    described = run(single(state), {"cart": {"prices": [1, 2, 3]}})
    assert described["out"] == {"cart": {"prices": [1, 2, 3]}, "sum": {"total": 6}}
    history = events(sfn, described["executionArn"])
    assert [e["type"] for e in history] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert history[2]["lambdaFunctionScheduledEventDetails"] == {
        "resource": LAMBDA + "total",
        "input": '{"prices":[1,2,3]}',
        "inputDetails": {"truncated": False},
    }
    assert aws.lambdas.invocations[-1].source == "stepfunctions"


def test_lambda_exception_becomes_the_error_aws_reports(aws: Cloud, sfn: Any, run: Runner) -> None:
    class InventoryError(Exception):
        pass

    def handler(event: Any, context: Any) -> Any:
        raise InventoryError("out of stock")

    aws.lambdas.register("reserve", handler)
    described = run(single({"Type": "Task", "Resource": LAMBDA + "reserve"}))
    assert described["error"] == "InventoryError"
    cause = json.loads(described["cause"])
    assert (cause["errorType"], cause["errorMessage"]) == ("InventoryError", "out of stock")
    assert isinstance(cause["stackTrace"], list)
    failed = events(sfn, described["executionArn"])[-2]
    assert failed["type"] == "LambdaFunctionFailed"
    assert failed["lambdaFunctionFailedEventDetails"]["error"] == "InventoryError"


def test_lambda_invoke_integration_wraps_the_result(aws: Cloud, sfn: Any, run: Runner) -> None:
    aws.lambdas.register("echo", lambda event, context: {"got": event})
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "echo", "Payload.$": "$"},
    }
    described = run(single(state), {"x": 1})
    out = described["out"]
    assert out["Payload"] == {"got": {"x": 1}}
    assert out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    history = events(sfn, described["executionArn"])
    scheduled = history[2]
    assert scheduled["type"] == "TaskScheduled"
    assert scheduled["taskScheduledEventDetails"]["resourceType"] == "lambda"
    assert scheduled["taskScheduledEventDetails"]["resource"] == "invoke"
    assert json.loads(scheduled["taskScheduledEventDetails"]["parameters"]) == {
        "FunctionName": "echo",
        "Payload": {"x": 1},
    }
    assert [e["type"] for e in history[3:5]] == ["TaskStarted", "TaskSucceeded"]


def test_lambda_invoke_errors_are_named_after_the_exception(aws: Cloud, run: Runner) -> None:
    def handler(event: Any, context: Any) -> Any:
        raise ValueError("bad payload")

    aws.lambdas.register("broken", handler)
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "broken"}}
    described = run(single(state))
    assert described["error"] == "ValueError"
    assert json.loads(described["cause"])["errorMessage"] == "bad payload"


def callback_machine(make_machine: MachineFactory) -> str:
    return make_machine(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {
                        "FunctionName": "ask-human",
                        "Payload": {"order.$": "$.order", "token.$": "$$.Task.Token"},
                    },
                    "ResultPath": "$.approval",
                    "End": True,
                }
            },
        }
    )


def test_wait_for_task_token_with_send_task_success(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("ask-human", lambda event, context: "asked")
    arn = sfn.start_execution(stateMachineArn=callback_machine(make_machine), input='{"order": 5}')["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    token = aws.lambdas.invocations[-1].event["token"]
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {
        "order": 5,
        "approval": {"approved": True},
    }
    types = [e["type"] for e in events(sfn, arn)]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_send_task_failure_fails_the_task(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("ask-human", lambda event, context: None)
    arn = sfn.start_execution(stateMachineArn=callback_machine(make_machine), input='{"order": 2}')["executionArn"]
    (task,) = aws.stepfunctions.pending_tasks
    assert task.state == "Approve"
    sfn.send_task_failure(taskToken=task.token, error="Rejected", cause="too expensive")
    described = sfn.describe_execution(executionArn=arn)
    assert (described["error"], described["cause"]) == ("Rejected", "too expensive")
    assert events(sfn, arn)[-2]["taskFailedEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "error": "Rejected",
        "cause": "too expensive",
    }


def test_pending_tasks_let_a_test_play_the_human(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("ask-human", lambda event, context: None)
    arn = sfn.start_execution(stateMachineArn=callback_machine(make_machine), input='{"order": 1}')["executionArn"]
    (task,) = aws.stepfunctions.pending_tasks
    assert task.input == {"FunctionName": "ask-human", "Payload": {"order": 1, "token": task.token}}
    task.succeed({"approved": False})
    assert aws.stepfunctions.execution(arn).output == {"order": 1, "approval": {"approved": False}}
    assert aws.stepfunctions.pending_tasks == []


def test_task_token_errors(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="short", output="{}")
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken="A" * 100, output="{}")


def test_send_task_success_needs_json_output(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("ask-human", lambda event, context: None)
    sfn.start_execution(stateMachineArn=callback_machine(make_machine), input='{"order": 3}')
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=aws.stepfunctions.pending_tasks[0].token, output="{nope")


def test_activity_worker_long_polls_in_virtual_time(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    activity = sfn.create_activity(name="pack")["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["name"] == "pack"
    before = aws.clock.now()
    assert sfn.get_activity_task(activityArn=activity, workerName="w1").get("taskToken") is None
    assert aws.clock.now() - before == pytest.approx(60, abs=0.5)
    definition = {
        "StartAt": "Later",
        "States": {
            "Later": {"Type": "Wait", "Seconds": 20, "Next": "Pack"},
            "Pack": {"Type": "Task", "Resource": activity, "TimeoutSeconds": 600, "End": True},
        },
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(definition), input='{"box": 1}')["executionArn"]
    polled = sfn.get_activity_task(activityArn=activity, workerName="w1")
    assert json.loads(polled["input"]) == {"box": 1}
    sfn.send_task_success(taskToken=polled["taskToken"], output='{"packed": true}')
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"packed": True}
    types = [e["type"] for e in events(sfn, arn)]
    assert [t for t in types if "Activity" in t] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    started = next(e for e in events(sfn, arn) if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"] == {"workerName": "w1"}


def test_activity_errors_and_listing(sfn: Any) -> None:
    arn = sfn.create_activity(name="a1")["activityArn"]
    assert sfn.create_activity(name="a1")["activityArn"] == arn
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["a1"]
    sfn.delete_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=arn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.get_activity_task(activityArn=arn)


def test_sqs_send_message_integration(aws: Cloud, run: Runner) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="shipments")["QueueUrl"]
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": url, "MessageBody": {"order.$": "$.order"}},
    }
    out = run(single(state), {"order": 12})["out"]
    assert "MessageId" in out
    assert "MD5OfMessageBody" in out
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"]) == {"order": 12}


def test_sqs_errors_are_named_after_the_sdk_exception(run: Runner) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nope", "MessageBody": "x"},
    }
    assert run(single(state))["error"] == "SQS.QueueDoesNotExistException"


def test_aws_sdk_secrets_manager_integration(run: Runner) -> None:
    sm = boto3.client("secretsmanager", region_name="us-east-1")
    sm.create_secret(Name="db", SecretString="hunter2")
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        "Parameters": {"SecretId": "db"},
        "ResultSelector": {"value.$": "$.SecretString", "name.$": "$.Name"},
    }
    assert run(single(state))["out"] == {"value": "hunter2", "name": "db"}
    missing = run(single({**state, "Parameters": {"SecretId": "nope"}}))
    assert missing["error"] == "SecretsManager.ResourceNotFoundException"


def test_aws_sdk_sqs_with_catch(run: Runner) -> None:
    definition = {
        "StartAt": "Create",
        "States": {
            "Create": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:createQueue",
                "Parameters": {"QueueName.$": "$.name"},
                "Next": "Find",
            },
            "Find": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                "Parameters": {"QueueName.$": "$$.Execution.Input.lookup"},
                "Catch": [{"ErrorEquals": ["Sqs.QueueDoesNotExistException"], "ResultPath": "$.error", "Next": "Gone"}],
                "Next": "Url",
            },
            "Url": {"Type": "Pass", "OutputPath": "$.QueueUrl", "End": True},
            "Gone": {"Type": "Pass", "OutputPath": "$.error.Error", "End": True},
        },
    }
    assert run(definition, {"name": "made-by-sfn", "lookup": "made-by-sfn"})["out"].endswith("/made-by-sfn")
    assert run(definition, {"name": "other", "lookup": "missing"})["out"] == "Sqs.QueueDoesNotExistException"


def test_sns_publish_integration(aws: Cloud, run: Runner) -> None:
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish",
        "Parameters": {"TopicArn": topic, "Message": {"alert.$": "$.alert"}},
    }
    received: list[Any] = []
    aws.lambdas.register("on-alert", lambda event, context: received.extend(event["Records"]))
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=LAMBDA + "on-alert")
    out = run(single(state), {"alert": "fire"})["out"]
    (record,) = received
    assert json.loads(record["Sns"]["Message"]) == {"alert": "fire"}
    assert out["MessageId"] == record["Sns"]["MessageId"]


def child_machine(make_machine: MachineFactory) -> str:
    return make_machine(
        {
            "StartAt": "Wait",
            "States": {
                "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Double"},
                "Double": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"}, "End": True},
            },
        },
        name="child",
    )


@pytest.mark.parametrize(("pattern", "parsed"), [(".sync", False), (".sync:2", True)])
def test_start_execution_sync_waits_for_the_child(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, pattern: str, parsed: bool
) -> None:
    child = child_machine(make_machine)
    parent = single(
        {
            "Type": "Task",
            "Resource": f"arn:aws:states:::states:startExecution{pattern}",
            "Parameters": {"StateMachineArn": child, "Input": {"n.$": "$.n"}},
        }
    )
    arn = sfn.start_execution(stateMachineArn=make_machine(parent), input='{"n": 4}')["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(30)
    out = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert out["Status"] == "SUCCEEDED"
    assert out["Output"] == ({"twice": 8} if parsed else '{"twice":8}')


def test_start_execution_fire_and_forget(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    child = child_machine(make_machine)
    parent = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution",
            "Parameters": {"StateMachineArn": child, "Input": {"n": 1}, "Name": "kid"},
        }
    )
    out = json.loads(
        sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=make_machine(parent))["executionArn"])[
            "output"
        ]
    )
    assert out["ExecutionArn"].endswith(":child:kid")
    assert sfn.describe_execution(executionArn=out["ExecutionArn"])["status"] == "RUNNING"


def test_sync_child_failure_fails_the_parent_task(sfn: Any, make_machine: MachineFactory) -> None:
    child = make_machine(single({"Type": "Fail", "Error": "Child.Broke"}), name="bad-child")
    parent = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": child},
        }
    )
    described = sfn.describe_execution(
        executionArn=sfn.start_execution(stateMachineArn=make_machine(parent))["executionArn"]
    )
    assert described["error"] == "States.TaskFailed"
    assert json.loads(described["cause"])["Error"] == "Child.Broke"


def test_mocked_task_answers_per_call(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.stepfunctions.mock_task(
        "Save", TaskFailure("DynamoDB.ProvisionedThroughputExceededException", "slow down"), {"saved": True}
    )
    definition = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders"},
            "Retry": [{"ErrorEquals": ["DynamoDB.ProvisionedThroughputExceededException"], "IntervalSeconds": 5}],
        },
        name="Save",
    )
    arn = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    aws.clock.advance(5)
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"saved": True}
    types = [e["type"] for e in events(sfn, arn)]
    assert types.count("TaskFailed") == 1
    assert types.count("TaskSucceeded") == 1
    assert aws.stepfunctions.mock_calls("Save") == 2


def test_mocks_replace_lambda_stand_ins_too(aws: Cloud, run: Runner) -> None:
    aws.stepfunctions.mock_task("S", {"mocked": 1})
    assert run(single({"Type": "Task", "Resource": LAMBDA + "never-registered"}))["out"] == {"mocked": 1}


def test_stopping_the_parent_stops_a_sync_child(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    child = child_machine(make_machine)
    parent = single(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": child, "Input": {"n": 1}, "Name": "kid"},
        }
    )
    arn = sfn.start_execution(stateMachineArn=make_machine(parent))["executionArn"]
    sfn.stop_execution(executionArn=arn)
    kid = child.replace(":stateMachine:", ":execution:") + ":kid"
    assert sfn.describe_execution(executionArn=kid)["status"] == "ABORTED"


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
def test_activity_failure_timeout_and_heartbeat(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    activity = sfn.create_activity(name="label")["activityArn"]
    definition = single({"Type": "Task", "Resource": activity, "TimeoutSeconds": 100, "HeartbeatSeconds": 30})
    machine = make_machine(definition)
    failed = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="printer")
    sfn.send_task_failure(taskToken=task["taskToken"], error="Printer.Jammed", cause="paper")
    assert sfn.describe_execution(executionArn=failed)["error"] == "Printer.Jammed"
    assert [e["type"] for e in events(sfn, failed)][-2] == "ActivityFailed"

    silent = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    sfn.get_activity_task(activityArn=activity, workerName="printer")
    aws.clock.advance(30)
    assert sfn.describe_execution(executionArn=silent)["error"] == "States.HeartbeatTimeout"
    timed_out = next(e for e in events(sfn, silent) if e["type"] == "ActivityTimedOut")
    assert timed_out["activityTimedOutEventDetails"] == {"error": "States.HeartbeatTimeout"}

    # No worker takes this one: no heartbeat is due, the task times out after TimeoutSeconds.
    unpicked = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    aws.clock.advance(99)
    assert sfn.describe_execution(executionArn=unpicked)["status"] == "RUNNING"
    aws.clock.advance(1)
    assert sfn.describe_execution(executionArn=unpicked)["error"] == "States.Timeout"
    # A task that timed out is gone from the queue: a worker polling now gets nothing.
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity)


def test_an_activity_deleted_before_the_task_runs_fails_it(sfn: Any, make_machine: MachineFactory) -> None:
    activity = sfn.create_activity(name="gone")["activityArn"]
    machine = make_machine(single({"Type": "Task", "Resource": activity}))
    sfn.delete_activity(activityArn=activity)
    described = sfn.describe_execution(executionArn=sfn.start_execution(stateMachineArn=machine)["executionArn"])
    assert described["error"] == "States.Runtime"


def test_a_stand_in_may_answer_its_own_token_at_once(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    def answer_now(event: Any, context: Any) -> str:
        boto3.client("stepfunctions", region_name="us-east-1").send_task_success(
            taskToken=event["token"], output='{"instant": true}'
        )
        return "sent"

    aws.lambdas.register("ask-human", answer_now)
    arn = sfn.start_execution(stateMachineArn=callback_machine(make_machine), input='{"order": 9}')["executionArn"]
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"])["approval"] == {"instant": True}
    types = [e["type"] for e in events(sfn, arn)]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_a_callback_whose_call_fails_fails_the_task(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    def broken(event: Any, context: Any) -> Any:
        raise PermissionError("cannot mail the manager")

    aws.lambdas.register("ask-human", broken)
    arn = sfn.start_execution(stateMachineArn=callback_machine(make_machine), input='{"order": 9}')["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["error"] == "PermissionError"
    assert aws.stepfunctions.pending_tasks == []
