"""State machines: create, describe, list, update, delete, tags, and definition validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import ROLE, MachineFactory, single

PASS = single({"Type": "Pass"})
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_create_describe_list_delete(sfn: Any, make_machine: MachineFactory) -> None:
    arn = make_machine(PASS, name="orders")
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:orders"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == "orders"
    assert json.loads(described["definition"]) == PASS
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    assert described["roleArn"] == ROLE
    assert described["loggingConfiguration"]["level"] == "OFF"
    listed = sfn.list_state_machines()["stateMachines"]
    assert [m["name"] for m in listed] == ["orders"]
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist, match="State Machine Does Not Exist"):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_create_is_idempotent_but_refuses_a_different_definition(sfn: Any, make_machine: MachineFactory) -> None:
    first = make_machine(PASS, name="same")
    assert make_machine(PASS, name="same") == first
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        make_machine(single({"Type": "Succeed"}), name="same")


@pytest.mark.parametrize("name", ["has space", "a/b", "star*", "semi;colon", "tab\there"])
def test_invalid_names(sfn: Any, name: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidName, match="Invalid Name"):
        sfn.create_state_machine(name=name, definition=json.dumps(PASS), roleArn=ROLE)


def test_list_state_machines_paginates(sfn: Any, make_machine: MachineFactory) -> None:
    for i in range(5):
        make_machine(PASS, name=f"m{i}")
    pages = sfn.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 2})
    names = [m["name"] for page in pages for m in page["stateMachines"]]
    assert names == ["m0", "m1", "m2", "m3", "m4"]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_state_machines(nextToken="garbage")


def test_update_changes_definition_and_revision(sfn: Any, make_machine: MachineFactory) -> None:
    arn = make_machine(PASS)
    # AWS shows a revisionId only once an update made one.
    assert "revisionId" not in sfn.describe_state_machine(stateMachineArn=arn)
    new = single({"Type": "Succeed"})
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(new))
    assert sfn.describe_state_machine(stateMachineArn=arn)["revisionId"] == updated["revisionId"]
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == new
    again = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(PASS))
    assert again["revisionId"] != updated["revisionId"]
    with pytest.raises(sfn.exceptions.MissingRequiredParameter):
        sfn.update_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.update_state_machine(stateMachineArn=arn, definition="{")


def test_tags(sfn: Any, make_machine: MachineFactory) -> None:
    arn = make_machine(PASS, tags=[{"key": "team", "value": "orders"}])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_tags_for_resource(resourceArn=arn + "nope")
    with pytest.raises(sfn.exceptions.TooManyTags):
        sfn.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])


def invalid(sfn: Any, definition: Any) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name="bad", definition=text, roleArn=ROLE)
    return str(caught.value.response["Error"]["Message"])


def test_missing_target_and_unreachable_state_as_aws_words_them(sfn: Any) -> None:
    message = invalid(
        sfn,
        {
            "StartAt": "pass1",
            "States": {"pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": True}},
        },
    )
    assert message == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at "
        '/States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2\''
    )


def test_no_terminal_state(sfn: Any) -> None:
    message = invalid(
        sfn, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}
    )
    assert "MISSING_END_STATE: Workflow has no terminal state" in message


DISTRIBUTED_PROCESSOR = {
    "ProcessorConfig": {"Mode": "DISTRIBUTED"},
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "End": True}},
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"ToleratedFailureCount": "x"}, '"ToleratedFailureCount" must be a non-negative integer'),
        ({"ItemBatcher": {"MaxItemsPerBatch": "x"}}, '"MaxItemsPerBatch" must be a positive integer'),
        ({"ItemBatcher": 5}, '"ItemBatcher" must be an object'),
        ({"ItemProcessor": {**DISTRIBUTED_PROCESSOR, "ProcessorConfig": "x"}}, '"ProcessorConfig" must be an object'),
    ],
)
def test_distributed_map_settings_are_checked_at_creation(sfn: Any, fields: dict[str, Any], expected: str) -> None:
    assert expected in invalid(sfn, single({"Type": "Map", "ItemProcessor": DISTRIBUTED_PROCESSOR, **fields}))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.a", "NumericEquals": "3"}, 'The value for the field "NumericEquals" must be a number'),
        ({"Variable": "$.a", "StringEquals": 3}, '"StringEquals" must be a string'),
        ({"Variable": "$.a", "BooleanEquals": "true"}, '"BooleanEquals" must be a boolean'),
        ({"Variable": "$.a", "TimestampLessThan": "yesterday"}, '"TimestampLessThan" must be an ISO 8601 timestamp'),
        ({"Variable": "$.a", "IsPresent": "yes"}, '"IsPresent" must be a boolean'),
        ({"And": []}, 'The field "And" must be a non-empty array at /States/C/Choices[0]/And'),
    ],
)
def test_choice_rules_are_checked_at_creation(sfn: Any, rule: dict[str, Any], expected: str) -> None:
    definition = {
        "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [{**rule, "Next": "E"}]}, "E": {"Type": "Succeed"}},
    }
    assert expected in invalid(sfn, definition)


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("{not json", "INVALID_JSON_DESCRIPTION"),
        ({"States": {"A": {"Type": "Succeed"}}}, 'The field "StartAt" is required but was missing'),
        ({"StartAt": "A", "States": {"A": {"Type": "Dance", "End": True}}}, '"Dance" is not a valid state type'),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, 'Exactly one of the fields "Next" or "End"'),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Colour": 1}}}, '"Colour" is not supported'),
        (single({"Type": "Pass", "InputPath": "nope"}), 'The value for the field "InputPath" must be a valid JSONPath'),
        (single({"Type": "Pass", "ResultPath": "$.a[*]"}), '"ResultPath" must be a valid ReferencePath'),
        (single({"Type": "Pass", "Parameters": {"x.$": "States.Nope(1)"}}), "valid intrinsic function"),
        (single({"Type": "Wait"}), "exactly one of Seconds, Timestamp"),
        (single({"Type": "Choice", "Choices": []}), '"Choices" must be a non-empty array'),
        (single({"Type": "Choice", "Choices": ["x"]}), "A choice rule must be an object at /States/S/Choices[0]"),
        (
            single({"Type": "Task", "Resource": LAMBDA_ARN, "Retry": [{"ErrorEquals": ["X"], "BackoffRate": True}]}),
            '"BackoffRate" must be at least 1.0',
        ),
        (single({"Type": "Parallel", "Branches": []}), '"Branches" must be a non-empty array at /States/S/Branches'),
        (single({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem"}), "mock_task('S', ...)"),
        (single({"Type": "Pass", "Assign": {"1x": 1}}), 'The variable name "1x" is not valid at /States/S/Assign'),
        (
            single({"Type": "Task", "Resource": LAMBDA_ARN, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}),
            '"States.ALL" must appear alone',
        ),
        (
            single(
                {
                    "Type": "Task",
                    "Resource": LAMBDA_ARN,
                    "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}],
                }
            ),
            "in the last element",
        ),
        (single({"Type": "Task", "Resource": LAMBDA_ARN, "Catch": [{"ErrorEquals": [], "Next": "S"}]}), "non-empty"),
        (
            single({"Type": "Task", "Resource": LAMBDA_ARN, "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": "2"}]}),
            '"IntervalSeconds" must be a positive integer at /States/S/Retry[0]/IntervalSeconds',
        ),
        (
            single({"Type": "Task", "Resource": LAMBDA_ARN, "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]}),
            'The value for the field "MaxAttempts" must be a non-negative integer',
        ),
        (
            single({"Type": "Task", "Resource": LAMBDA_ARN, "Retry": [{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}]}),
            'The value for the field "MaxDelaySeconds" must be a positive integer',
        ),
        (single({"Type": "Fail", "CausePath": "States.Array($.a)"}), "may only use the intrinsic functions"),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "InputPath": "$.a", "End": True}},
            },
            'The field "InputPath" is not supported for the JSONata query language',
        ),
        (
            single(
                {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "TimeoutSeconds": 5,
                    "HeartbeatSeconds": 10,
                }
            ),
            "HeartbeatSeconds must be smaller",
        ),
    ],
)
def test_definition_mistakes_are_refused_at_creation(sfn: Any, definition: Any, expected: str) -> None:
    assert expected in invalid(sfn, definition)


def test_express_refuses_what_it_cannot_run(sfn: Any) -> None:
    definition = single({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken"})
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="Express state machines do not support"):
        sfn.create_state_machine(name="x", definition=json.dumps(definition), roleArn=ROLE, type="EXPRESS")


def test_a_mocked_task_may_name_a_resource_the_kit_does_not_fake(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_task("S", {"ok": True})
    definition = single({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem"})
    arn = sfn.create_state_machine(name="mocked", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["output"] == '{"ok":true}'


def test_a_mock_for_one_machine_admits_only_that_machine(aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_task("S", {"ok": True}, machine="mocked")
    definition = json.dumps(single({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem"}))
    arn = sfn.create_state_machine(name="mocked", definition=definition, roleArn=ROLE)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=definition)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["output"] == '{"ok":true}'
    with pytest.raises(sfn.exceptions.InvalidDefinition, match=r"mock_task\('S', \.\.\.\)"):
        sfn.create_state_machine(name="other", definition=definition, roleArn=ROLE)


@pytest.mark.requires_api("stepfunctions", "ValidateStateMachineDefinition")
def test_validate_state_machine_definition(sfn: Any) -> None:
    ok = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert ok["result"] == "OK"
    assert ok["diagnostics"] == []
    bad = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}})
    )
    assert bad["result"] == "FAIL"
    assert [(d["code"], d["message"], d.get("location")) for d in bad["diagnostics"]] == [
        ("MISSING_TRANSITION_TARGET", "Missing 'Next' target: NOPE", "/States/A/Next"),
        ("MISSING_END_STATE", "Workflow has no terminal state", None),
    ]
    truncated = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "NOPE"}}}), maxResults=1
    )
    assert truncated["truncated"] is True


def test_nested_scopes_are_validated(sfn: Any) -> None:
    branch = {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Outside"}}}
    message = invalid(
        sfn,
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Parallel", "Branches": [branch], "Next": "Outside"},
                "Outside": {"Type": "Succeed"},
            },
        },
    )
    assert "Missing 'Next' target: Outside at /States/P/Branches[0]/States/X/Next" in message


@pytest.mark.requires_api("stepfunctions", "CreateStateMachine", "encryptionConfiguration")
def test_logging_and_encryption_configuration_are_checked(sfn: Any, make_machine: MachineFactory) -> None:
    with pytest.raises(sfn.exceptions.InvalidLoggingConfiguration, match="exactly one Log Destination"):
        make_machine(PASS, loggingConfiguration={"level": "ALL"})
    with pytest.raises(sfn.exceptions.InvalidEncryptionConfiguration):
        make_machine(PASS, encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY"})
    logging = {
        "level": "ERROR",
        "includeExecutionData": True,
        "destinations": [
            {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}
        ],
    }
    arn = make_machine(PASS, loggingConfiguration=logging)
    assert sfn.describe_state_machine(stateMachineArn=arn)["loggingConfiguration"]["level"] == "ERROR"
