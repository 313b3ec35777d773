"""Mock configuration files in Step Functions Local's format, selected with ``stateMachineArn#TestCase``.

The golden files beside this module are AWS's documented example, as written:
``mock_configs/MockConfigFile.json`` and the ``LambdaSQSIntegration`` machine
(developer guide, "Using mocked service integrations for testing in Step
Functions Local").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud, fake_aws
from pytest_awsmsg.services.stepfunctions.mock_config import MockConfig, MockConfigError

from .conftest import LAMBDA, ROLE, MachineFactory, events

HERE = Path(__file__).parent / "mock_configs"
GOLDEN = HERE / "MockConfigFile.json"
DEFINITION = (HERE / "LambdaSQSIntegration.asl.json").read_text()
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration"
HELLO = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_OUTPUT = (
    '{"MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51","MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}'
)


def _documented_machine(sfn: Any) -> None:
    sfn.create_state_machine(
        name="LambdaSQSIntegration",
        definition=DEFINITION,
        roleArn="arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration",
    )


def _types(sfn: Any, arn: str) -> list[str]:
    return [event["type"] for event in events(sfn, arn)]


@pytest.mark.sfn_mock_config("mock_configs/MockConfigFile.json")
def test_happy_path_answers_both_tasks_from_the_file_as_the_guide_shows(sfn: Any) -> None:
    _documented_machine(sfn)
    started = sfn.start_execution(stateMachineArn=MACHINE + "#HappyPath", name="executionWithHappyPathMockedServices")
    # The guide: the response is StartExecution's usual one, the ARN without the test case.
    assert started["executionArn"] == (
        "arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:executionWithHappyPathMockedServices"
    )
    history = events(sfn, started["executionArn"])
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "TaskStateEntered"),
        (3, 2, "TaskScheduled"),
        (4, 3, "TaskStarted"),
        (5, 4, "TaskSucceeded"),
        (6, 5, "TaskStateExited"),
        (7, 6, "TaskStateEntered"),
        (8, 7, "TaskScheduled"),
        (9, 8, "TaskStarted"),
        (10, 9, "TaskSucceeded"),
        (11, 10, "TaskStateExited"),
        (12, 11, "ExecutionSucceeded"),
    ]
    # Event 7 and 10 as the guide prints them: the Lambda result flows on as the SQS state's input.
    assert history[6]["stateEnteredEventDetails"] == {
        "name": "SQSState",
        "input": json.dumps(HELLO, separators=(",", ":")),
        "inputDetails": {"truncated": False},
    }
    assert history[9]["taskSucceededEventDetails"] == {
        "resourceType": "sqs",
        "resource": "sendMessage",
        "output": SQS_OUTPUT,
        "outputDetails": {"truncated": False},
    }
    assert history[4]["taskSucceededEventDetails"]["resourceType"] == "lambda"
    assert history[4]["taskSucceededEventDetails"]["resource"] == "invoke"
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["stateMachineArn"] == MACHINE
    assert json.loads(described["output"]) == json.loads(SQS_OUTPUT)


@pytest.mark.sfn_mock_config("mock_configs/MockConfigFile.json")
def test_retry_path_throws_three_times_then_returns_retried_on_the_clock(aws: Cloud, sfn: Any) -> None:
    _documented_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=MACHINE + "#RetryPath")["executionArn"]
    assert aws.stepfunctions.execution(arn).status == "RUNNING"  # waiting 2 s before the first retry
    view = aws.stepfunctions.wait_for(arn)
    assert view.status == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"] for e in events(sfn, arn) if e["type"] == "TaskFailed"]
    assert [(f["error"], f["cause"]) for f in failures] == [
        ("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
    ]
    history = events(sfn, arn)
    started = history[0]["timestamp"]
    succeeded = next(e for e in history if e["type"] == "TaskSucceeded")
    assert (succeeded["timestamp"] - started).total_seconds() == pytest.approx(2 + 4 + 8, abs=0.01)
    assert view.output == json.loads(SQS_OUTPUT)


@pytest.mark.sfn_mock_config("mock_configs/MockConfigFile.json")
def test_hybrid_path_mocks_the_lambda_and_really_sends_to_sqs(sfn: Any) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue = sqs.create_queue(QueueName="myQueue")["QueueUrl"]
    _documented_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=MACHINE + "#HybridPath")["executionArn"]
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert json.loads(message["Body"]) == HELLO


@pytest.mark.sfn_mock_config("mock_configs/MockConfigFile.json")
def test_without_a_test_case_the_machine_calls_what_its_states_name(aws: Cloud, sfn: Any) -> None:
    _documented_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=MACHINE)["executionArn"]
    view = aws.stepfunctions.wait_for(arn)
    assert view.status == "FAILED"  # no Lambda stand-in HelloWorldFunction: every attempt fails
    assert view.error == "Lambda.ResourceNotFoundException"


def test_a_test_case_the_file_lacks_is_refused_naming_what_there_is(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_config(str(GOLDEN))
    _documented_machine(sfn)
    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.start_execution(stateMachineArn=MACHINE + "#SadPath")
    assert "no test case 'SadPath' for state machine 'LambdaSQSIntegration'" in str(caught.value)
    assert "HappyPath, HybridPath, RetryPath" in str(caught.value)
    aws.stepfunctions.mock_config(None)
    with pytest.raises(sfn.exceptions.ValidationException, match="No mock configuration is loaded"):
        sfn.start_execution(stateMachineArn=MACHINE + "#HappyPath")


CONFIG: dict[str, Any] = {
    "StateMachines": {
        "orders": {
            "TestCases": {
                "Declined": {"Save": "SaveOk", "Charge": "CardDeclined", "Approve": "Approved"},
                "Approved": {"Save": "SaveOk", "Charge": "Charged", "Approve": "Approved"},
                "Short": {"Save": "SaveOk", "Charge": "ChargeOnce"},
            }
        },
        "fanout": {"TestCases": {"Each": {"Price": "Prices"}}},
    },
    "MockedResponses": {
        "SaveOk": {"0": {"Return": {"ConsumedCapacity": {"TableName": "orders"}}}},
        "CardDeclined": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "insufficient funds"}}},
        "Charged": {"0": {"Return": {"charged": 40}}},
        "ChargeOnce": {"0": {"Throw": {"Error": "Bank.Busy", "Cause": "try again"}}},
        "Approved": {"0": {"Return": {"approved": True}}},
        "Prices": {"0-1": {"Return": {"price": 10}}, "2": {"Return": {"price": 99}}},
    },
}
ORDERS = {
    "StartAt": "Save",
    "States": {
        "Save": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",  # not faked: runs only mocked
            "Parameters": {"TableName": "orders", "Item": {}},
            "ResultPath": None,
            "Next": "Charge",
        },
        "Charge": {
            "Type": "Task",
            "Resource": LAMBDA + "charge",  # the Lambda function ARN form
            "Retry": [{"ErrorEquals": ["Bank.Busy"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["Card.Declined"], "ResultPath": "$.error", "Next": "Declined"}],
            "Next": "Approve",
        },
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/none", "MessageBody": {}},
            "End": True,
        },
        "Declined": {"Type": "Fail", "Error": "PaymentFailed"},
    },
}


@pytest.fixture
def orders(aws: Cloud, sfn: Any) -> str:
    aws.stepfunctions.mock_config(CONFIG)
    arn: str = sfn.create_state_machine(name="orders", definition=json.dumps(ORDERS), roleArn=ROLE)["stateMachineArn"]
    return arn


def test_a_thrown_error_is_caught_and_recorded_as_the_lambda_arn_form_records_it(
    aws: Cloud, sfn: Any, orders: str
) -> None:
    arn = sfn.start_execution(stateMachineArn=orders + "#Declined", input='{"amount": 500}')["executionArn"]
    view = aws.stepfunctions.execution(arn)
    assert view.status == "FAILED"
    assert view.states == ["Save", "Charge", "Declined"]
    history = events(sfn, arn)
    failed = next(e for e in history if e["type"] == "LambdaFunctionFailed")
    assert failed["lambdaFunctionFailedEventDetails"] == {"error": "Card.Declined", "cause": "insufficient funds"}
    assert "LambdaFunctionScheduled" in _types(sfn, arn)
    scheduled = next(e for e in history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("dynamodb", "putItem")


def test_a_mocked_callback_is_submitted_then_succeeds_without_waiting(aws: Cloud, sfn: Any, orders: str) -> None:
    arn = sfn.start_execution(stateMachineArn=orders + "#Approved", input='{"amount": 40}')["executionArn"]
    view = aws.stepfunctions.execution(arn)
    assert view.status == "SUCCEEDED"
    assert view.output == {"approved": True}
    assert aws.stepfunctions.pending_tasks == []
    kinds = ("TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded")
    tail = [e for e in events(sfn, arn) if e["type"] in kinds][-4:]
    assert [e["type"] for e in tail] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    assert tail[0]["taskScheduledEventDetails"]["resource"] == "sendMessage.waitForTaskToken"


def test_a_state_invoked_more_often_than_it_has_responses_fails_the_execution(
    aws: Cloud, sfn: Any, orders: str
) -> None:
    arn = sfn.start_execution(stateMachineArn=orders + "#Short")["executionArn"]
    view = aws.stepfunctions.wait_for(arn)  # the retry asks for invocation 1 of ChargeOnce
    assert view.status == "FAILED"
    assert view.error == "States.Runtime"
    assert view.cause is not None
    assert "'ChargeOnce' of state 'Charge' in test case 'Short' has no response for invocation 1" in view.cause


def test_each_execution_counts_invocations_from_zero(aws: Cloud, sfn: Any, orders: str) -> None:
    first = sfn.start_execution(stateMachineArn=orders + "#Approved")["executionArn"]
    second = sfn.start_execution(stateMachineArn=orders + "#Approved")["executionArn"]
    assert [aws.stepfunctions.execution(a).status for a in (first, second)] == ["SUCCEEDED", "SUCCEEDED"]


def test_an_unmocked_state_of_a_test_case_runs_its_lambda_stand_in(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_config(CONFIG)
    aws.lambdas.register("total", lambda event, context: {"total": sum(p["price"] for p in event)})
    fanout = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Price",
                    "States": {"Price": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}},
                },
                "Next": "Total",
            },
            "Total": {"Type": "Task", "Resource": LAMBDA + "total", "End": True},
        },
    }
    arn = sfn.create_state_machine(name="fanout", definition=json.dumps(fanout), roleArn=ROLE)["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn + "#Each", input="[1, 2, 3]")["executionArn"]
    # Iterations take the responses in the order they invoke the state: 0, 1, then 2.
    assert aws.stepfunctions.execution(started).output == {"total": 10 + 10 + 99}


def test_start_sync_execution_selects_a_test_case_too(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_config(
        {
            "StateMachines": {"quick": {"TestCases": {"Fast": {"Ask": "Yes"}}}},
            "MockedResponses": {"Yes": {"0": {"Return": {"answer": "yes"}}}},
        }
    )
    quick = {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": LAMBDA + "ask", "End": True}}}
    arn = sfn.create_state_machine(name="quick", definition=json.dumps(quick), roleArn=ROLE, type="EXPRESS")[
        "stateMachineArn"
    ]
    answered = sfn.start_sync_execution(stateMachineArn=arn + "#Fast")
    assert answered["status"] == "SUCCEEDED"
    assert json.loads(answered["output"]) == {"answer": "yes"}
    assert answered["stateMachineArn"] == arn


def test_an_unfaked_resource_is_accepted_at_creation_only_for_a_machine_the_file_mocks(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    aws.stepfunctions.mock_config(CONFIG)
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="mock_task"):
        make_machine(ORDERS, name="not-in-the-file")


def test_the_environment_variable_names_the_file_as_step_functions_local_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(GOLDEN))
    with fake_aws():
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        _documented_machine(sfn)
        arn = sfn.start_execution(stateMachineArn=MACHINE + "#HappyPath")["executionArn"]
        assert sfn.describe_execution(executionArn=arn)["output"] == SQS_OUTPUT


def test_a_bad_file_named_by_the_environment_variable_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"StateMachines": {}, "MockedResponse": {}}')
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(broken))
    with fake_aws() as cloud, pytest.raises(MockConfigError) as caught:
        cloud.service("stepfunctions")
    assert str(caught.value) == (
        f"{broken}: the top level: unknown field 'MockedResponse' (the fields are StateMachines and "
        "MockedResponses) (from the SFN_MOCK_CONFIG environment variable)"
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "the top level: must be a JSON object, not []"),
        ({"StateMachines": {"m": {"TestCase": {}}}}, "StateMachines.m: must hold exactly one field, TestCases"),
        (
            {"StateMachines": {"m": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {"R": {"0": {}}}},
            'MockedResponses.R."0": must hold exactly one field, Return or Throw',
        ),
        (
            {"StateMachines": {"m": {"TestCases": {"T": {"S": "Nope"}}}}},
            "StateMachines.m.TestCases.T.S: names 'Nope', which is not in MockedResponses (it has: none)",
        ),
        (
            {"MockedResponses": {"R": {"0": {"Throw": {"Error": "E"}}}}},
            "MockedResponses.R.\"0\".Throw: needs 'Cause' (a string)",
        ),
        (
            {"MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 2}}}},
            'MockedResponses.R."2": leaves invocation 1 without a response: invocations must run 0, 1, 2... '
            "without gaps",
        ),
        (
            {"MockedResponses": {"R": {"0-2": {"Return": 1}, "1": {"Return": 2}}}},
            'MockedResponses.R."1": overlaps: invocations must run 0, 1, 2... without gaps',
        ),
        (
            {"MockedResponses": {"R": {"first": {"Return": 1}}}},
            'MockedResponses.R."first": must be an invocation number ("0") or an inclusive range ("1-2")',
        ),
        (
            {"MockedResponses": {"R": {"3-1": {"Return": 1}}}},
            'MockedResponses.R."3-1": the range ends before it starts',
        ),
        ({"MockedResponses": {"R": {}}}, "MockedResponses.R: defines no response"),
    ],
)
def test_a_mistake_in_a_file_names_its_place(config: Any, message: str) -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfig.load(config) if not isinstance(config, list) else MockConfig(config)
    assert str(caught.value) == f"mock configuration: {message}"


def test_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "MockConfigFile.json"
    bad.write_text("{'StateMachines': {}}")
    with pytest.raises(MockConfigError, match=r"MockConfigFile.json' is not JSON: Expecting property name"):
        MockConfig.load(bad)


def test_the_documented_ranges_expand_to_one_answer_per_invocation() -> None:
    case = MockConfig.load(GOLDEN).test_case("LambdaSQSIntegration", "RetryPath")
    response, answers = case.answers["LambdaState"]
    assert response == "MockedLambdaRetry"
    assert [getattr(a, "error", "Return") for a in answers] == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
        "Return",
    ]


def test_the_marker_pulls_in_the_cloud_and_a_misused_one_is_named(pytester: pytest.Pytester) -> None:
    pytester.makefile(".json", MockConfigFile=GOLDEN.read_text())
    pytester.makepyfile(
        test_it=f"""
        import boto3, pytest

        pytestmark = pytest.mark.sfn_mock_config("MockConfigFile.json")

        def test_happy():
            sfn = boto3.client("stepfunctions", region_name="us-east-1")
            sfn.create_state_machine(name="LambdaSQSIntegration", definition={DEFINITION!r}, roleArn="{ROLE}")
            arn = sfn.start_execution(stateMachineArn="{MACHINE}#HappyPath")["executionArn"]
            assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"

        @pytest.mark.sfn_mock_config("missing.json")
        def test_missing():
            pass

        @pytest.mark.sfn_mock_config()
        def test_misused():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.sfn_mock_config: Step Functions mock configuration 'missing.json' cannot be read*",
            "*@pytest.mark.sfn_mock_config: missing a required argument: 'config'; it takes sfn_mock_config(config)*",
        ]
    )


def test_a_mocked_sync_child_and_an_sdk_call_record_their_integrations_events(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_config(
        {
            "StateMachines": {"parent": {"TestCases": {"Mocked": {"Child": "ChildDone", "Count": "Counted"}}}},
            "MockedResponses": {
                "ChildDone": {"0": {"Return": {"Status": "SUCCEEDED", "Output": "{}"}}},
                "Counted": {"0": {"Return": {"Attributes": {"ApproximateNumberOfMessages": "3"}}}},
            },
        }
    )
    parent = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:absent"},
                "Next": "Count",
            },
            "Count": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueAttributes",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/none"},
                "End": True,
            },
        },
    }
    arn = sfn.create_state_machine(name="parent", definition=json.dumps(parent), roleArn=ROLE)["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=arn + "#Mocked")["executionArn"]
    assert aws.stepfunctions.execution(run).output == {"Attributes": {"ApproximateNumberOfMessages": "3"}}
    tasks = [(e["type"], e.get("taskScheduledEventDetails", {}).get("resource")) for e in events(sfn, run)]
    assert [t for t in tasks if t[0].startswith("Task") and "State" not in t[0]] == [
        ("TaskScheduled", "startExecution.sync:2"),
        ("TaskStarted", None),
        ("TaskSubmitted", None),
        ("TaskSucceeded", None),
        ("TaskScheduled", "getQueueAttributes"),
        ("TaskStarted", None),
        ("TaskSucceeded", None),
    ]
    assert aws.stepfunctions.executions("absent") == []  # no child was started


def test_a_distributed_maps_child_executions_answer_from_the_parents_test_case(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_config(CONFIG)
    fanout = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Price",
                    "States": {"Price": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}},
                },
                "MaxConcurrency": 1,
                "End": True,
            }
        },
    }
    arn = sfn.create_state_machine(name="fanout", definition=json.dumps(fanout), roleArn=ROLE)["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=arn + "#Each", input="[1, 2, 3]")["executionArn"]
    assert aws.stepfunctions.wait_for(run).output == [{"price": 10}, {"price": 10}, {"price": 99}]
