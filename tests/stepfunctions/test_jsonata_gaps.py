"""JSONata beyond the basics: the EvaluationFailed history event, ItemBatcher expressions on JSONata Maps."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg.core.cloud import Cloud

from .conftest import ROLE, Runner, events


def jsonata(states: dict[str, Any]) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}


def test_an_unhandled_expression_failure_records_evaluation_failed(run: Runner, sfn: Any) -> None:
    described = run(jsonata({"Price": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}}))
    assert (described["status"], described["error"]) == ("FAILED", "States.QueryEvaluationError")
    history = events(sfn, described["executionArn"])
    assert [e["type"] for e in history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    failed = history[2]
    assert failed["previousEventId"] == 2
    details = failed.get("evaluationFailedEventDetails")
    if details is not None:  # botocore models it since JSONata came (the oldest supported one drops it)
        assert details == {
            "error": "States.QueryEvaluationError",
            "cause": "The JSONata expression '$states.input.missing' specified for the field 'Output' returned "
            "nothing (undefined).",
            "location": "Output",
            "state": "Price",
        }
        assert history[3]["executionFailedEventDetails"]["cause"] == details["cause"]


def test_a_caught_expression_failure_records_none(run: Runner, sfn: Any, aws: Cloud) -> None:
    aws.stepfunctions.mock_task("Call", {"ok": True})
    definition = jsonata(
        {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Arguments": {"Key": "{% $states.input.key.id %}"},
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Recover"}],
                "End": True,
            },
            "Recover": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": True},
        }
    )
    described = run(definition, {})
    assert (described["status"], described["out"]) == ("SUCCEEDED", "States.QueryEvaluationError")
    assert "EvaluationFailed" not in [e["type"] for e in events(sfn, described["executionArn"])]


def test_a_failing_iteration_records_it_once_for_its_own_state(run: Runner, sfn: Any) -> None:
    definition = jsonata(
        {
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.items %}",
                "ItemProcessor": {
                    "StartAt": "Half",
                    "States": {"Half": {"Type": "Pass", "Output": "{% $states.input.n / 2 %}", "End": True}},
                },
                "End": True,
            }
        }
    )
    described = run(definition, {"items": [{"n": 4}, {"m": 1}]})
    assert described["status"] == "FAILED"
    failed = [e for e in events(sfn, described["executionArn"]) if e["type"] == "EvaluationFailed"]
    assert len(failed) == 1
    if "evaluationFailedEventDetails" in failed[0]:
        assert failed[0]["evaluationFailedEventDetails"]["state"] == "Half"


def batching(batcher: dict[str, Any]) -> dict[str, Any]:
    return jsonata(
        {
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.orders %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Ship",
                    "States": {"Ship": {"Type": "Pass", "End": True}},
                },
                "ItemBatcher": batcher,
                "End": True,
            }
        }
    )


def test_item_batcher_expressions_on_a_jsonata_map(run: Runner, aws: Cloud) -> None:
    batcher = {
        "MaxItemsPerBatch": "{% $states.input.size %}",
        "BatchInput": {"carrier": "{% $states.input.carrier %}", "fixed": 1},
    }
    described = run(batching(batcher), {"orders": [1, 2, 3], "size": 2, "carrier": "ups"})
    assert aws.stepfunctions.wait_for(described["executionArn"]).output == [
        {"Items": [1, 2], "BatchInput": {"carrier": "ups", "fixed": 1}},
        {"Items": [3], "BatchInput": {"carrier": "ups", "fixed": 1}},
    ]


@pytest.mark.parametrize("size", ['"two"', "0"])
def test_a_batch_size_that_is_not_a_positive_integer_fails_the_map(run: Runner, sfn: Any, size: str) -> None:
    described = run(batching({"MaxItemsPerBatch": "{% " + size + " %}"}), {"orders": [1]})
    assert (described["status"], described["error"]) == ("FAILED", "States.QueryEvaluationError")
    (failed,) = [e for e in events(sfn, described["executionArn"]) if e["type"] == "EvaluationFailed"]
    if "evaluationFailedEventDetails" in failed:
        assert failed["evaluationFailedEventDetails"]["location"] == "MaxItemsPerBatch"


def test_an_item_batcher_expression_that_does_not_parse_is_refused(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition, match="ItemBatcher"):
        sfn.create_state_machine(
            name="bad", definition=json.dumps(batching({"BatchInput": "{% $states.input. %}"})), roleArn=ROLE
        )


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("$string(1e20)", "100000000000000000000"),
        ("'n=' & 12345678901234567", "n=12345678901234568"),
        ("$string({'a': 0.1 + 0.2, 'b': 1e21})", '{"a":0.3,"b":1e+21}'),
        ("$string(0.0000001)", "1e-7"),
        ("'[' & $string($count) & ']'", "[]"),
    ],
)
def test_numbers_become_text_as_the_reference_jsonata_writes_them(run: Runner, expression: str, text: str) -> None:
    # Found by benchmarks/differential/jsonata_oracle.py: jsonata-python wrote 1e+20 and 12345678901234600.
    described = run(jsonata({"Show": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}))
    assert described["out"] == text


def test_a_function_as_a_result_is_an_evaluation_error(run: Runner) -> None:
    described = run(jsonata({"Show": {"Type": "Pass", "Output": {"f": "{% function($x) {$x} %}"}, "End": True}}))
    assert (described["status"], described["error"]) == ("FAILED", "States.QueryEvaluationError")
    assert "returned an unsupported result type" in described["cause"]
