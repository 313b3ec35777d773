"""Workflow variables in JSONPath machines: Assign, ``$name`` references, scoping, limits, history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg.core.cloud import Cloud
from pytest_awsmsg.services.stepfunctions import TaskFailure

from .conftest import ROLE, MachineFactory, Runner, events, single


def exited(sfn: Any, arn: str) -> dict[str, dict[str, Any]]:
    """Each state's (last) *StateExited details, by state name."""
    return {
        e["stateExitedEventDetails"]["name"]: e["stateExitedEventDetails"]
        for e in events(sfn, arn)
        if "stateExitedEventDetails" in e
    }


@pytest.mark.requires_api("stepfunctions", "TestState", "variables")  # came with assignedVariables in the model
def test_aws_documented_assign_example_is_read_in_later_states(run: Runner, sfn: Any) -> None:
    # The Assign block of AWS's "Passing data between states with variables" page, as written.
    described = run(
        {
            "StartAt": "Store",
            "States": {
                "Store": {
                    "Type": "Pass",
                    "Assign": {"productName": "product1", "count": 42, "available": True},
                    "Next": "Use",
                },
                "Use": {
                    "Type": "Pass",
                    "Parameters": {
                        "name.$": "$productName",
                        "count.$": "$count",
                        "text.$": "States.Format('{} x {}', $productName, $count)",
                        "available.$": "$available",
                    },
                    "End": True,
                },
            },
        }
    )
    assert described["out"] == {"name": "product1", "count": 42, "text": "product1 x 42", "available": True}
    details = exited(sfn, described["executionArn"])
    assert details["Store"]["assignedVariables"] == {"productName": '"product1"', "count": "42", "available": "true"}
    assert details["Store"]["assignedVariablesDetails"] == {"truncated": False}
    assert "assignedVariables" not in details["Use"]


def test_assign_reads_the_values_from_state_entry_and_output_does_not_see_it(run: Runner) -> None:
    described = run(
        {
            "StartAt": "One",
            "States": {
                "One": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Two"},
                "Two": {
                    "Type": "Pass",
                    "Parameters": {"seen.$": "$x"},
                    # Both reads of $x in this state see 1, not the 2 it assigns.
                    "Assign": {"x": 2, "previous.$": "$x", "fromResult.$": "$.seen"},
                    "Next": "Three",
                },
                "Three": {
                    "Type": "Pass",
                    "Parameters": {"x.$": "$x", "previous.$": "$previous", "fromResult.$": "$fromResult", "in.$": "$"},
                    "End": True,
                },
            },
        }
    )
    assert described["out"] == {"x": 2, "previous": 1, "fromResult": 1, "in": {"seen": 1}}


def test_paths_read_variables(run: Runner, aws: Cloud) -> None:
    described = run(
        {
            "StartAt": "Set",
            "States": {
                "Set": {
                    "Type": "Pass",
                    "Assign": {"config": {"delay": 30, "items": [1, 2, 3], "when": "2030-01-01T00:00:00Z"}},
                    "Next": "Wait",
                },
                "Wait": {"Type": "Wait", "SecondsPath": "$config.delay", "Next": "Choose"},
                "Choose": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$config.delay", "NumericEqualsPath": "$config.items[2]", "Next": "No"}],
                    "Default": "Pick",
                },
                "No": {"Type": "Fail", "Error": "Wrong"},
                "Pick": {"Type": "Pass", "InputPath": "$config.items", "OutputPath": "$[1]", "End": True},
            },
        }
    )
    assert described["status"] == "RUNNING"  # waiting $config.delay seconds of virtual time
    done = aws.stepfunctions.wait_for(described["executionArn"])
    assert done.status == "SUCCEEDED"
    assert done.output == 2


@pytest.mark.requires_api("stepfunctions", "TestState", "variables")  # came with assignedVariables in the model
def test_task_assign_reads_the_result_after_result_selector(run: Runner, aws: Cloud, sfn: Any) -> None:
    aws.stepfunctions.mock_task("Call", {"Payload": {"price": 12, "noise": "x"}})
    described = run(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:getItem",
                    "ResultSelector": {"price.$": "$.Payload.price"},
                    "Assign": {"price.$": "$.price"},
                    "ResultPath": "$.call",
                    "Next": "Show",
                },
                "Show": {"Type": "Pass", "Parameters": {"price.$": "$price", "input.$": "$"}, "End": True},
            },
        },
        {"order": 1},
    )
    assert described["out"] == {"price": 12, "input": {"order": 1, "call": {"price": 12}}}
    assert exited(sfn, described["executionArn"])["Call"]["assignedVariables"] == {"price": "12"}


def test_choice_rule_assign_and_default_assign(run: Runner) -> None:
    def machine(value: int) -> dict[str, Any]:
        return {
            "StartAt": "Choose",
            "States": {
                "Choose": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.n", "NumericGreaterThan": 10, "Assign": {"size": "big"}, "Next": "Show"}
                    ],
                    "Default": "Show",
                    "Assign": {"size": "small", "n.$": "$.n"},
                },
                "Show": {"Type": "Pass", "Parameters": {"size.$": "$size"}, "End": True},
            },
        }

    assert run(machine(50), {"n": 50})["out"] == {"size": "big"}
    assert run(machine(5), {"n": 5})["out"] == {"size": "small"}


def test_catcher_assign_reads_the_error_output(run: Runner, aws: Cloud) -> None:
    aws.stepfunctions.mock_task("Call", TaskFailure("Boom", "it broke"))
    described = run(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Assign": {"never": True},
                    "Catch": [
                        {"ErrorEquals": ["Boom"], "Assign": {"why.$": "$.Cause"}, "ResultPath": None, "Next": "Show"}
                    ],
                    "Next": "Show",
                },
                "Show": {
                    "Type": "Pass",
                    "Parameters": {"why.$": "$why", "vars.$": "States.JsonToString($$.State.Name)"},
                    "End": True,
                },
            },
        }
    )
    assert described["out"] == {"why": "it broke", "vars": '"Show"'}


def test_branches_and_iterations_read_outer_variables_and_keep_their_own(run: Runner) -> None:
    branch = {
        "StartAt": "Inner",
        "States": {
            "Inner": {"Type": "Pass", "Assign": {"local.$": "$"}, "Next": "Read"},
            "Read": {"Type": "Pass", "Parameters": {"outer.$": "$outer", "local.$": "$local"}, "End": True},
        },
    }
    described = run(
        {
            "StartAt": "Set",
            "States": {
                "Set": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "Both"},
                "Both": {"Type": "Parallel", "Branches": [branch, branch], "Next": "Each"},
                "Each": {
                    "Type": "Map",
                    "ItemSelector": {"item.$": "$$.Map.Item.Value", "tag.$": "$outer"},
                    "ItemProcessor": branch,
                    "End": True,
                },
            },
        },
        {"a": 1},
    )
    assert described["out"] == [
        {"outer": "o", "local": {"item": {"outer": "o", "local": {"a": 1}}, "tag": "o"}},
        {"outer": "o", "local": {"item": {"outer": "o", "local": {"a": 1}}, "tag": "o"}},
    ]


def test_a_branch_variable_ends_with_its_branch(run: Runner) -> None:
    branch = {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Assign": {"local": 1}, "End": True}}}
    described = run(
        {
            "StartAt": "Both",
            "States": {
                "Both": {"Type": "Parallel", "Branches": [branch], "Next": "Read"},
                "Read": {"Type": "Pass", "Parameters": {"local.$": "$local"}, "End": True},
            },
        }
    )
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert "'$local'" in described["cause"]


def test_an_unassigned_variable_is_a_runtime_error(run: Runner) -> None:
    described = run(single({"Type": "Pass", "Parameters": {"x.$": "$missing.a"}}))
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert described["cause"].startswith("An error occurred while executing the state 'S'")
    assert "$missing.a" in described["cause"]


def test_a_variable_over_256_kib_fails_the_state(run: Runner, sfn: Any) -> None:
    # An execution's input is at most 256 KiB itself: the variable doubles it.
    machine = single({"Type": "Pass", "Assign": {"big.$": "States.Array($.v, $.v)"}})
    described = run(machine, {"v": "x" * (120 * 1024)})
    assert described["status"] == "SUCCEEDED"
    described = run(machine, {"v": "x" * (130 * 1024)})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.DataLimitExceeded"
    assert "'big'" in described["cause"]


def test_one_assign_over_256_kib_in_total_fails_the_state(run: Runner) -> None:
    half = "x" * (130 * 1024)
    described = run(single({"Type": "Pass", "Assign": {"a.$": "$.v", "b.$": "$.v"}}), {"v": half})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.DataLimitExceeded"


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (single({"Type": "Pass", "Assign": {"states": 1}}), 'The variable name "states" is reserved'),
        (single({"Type": "Pass", "Assign": {"a-b": 1}}), 'The variable name "a-b" is not valid'),
        (single({"Type": "Pass", "Assign": [1]}), 'The value for the field "Assign" must be an OBJECT'),
        (single({"Type": "Pass", "ResultPath": "$x"}), '"ResultPath" must be a valid ReferencePath'),
        (single({"Type": "Pass", "Assign": {"x.$": "$x["}}), "valid JSONPath"),
        (single({"Type": "Succeed", "Assign": {"x": 1}}), 'The field "Assign" is not supported by Step Functions'),
        (
            {
                "StartAt": "Set",
                "States": {
                    "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "P"},
                    "P": {
                        "Type": "Parallel",
                        "End": True,
                        "Branches": [
                            {"StartAt": "In", "States": {"In": {"Type": "Pass", "Assign": {"x": 2}, "End": True}}}
                        ],
                    },
                },
            },
            'The variable "x" is assigned in an outer scope',
        ),
    ],
)
def test_variable_mistakes_are_refused_at_creation(sfn: Any, definition: Any, message: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name="bad", definition=json.dumps(definition), roleArn=ROLE)
    assert message in caught.value.response["Error"]["Message"]


def test_a_distributed_map_may_reuse_an_outer_name(make_machine: MachineFactory) -> None:
    # Its iterations are child executions that cannot see the outer variables at all.
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "In",
        "States": {"In": {"Type": "Pass", "Assign": {"x": 2}, "End": True}},
    }
    make_machine(
        {
            "StartAt": "Set",
            "States": {
                "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "M"},
                "M": {"Type": "Map", "ItemProcessor": processor, "End": True},
            },
        }
    )
