"""TestState at AWS's depth: JSONata and variables, mocks and their validation, stateConfiguration.

The expected answers are AWS's, recorded against the real service (status,
nextState, output, the inspectionData keys, the context object a tested state
sees, and the ValidationException messages).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg.core.cloud import Cloud

from .conftest import ROLE

HELLO = '{"Value": "HelloWorld"}'
APPROVALS = {
    "Comment": "Cost approval workflow",
    "QueryLanguage": "JSONata",
    "StartAt": "Approval Required",
    "States": {
        "Approval Required": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.cost < 10 %}", "Next": "Purchase Approved"}],
            "Default": "Ask for Approval",
        },
        "Purchase Approved": {"Type": "Succeed"},
        "Ask for Approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::http:invoke",
            "Arguments": {
                "Method": "POST",
                "ApiEndpoint": "example.execute-api.us-east-1.amazonaws.com",
                "Path": "/approval",
                "RequestBody": {"cost": "{% $states.input.cost %}", "dept_id": "12345678"},
                "AuthType": "NO_AUTH",
            },
            "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 2, "IntervalSeconds": 1, "MaxAttempts": 3}],
            "Next": "Check Approval",
            "Output": {"approval": "{% $states.result.approval %}", "approval_code": "2387462", "approved_by": "Mary"},
        },
        "Check Approval": {
            "Type": "Choice",
            "Choices": [{"Next": "Purchase Approved", "Condition": "{% $states.input.approval %}"}],
            "Default": "Not Approved",
        },
        "Not Approved": {"Type": "Fail"},
    },
}


def trace(sfn: Any, definition: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = sfn.test_state(
        definition=json.dumps(definition), input=text, inspectionLevel="TRACE", **extra
    )
    answer.pop("ResponseMetadata")
    for key in ("output",):
        if key in answer:
            answer[key] = json.loads(answer[key])
    data = answer.get("inspectionData", {})
    for key, value in data.items():
        if isinstance(value, str) and key != "input":
            data[key] = json.loads(value)
    return answer


@pytest.mark.requires_api("stepfunctions", "TestState", "stateName", "mock")
class TestAwsApprovalWalkthrough:
    """AWS's worked example of testing a JSONata workflow state by state (recorded answers)."""

    @pytest.mark.parametrize(("cost", "then"), [(9, "Purchase Approved"), (10, "Ask for Approval")])
    def test_the_approval_choice(self, sfn: Any, cost: int, then: str) -> None:
        answer = trace(sfn, APPROVALS, json.dumps({"cost": cost}), stateName="Approval Required")
        assert answer == {
            "inspectionData": {"input": json.dumps({"cost": cost})},
            "nextState": then,
            "output": {"cost": cost},
            "status": "SUCCEEDED",
        }

    def test_the_http_task_with_a_mocked_answer(self, sfn: Any) -> None:
        answer = trace(
            sfn, APPROVALS, '{"cost": 10}', stateName="Ask for Approval", mock={"result": '{"approval": true }'}
        )
        assert answer == {
            "inspectionData": {
                "input": '{"cost": 10}',
                "afterArguments": {
                    "Method": "POST",
                    "ApiEndpoint": "example.execute-api.us-east-1.amazonaws.com",
                    "Path": "/approval",
                    "RequestBody": {"cost": 10, "dept_id": "12345678"},
                    "AuthType": "NO_AUTH",
                },
                "result": {"approval": True},
            },
            "nextState": "Check Approval",
            "output": {"approval": True, "approval_code": "2387462", "approved_by": "Mary"},
            "status": "SUCCEEDED",
        }

    @pytest.mark.parametrize(("approval", "then"), [(True, "Purchase Approved"), (False, "Not Approved")])
    def test_the_check(self, sfn: Any, approval: bool, then: str) -> None:
        answer = trace(sfn, APPROVALS, json.dumps({"approval": approval}), stateName="Check Approval")
        assert (answer["nextState"], answer["output"]) == (then, {"approval": approval})


CATCHING = {
    "QueryLanguage": "JSONata",
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Arguments": {"FunctionName": "foo", "Payload": "bar"},
    "Catch": [
        {"ErrorEquals": ["MockException"], "Output": "{% $states %}", "Next": "HandleMockError"},
        {"ErrorEquals": ["States.TaskFailed"], "Output": "{% $states %}", "Next": "HandleThreshold"},
    ],
    "End": True,
}


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
@pytest.mark.parametrize(
    ("error", "index", "then"), [("MockException", 0, "HandleMockError"), ("States.TaskFailed", 1, "HandleThreshold")]
)
def test_a_jsonata_catcher_sees_states_with_the_error_output(
    aws: Cloud, sfn: Any, error: str, index: int, then: str
) -> None:
    answer = trace(sfn, CATCHING, HELLO, roleArn=ROLE, mock={"errorOutput": {"error": error, "cause": "why"}})
    assert (answer["status"], answer["error"], answer["cause"], answer["nextState"]) == (
        "CAUGHT_ERROR",
        error,
        "why",
        then,
    )
    assert answer["inspectionData"] == {
        "input": HELLO,
        "afterArguments": {"FunctionName": "foo", "Payload": "bar"},
        "errorDetails": {"catchIndex": index},
    }
    states = answer["output"]
    assert states["input"] == {"Value": "HelloWorld"}
    assert states["errorOutput"] == {"Error": error, "Cause": "why"}
    context = states["context"]
    # Recorded: a tested state runs as an Express execution of a throwaway machine; the state is "StateName".
    execution = context["Execution"]
    assert (
        execution["Id"]
        == f"arn:aws:states:us-east-1:123456789012:express:{context['StateMachine']['Name']}:" + (execution["Name"])
    )
    assert (execution["Input"], execution["RoleArn"]) == ({"Value": "HelloWorld"}, ROLE)
    assert sorted(execution) == ["Id", "Input", "Name", "RoleArn", "StartTime"]
    assert context["StateMachine"]["Id"].endswith(":stateMachine:" + context["StateMachine"]["Name"])
    assert (context["State"]["Name"], context["State"]["RetryCount"]) == ("StateName", 0)


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ({"MaxConcurrency": "{% 1 %}"}, {"maxConcurrency": 1}),
        ({"ToleratedFailurePercentage": "{% 1 %}"}, {"maxConcurrency": 0, "toleratedFailurePercentage": 1.0}),
        ({"ToleratedFailureCount": "{% 1 %}"}, {"maxConcurrency": 0, "toleratedFailureCount": 1}),
    ],
)
def test_a_jsonata_map_shows_its_settings_and_its_output_sees_the_result(
    sfn: Any, setting: dict[str, Any], shown: dict[str, Any]
) -> None:
    state = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.Values %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "TestState",
            "States": {"TestState": {"Type": "Pass", "End": True}},
        },
        "Output": "{% $states.result %}",
        "End": True,
        **setting,
    }
    answer = trace(sfn, state, '{"Values": [1, 2, 3]}', roleArn=ROLE, mock={"result": "[1, 1, 1]"})
    assert answer == {
        "inspectionData": {"input": '{"Values": [1, 2, 3]}', **shown},
        "output": [1, 1, 1],
        "status": "SUCCEEDED",
    }


@pytest.mark.requires_api("stepfunctions", "TestState", "stateName", "variables")
def test_variables_in_scope_are_read_and_shown(sfn: Any) -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Pass",
                "Output": {
                    "ja_var_access": "{% $var_input_value %}",
                    "ja_expr": "{% $sum($states.input.input_values) + $var_constant_1 %}",
                },
                "End": True,
            }
        },
    }
    variables = {"var_input_value": "test_value", "var_constant_1": 10}
    answer = trace(sfn, machine, '{"input_values": [1, 2, 3]}', stateName="State0", variables=json.dumps(variables))
    assert answer == {
        "inspectionData": {"input": '{"input_values": [1, 2, 3]}', "variables": variables},
        "output": {"ja_var_access": "test_value", "ja_expr": 16},
        "status": "SUCCEEDED",
    }
    without = trace(sfn, machine, '{"input_values": [1]}', stateName="State0")
    assert without["status"] == "FAILED"  # $var_input_value is undefined: nothing to output
    assert without["error"] == "States.QueryEvaluationError"
    assert without["inspectionData"] == {"input": '{"input_values": [1]}'}


@pytest.mark.requires_api("stepfunctions", "TestState", "variables")
@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
def test_assign_adds_to_the_variables_shown(sfn: Any, language: str) -> None:
    assign = (
        {"total.$": "States.MathAdd($.n, $base)"}
        if language == "JSONPath"
        else {"total": "{% $states.input.n + $base %}"}
    )
    state = {"Type": "Pass", "QueryLanguage": language, "Assign": assign, "Next": "Show"}
    answer = trace(sfn, state, '{"n": 2}', roleArn=ROLE, variables='{"base": 40}')
    assert answer["inspectionData"]["variables"] == {"base": 40, "total": 42}
    assert (answer["status"], answer["nextState"], answer["output"]) == ("SUCCEEDED", "Show", {"n": 2})


@pytest.mark.requires_api("stepfunctions", "TestState", "variables")
def test_jsonata_wait_succeed_and_fail_states(sfn: Any) -> None:
    wait = {"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% $states.input.s %}", "Next": "N"}
    assert trace(sfn, wait, '{"s": 5}', roleArn=ROLE)["nextState"] == "N"
    broken = trace(sfn, {**wait, "Seconds": "{% $nope.x %}"}, '{"s": 5}', roleArn=ROLE)
    assert (broken["status"], broken["error"]) == ("FAILED", "States.QueryEvaluationError")
    succeed = {"Type": "Succeed", "QueryLanguage": "JSONata", "Output": "{% $states.input.a %}"}
    assert trace(sfn, succeed, '{"a": [1]}', roleArn=ROLE)["output"] == [1]
    fail = {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% $who %}", "Cause": "{% 'no ' & $who %}"}
    failed = trace(sfn, fail, "{}", roleArn=ROLE, variables='{"who": "Bob"}')
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Bob", "no Bob")


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
def test_a_jsonata_parallel_around_a_mocked_result(sfn: Any) -> None:
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    state = {
        "Type": "Parallel",
        "QueryLanguage": "JSONata",
        "Branches": [branch, branch],
        "Output": "{% $sum($states.result) %}",
        "End": True,
    }
    answer = trace(sfn, state, "{}", mock={"result": "[1, 2]"})
    assert (answer["output"], answer["inspectionData"]) == (3, {"input": "{}"})


@pytest.mark.requires_api("stepfunctions", "TestState", "mock", "context")
def test_the_context_parameter_sets_what_the_state_reads(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f", "Payload": {"id.$": "$$.Execution.Name", "try.$": "$$.State.RetryCount"}},
        "End": True,
    }
    context = json.dumps({"Execution": {"Name": "my-run"}, "State": {"RetryCount": 2}})
    answer = trace(sfn, state, "{}", mock={"result": '{"StatusCode": 200}'}, context=context)
    assert answer["inspectionData"]["afterParameters"] == {"FunctionName": "f", "Payload": {"id": "my-run", "try": 2}}
    with pytest.raises(sfn.exceptions.ValidationException, match="mock"):
        sfn.test_state(definition=json.dumps(state), roleArn=ROLE, context=context)


MAP = {
    "Type": "Map",
    "ItemsPath": "$.Values",
    "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        "StartAt": "HandleItem",
        "States": {"HandleItem": {"Type": "Pass", "End": True}},
    },
    "ToleratedFailureCount": 1,
    "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "HandleThreshold"}],
    "End": True,
}
VALUES = '{"Values": ["first", "second", "third"]}'


@pytest.mark.requires_api("stepfunctions", "TestState", "mock", "stateConfiguration")
def test_map_iteration_failures_over_the_tolerance_fail_the_map(sfn: Any) -> None:
    below = trace(sfn, MAP, VALUES, mock={"result": "[1, 1, 1]"}, stateConfiguration={"mapIterationFailureCount": 1})
    assert (below["status"], below["output"]) == ("SUCCEEDED", [1, 1, 1])
    over = trace(sfn, MAP, VALUES, mock={"result": "[0, 0, 1]"}, stateConfiguration={"mapIterationFailureCount": 2})
    assert (over["status"], over["error"], over["cause"], over["nextState"]) == (
        "CAUGHT_ERROR",
        "States.ExceedToleratedFailureThreshold",
        "The specified tolerated failure threshold was exceeded",
        "HandleThreshold",
    )
    # A mocked error is the error, whatever the count (recorded).
    mocked = trace(
        sfn,
        MAP,
        VALUES,
        mock={"errorOutput": {"error": "MockException", "cause": "Mock the error cause."}},
        stateConfiguration={"mapIterationFailureCount": 2, "errorCausedByState": "HandleItem"},
    )
    assert (mocked["status"], mocked["error"]) == ("FAILED", "MockException")
    with pytest.raises(sfn.exceptions.ValidationException, match="errorCausedByState"):
        sfn.test_state(
            definition=json.dumps(MAP),
            mock={"errorOutput": {"error": "MockException"}},
            stateConfiguration={"errorCausedByState": "Elsewhere"},
        )
    assert mocked["inspectionData"] == {
        "input": VALUES,
        "afterInputPath": {"Values": ["first", "second", "third"]},
        "afterItemsPath": ["first", "second", "third"],
        "maxConcurrency": 0,
        "toleratedFailureCount": 1,
    }


@pytest.mark.requires_api("stepfunctions", "TestState", "mock", "stateConfiguration")
def test_a_map_item_reader_reads_the_configured_data(sfn: Any) -> None:
    state = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Square",
            "States": {"Square": {"Type": "Pass", "End": True}},
        },
        "MaxConcurrency": 1,
        "End": True,
    }
    answer = trace(
        sfn,
        state,
        '{"Bucket": "b", "Key": "k"}',
        mock={"result": "[1, 4, 9]"},
        stateConfiguration={"mapItemReaderData": "[1, 2, 3]"},
    )
    assert answer == {
        "inspectionData": {"input": '{"Bucket": "b", "Key": "k"}', "maxConcurrency": 1},
        "output": [1, 4, 9],
        "status": "SUCCEEDED",
    }


PASS = {"Type": "Pass", "End": True}
TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
PARALLEL = {
    "Type": "Parallel",
    "Branches": [{"StartAt": "B", "States": {"B": PASS}}, {"StartAt": "C", "States": {"C": PASS}}],
    "End": True,
}


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
@pytest.mark.parametrize(
    ("state", "mock", "extra", "message"),
    [
        (PASS, {"result": "{}"}, {}, "State type 'Pass' is not supported when a mock is specified"),
        (
            {"Type": "Succeed"},
            {"errorOutput": {"error": "E"}},
            {},
            "State type 'Succeed' is not supported when a mock is specified",
        ),
        (
            TASK,
            {"result": "{}", "errorOutput": {"error": "E"}},
            {},
            "A test mock should have only one of the following fields: [result, errorOutput].",
        ),
        (
            TASK,
            {"result": "{}"},
            {"revealSecrets": True},
            "TestState does not support RevealSecrets when a mock is specified.",
        ),
        (PARALLEL, {"result": "{}"}, {}, "Mocked result must be an array."),
        (
            PARALLEL,
            {"result": "[1]"},
            {},
            "Mocked result must contain the same number of items as number of Parallel branches.",
        ),
        ({**MAP, "Catch": []}, {"result": '{"a": 1}'}, {}, "Mocked result must be an array."),
    ],
)
def test_mocks_are_checked_with_aws_messages(
    sfn: Any, state: dict[str, Any], mock: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.test_state(definition=json.dumps(state), roleArn=ROLE, mock=mock, **extra)
    assert caught.value.response["Error"]["Message"] == message


@pytest.mark.parametrize("state", [PARALLEL, MAP])
def test_map_and_parallel_need_a_mock(sfn: Any, state: dict[str, Any]) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input=VALUES)
    assert caught.value.response["Error"]["Message"] == (
        "TestState API does not support Map or Parallel states. Supported state types include: "
        "[Task, Wait, Pass, Succeed, Fail, Choice]"
    )


def test_a_state_that_only_warns_runs(sfn: Any) -> None:
    state = {"Type": "Pass", "Parameters": {"literally": "$.x"}, "End": True}
    answer = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, input='{"x": 1}')
    assert json.loads(answer["output"]) == {"literally": "$.x"}


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
@pytest.mark.parametrize(
    ("resource", "result", "mode", "message"),
    [
        ("arn:aws:states:::events:putEvents", {"Entries": {}}, "STRICT", "Field 'Entries' must be an array"),
        (
            "arn:aws:states:::events:putEvents",
            {"Entries": [{}, {"EventId": 1}]},
            "STRICT",
            "Field 'EventId' must be a string",
        ),
        (
            "arn:aws:states:::states:startExecution",
            {"executionArn": "x"},
            "STRICT",
            "Required field 'ExecutionArn' is missing",
        ),
        ("arn:aws:states:::lambda:invoke", {"StatusCode": "200"}, "PRESENT", "Field 'StatusCode' must be a number"),
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            {"StorageClass": "COLD"},
            "STRICT",
            "Field 'StorageClass' is not an expected value",
        ),
        (
            "arn:aws:states:::aws-sdk:kms:encrypt",
            {"CiphertextBlob": ""},
            "STRICT",
            "Field 'CiphertextBlob' is smaller than the minimum length",
        ),
        (
            "arn:aws:states:::aws-sdk:lambda:getFunction",
            {"Configuration": {"MemorySize": 1}},
            "STRICT",
            "Field 'MemorySize' is less than the minimum value",
        ),
    ],
)
def test_mock_results_are_checked_against_the_api_model(
    sfn: Any, resource: str, result: Any, mode: str, message: str
) -> None:
    state = {"Type": "Task", "Resource": resource, "End": True}
    mock = {"result": json.dumps(result), "fieldValidationMode": mode}
    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.test_state(definition=json.dumps(state), mock=mock)
    assert caught.value.response["Error"]["Message"] == "Mock result schema validation error: " + message


@pytest.mark.requires_api("stepfunctions", "TestState", "mock")
def test_looser_field_validation_modes_let_a_result_through(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "End": True}
    partial = {"result": '{"StartDate": "2024-01-01T00:00:00Z"}', "fieldValidationMode": "PRESENT"}
    assert sfn.test_state(definition=json.dumps(state), mock=partial)["status"] == "SUCCEEDED"
    wrong = {"result": '{"ExecutionArn": 7}', "fieldValidationMode": "NONE"}
    assert json.loads(sfn.test_state(definition=json.dumps(state), mock=wrong)["output"]) == {"ExecutionArn": 7}
    # Fields the API does not have are not checked (recorded).
    extra = {"result": '{"random": "json"}'}
    lambda_task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    assert sfn.test_state(definition=json.dumps(lambda_task), mock=extra)["status"] == "SUCCEEDED"


@pytest.mark.requires_api("stepfunctions", "TestState", "mock", "stateConfiguration")
def test_a_spent_retrier_hands_the_error_to_the_catchers(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Retry": [{"ErrorEquals": ["MockException"], "MaxAttempts": 5, "IntervalSeconds": 1, "BackoffRate": 2}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
        "End": True,
    }
    failure = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}
    below = trace(sfn, state, VALUES, mock=failure, stateConfiguration={"retrierRetryCount": 4})
    assert below["status"] == "RETRIABLE"
    assert below["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 16}
    spent = trace(sfn, state, VALUES, mock=failure, stateConfiguration={"retrierRetryCount": 5})
    assert (spent["status"], spent["nextState"], spent["inspectionData"]["errorDetails"]) == (
        "CAUGHT_ERROR",
        "Handle",
        {"catchIndex": 0},
    )
