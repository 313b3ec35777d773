"""JSONata states: expressions in every field AWS allows, $states per phase, AWS's functions, errors."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from pytest_awsmsg.core.cloud import Cloud
from pytest_awsmsg.services.stepfunctions import TaskFailure

from .conftest import ROLE, Runner, events


def jsonata(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


@pytest.mark.requires_api("stepfunctions", "TestState", "variables")  # came with assignedVariables in the model
def test_output_and_assign_read_states_input_and_variables(run: Runner, sfn: Any) -> None:
    described = run(
        jsonata(
            {
                "Store": {
                    "Type": "Pass",
                    "Assign": {"product": "{% $states.input.order.product %}", "count": 2},
                    "Output": {"id": "{% $states.input.order.id %}"},
                    "Next": "Use",
                },
                "Use": {
                    "Type": "Pass",
                    "Output": "{% {'id': $states.input.id, 'line': $product & ' x ' & $string($count)} %}",
                    "End": True,
                },
            }
        ),
        {"order": {"id": 7, "product": "tea"}},
    )
    assert described["out"] == {"id": 7, "line": "tea x 2"}
    exited = [
        e["stateExitedEventDetails"] for e in events(sfn, described["executionArn"]) if "stateExitedEventDetails" in e
    ]
    assert exited[0]["assignedVariables"] == {"product": '"tea"', "count": "2"}


def test_task_arguments_and_result(run: Runner, aws: Cloud) -> None:
    aws.stepfunctions.mock_task("Price", {"Payload": {"current_price": 12.5}})
    described = run(
        jsonata(
            {
                "Price": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "price", "Payload": {"product": "{% $states.input.product %}"}},
                    "Assign": {"price": "{% $states.result.Payload.current_price %}"},
                    "Output": "{% $states.result.Payload %}",
                    "Next": "Total",
                },
                "Total": {"Type": "Pass", "Output": "{% $price * $states.input.current_price %}", "End": True},
            }
        ),
        {"product": "tea"},
    )
    assert described["out"] == 156.25


def test_choice_conditions_with_rule_output(run: Runner) -> None:
    machine = jsonata(
        {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.age >= 18 %}", "Next": "Done", "Output": {"adult": True}},
                ],
                "Default": "Done",
                "Output": {"adult": False},
            },
            "Done": {"Type": "Succeed"},
        }
    )
    assert run(machine, {"age": 30})["out"] == {"adult": True}
    assert run(machine, {"age": 3})["out"] == {"adult": False}


def test_a_condition_that_is_not_boolean_is_a_query_evaluation_error(run: Runner) -> None:
    described = run(
        jsonata(
            {
                "Route": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $states.input.age %}", "Next": "Done"}],
                },
                "Done": {"Type": "Succeed"},
            }
        ),
        {"age": 3},
    )
    assert described["status"] == "FAILED"
    assert described["error"] == "States.QueryEvaluationError"


def test_map_items_and_item_selector(run: Runner) -> None:
    described = run(
        jsonata(
            {
                "Each": {
                    "Type": "Map",
                    "Items": "{% $states.input.numbers %}",
                    "ItemSelector": {
                        "value": "{% $states.context.Map.Item.Value %}",
                        "index": "{% $states.context.Map.Item.Index %}",
                    },
                    "ItemProcessor": {
                        "StartAt": "Double",
                        "States": {
                            "Double": {
                                "Type": "Pass",
                                "Output": "{% $states.input.value * 2 + $states.input.index %}",
                                "End": True,
                            }
                        },
                    },
                    "Output": "{% $sum($states.result) %}",
                    "End": True,
                },
            }
        ),
        {"numbers": [1, 2, 3]},
    )
    assert described["out"] == (2 + 0) + (4 + 1) + (6 + 2)


def test_parallel_arguments_and_result(run: Runner) -> None:
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $states.input.n + 1 %}", "End": True}}}
    described = run(
        jsonata(
            {
                "Both": {
                    "Type": "Parallel",
                    "Arguments": {"n": "{% $states.input.start %}"},
                    "Branches": [branch, branch],
                    "Output": "{% $states.result %}",
                    "End": True,
                }
            }
        ),
        {"start": 41},
    )
    assert described["out"] == [42, 42]


@pytest.mark.aws(freeze=True)  # virtual time only: real time must not leak into it
def test_wait_seconds_expression(run: Runner, aws: Cloud) -> None:
    described = run(
        jsonata(
            {
                "Nap": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "Done"},
                "Done": {"Type": "Succeed"},
            }
        ),
        {"delay": 60},
    )
    assert described["status"] == "RUNNING"
    aws.clock.advance(59)
    assert aws.stepfunctions.execution(described["executionArn"]).status == "RUNNING"
    aws.clock.advance(1)
    assert aws.stepfunctions.execution(described["executionArn"]).status == "SUCCEEDED"


def test_catch_output_reads_error_output(run: Runner, aws: Cloud) -> None:
    aws.stepfunctions.mock_task("Call", TaskFailure("Boom", "it broke"))
    described = run(
        jsonata(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "f"},
                    "Catch": [
                        {
                            "ErrorEquals": ["States.ALL"],
                            "Output": {"why": "{% $states.errorOutput.Cause %}", "in": "{% $states.input %}"},
                            "Assign": {"error": "{% $states.errorOutput.Error %}"},
                            "Next": "After",
                        }
                    ],
                    "End": True,
                },
                "After": {"Type": "Pass", "Output": "{% $merge([$states.input, {'error': $error}]) %}", "End": True},
            }
        ),
        {"a": 1},
    )
    assert described["out"] == {"why": "it broke", "in": {"a": 1}, "error": "Boom"}


def test_fail_error_and_cause_expressions(run: Runner) -> None:
    described = run(
        jsonata(
            {"Stop": {"Type": "Fail", "Error": "{% 'Bad' & $states.input.kind %}", "Cause": "{% $states.input.why %}"}}
        ),
        {"kind": "Input", "why": "no"},
    )
    assert (described["error"], described["cause"]) == ("BadInput", "no")


def test_aws_added_functions(run: Runner) -> None:
    described = run(
        jsonata(
            {
                "F": {
                    "Type": "Pass",
                    "Output": {
                        "partition": "{% $partition([1, 2, 3, 4, 5, 6, 7, 8, 9], 3) %}",
                        "range": "{% $range(0, 10, 2) %}",
                        "hash": "{% $hash('input data', 'SHA-256') %}",
                        "parse": "{% $parse('{\"a\": [1, 2]}') %}",
                        "seeded": "{% $random(7) = $random(7) %}",
                        "random": "{% $random() < 1 %}",
                        "uuid": "{% $length($uuid()) %}",
                    },
                    "End": True,
                }
            }
        )
    )
    out = described["out"]
    assert out["partition"] == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert out["range"] == [0, 2, 4, 6, 8, 10]
    assert out["hash"] == hashlib.sha256(b"input data").hexdigest()
    assert out["parse"] == {"a": [1, 2]}
    assert out["seeded"] is True
    assert out["random"] is True
    assert out["uuid"] == 36


def test_eval_is_removed(run: Runner) -> None:
    described = run(jsonata({"F": {"Type": "Pass", "Output": "{% $eval('1 + 1') %}", "End": True}}))
    assert described["error"] == "States.QueryEvaluationError"


def test_an_undefined_result_is_a_query_evaluation_error(run: Runner) -> None:
    described = run(jsonata({"F": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}}))
    assert described["status"] == "FAILED"
    assert described["error"] == "States.QueryEvaluationError"
    assert "returned nothing" in described["cause"]


def test_a_jsonata_state_in_a_jsonpath_machine(run: Runner) -> None:
    described = run(
        {
            "StartAt": "Old",
            "States": {
                "Old": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Assign": {"seen.$": "$.n"}, "Next": "New"},
                "New": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% $states.input.n + $seen %}",
                    "End": True,
                },
            },
        },
        {"n": 4},
    )
    assert described["out"] == 8


def test_now_is_the_clocks(run: Runner, aws: Cloud) -> None:
    aws.clock.freeze("2024-05-06T07:08:09Z")
    described = run(jsonata({"F": {"Type": "Pass", "Output": "{% [$now(), $millis()] %}", "End": True}}))
    assert described["out"] == ["2024-05-06T07:08:09.000Z", 1714979289000]


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            jsonata({"S": {"Type": "Pass", "Parameters": {"a": 1}, "End": True}}),
            'The field "Parameters" is not supported for the JSONata query language',
        ),
        (
            {"StartAt": "S", "States": {"S": {"Type": "Pass", "Output": {"a": 1}, "End": True}}},
            'The field "Output" is not supported for the JSONPath query language',
        ),
        (
            jsonata({"S": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}),
            "cannot use the JSONPath query language",
        ),
        (jsonata({"S": {"Type": "Pass", "Output": "{% $states.input. %}", "End": True}}), "is not valid"),
        (
            {"QueryLanguage": "XPath", "StartAt": "S", "States": {"S": {"Type": "Succeed"}}},
            "must be JSONPath or JSONata",
        ),
        (
            jsonata({"C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "C"}]}}),
            'The field "Condition" is required',
        ),
    ],
)
def test_jsonata_mistakes_are_refused_at_creation(sfn: Any, definition: Any, message: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name="bad", definition=json.dumps(definition), roleArn=ROLE)
    assert message in caught.value.response["Error"]["Message"]


@pytest.mark.aws(freeze=True)  # virtual time only: real time must not leak into it
def test_timeout_seconds_expression(sfn: Any, run: Runner, aws: Cloud) -> None:
    activity = sfn.create_activity(name="slow")["activityArn"]
    described = run(
        jsonata(
            {
                "Work": {
                    "Type": "Task",
                    "Resource": activity,
                    "TimeoutSeconds": "{% $states.input.limit %}",
                    "End": True,
                }
            }
        ),
        {"limit": 30},
    )
    arn = described["executionArn"]
    aws.clock.advance(29)
    assert aws.stepfunctions.execution(arn).status == "RUNNING"
    aws.clock.advance(1)
    assert sfn.describe_execution(executionArn=arn)["error"] == "States.Timeout"


def test_a_timeout_that_is_not_a_positive_integer_fails_the_state(sfn: Any, run: Runner) -> None:
    activity = sfn.create_activity(name="slow")["activityArn"]
    described = run(
        jsonata({"Work": {"Type": "Task", "Resource": activity, "TimeoutSeconds": "{% 'soon' %}", "End": True}})
    )
    assert described["error"] == "States.QueryEvaluationError"


@pytest.mark.aws(freeze=True)  # virtual time only: real time must not leak into it
def test_wait_timestamp_expression(run: Runner, aws: Cloud) -> None:
    aws.clock.freeze("2030-01-01T00:00:00Z")
    described = run(
        jsonata(
            {
                "Until": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "Next": "Done"},
                "Done": {"Type": "Succeed"},
            }
        ),
        {"at": "2030-01-01T01:00:00Z"},
    )
    aws.clock.advance(3599)
    assert aws.stepfunctions.execution(described["executionArn"]).status == "RUNNING"
    aws.clock.advance(1)
    assert aws.stepfunctions.execution(described["executionArn"]).status == "SUCCEEDED"


def test_a_distributed_map_runs_its_children_in_jsonata(run: Runner) -> None:
    described = run(
        jsonata(
            {
                "Each": {
                    "Type": "Map",
                    "Items": "{% $states.input.n %}",
                    "MaxConcurrency": "{% $count($states.input.n) %}",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "Square",
                        "States": {
                            "Square": {"Type": "Pass", "Output": "{% $states.input * $states.input %}", "End": True}
                        },
                    },
                    "End": True,
                }
            }
        ),
        {"n": [1, 2, 3]},
    )
    assert described["out"] == [1, 4, 9]
