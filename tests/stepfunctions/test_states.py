"""Every state type, and input/output processing in AWS's order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import MachineFactory, Runner, events, single


def test_pass_result_result_path_and_output_path(run: Runner) -> None:
    state = {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.res", "OutputPath": "$.res"}
    assert run(single(state), {"keep": True})["out"] == {"x": 1}


def test_pass_result_path_null_keeps_the_input(run: Runner) -> None:
    assert run(single({"Type": "Pass", "Result": 5, "ResultPath": None}), {"a": 1})["out"] == {"a": 1}


def test_result_path_merges_into_the_raw_input_not_the_input_path(run: Runner) -> None:
    state = {"Type": "Pass", "InputPath": "$.inner", "ResultPath": "$.copied"}
    assert run(single(state), {"inner": {"v": 1}, "other": 2})["out"] == {
        "inner": {"v": 1},
        "other": 2,
        "copied": {"v": 1},
    }


def test_parameters_with_paths_context_and_intrinsics(run: Runner) -> None:
    state = {
        "Type": "Pass",
        "Parameters": {
            "static": "yes",
            "fromInput.$": "$.order.id",
            "stateName.$": "$$.State.Name",
            "execName.$": "$$.Execution.Name",
            "machine.$": "$$.StateMachine.Name",
            "greeting.$": "States.Format('Hello {}!', $.order.customer)",
            "nested": {"items.$": "$.order.items[*].sku", "list": [{"first.$": "$.order.items[0].sku"}]},
        },
    }
    out = run(single(state), {"order": {"id": 9, "customer": "Ada", "items": [{"sku": "a"}, {"sku": "b"}]}}, name="m")[
        "out"
    ]
    assert out["static"] == "yes"
    assert out["fromInput"] == 9
    assert out["stateName"] == "S"
    assert out["machine"] == "m"
    assert out["greeting"] == "Hello Ada!"
    assert out["nested"] == {"items": ["a", "b"], "list": [{"first": "a"}]}
    assert len(out["execName"]) == 36


def test_missing_parameter_path_fails_with_states_runtime(run: Runner) -> None:
    described = run(single({"Type": "Pass", "Parameters": {"x.$": "$.missing"}}), {"a": 1})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert "The JSONPath '$.missing' specified for the field 'x.$' could not be found" in described["cause"]


def test_missing_input_path_fails_with_states_runtime(run: Runner) -> None:
    described = run(single({"Type": "Pass", "InputPath": "$.nope"}), {})
    assert (described["error"], described["cause"]) == (
        "States.Runtime",
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        "Invalid path '$.nope' : No results for path: $['nope']",
    )


def test_succeed_and_fail(run: Runner) -> None:
    assert run(single({"Type": "Succeed", "OutputPath": "$.a"}), {"a": [1]})["out"] == [1]
    failed = run(single({"Type": "Fail", "Error": "Oops", "Cause": "it broke"}))
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Oops", "it broke")


def test_fail_error_path_and_cause_path(run: Runner) -> None:
    state = {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('code {}', $.code)"}
    failed = run(single(state), {"e": "Custom.Error", "code": 42})
    assert (failed["error"], failed["cause"]) == ("Custom.Error", "code 42")


def test_fail_history_has_no_exit_event(sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(single({"Type": "Fail", "Error": "E"})))["executionArn"]
    history = events(sfn, arn)
    assert [e["type"] for e in history] == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert history[-1]["executionFailedEventDetails"] == {"error": "E"}


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
@pytest.mark.parametrize(
    ("form", "data", "seconds"),
    [
        ({"Seconds": 30}, {}, 30),
        ({"SecondsPath": "$.delay"}, {"delay": 90}, 90),
        ({"Timestamp": "2030-01-01T00:10:00Z"}, {}, 600),
        ({"TimestampPath": "$.at"}, {"at": "2030-01-01T01:00:00+00:00"}, 3600),
    ],
)
def test_wait_forms(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, form: dict[str, Any], data: Any, seconds: int
) -> None:
    aws.clock.travel_to("2030-01-01T00:00:00Z")
    arn = sfn.start_execution(stateMachineArn=make_machine(single({"Type": "Wait", **form})), input=json.dumps(data))
    aws.clock.advance(seconds - 1)
    assert sfn.describe_execution(executionArn=arn["executionArn"])["status"] == "RUNNING"
    aws.clock.advance(1)
    assert sfn.describe_execution(executionArn=arn["executionArn"])["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("delay", "problem"),
    [
        ("soon", "cannot be parsed as a long value: $.d == soon"),
        (1.5, "cannot be parsed as a long value: $.d == 1.5"),
        (True, "cannot be parsed as a long value: $.d == true"),
        (-1, "references a negative value: $.d == -1"),
    ],
)
def test_wait_with_a_bad_seconds_path_fails(run: Runner, delay: Any, problem: str) -> None:
    failed = run(single({"Type": "Wait", "SecondsPath": "$.d"}), {"d": delay})
    assert (failed["status"], failed["error"]) == ("FAILED", "States.Runtime")
    assert failed["cause"] == (
        f"An error occurred while executing the state 'S' (entered at the event id #2). The SecondsPath parameter "
        f"{problem}"
    )


def test_wait_in_the_past_continues_at_once(run: Runner) -> None:
    assert run(single({"Type": "Wait", "Timestamp": "2001-01-01T00:00:00Z"}))["status"] == "SUCCEEDED"


CHOICES = [
    ({"StringEquals": "a"}, "a", True),
    ({"StringEquals": "a"}, 1, False),
    ({"StringLessThan": "b"}, "a", True),
    ({"StringGreaterThan": "b"}, "c", True),
    ({"StringLessThanEquals": "a"}, "a", True),
    ({"StringGreaterThanEquals": "b"}, "a", False),
    ({"StringMatches": "log-*.txt"}, "log-2024.txt", True),
    ({"StringMatches": "a\\*b"}, "a*b", True),
    ({"StringMatches": "a\\*b"}, "axb", False),
    ({"NumericEquals": 3}, 3.0, True),
    ({"NumericLessThan": 3}, 2, True),
    ({"NumericGreaterThan": 3}, 2, False),
    ({"NumericLessThanEquals": 3}, 3, True),
    ({"NumericGreaterThanEquals": 3}, 4, True),
    ({"NumericEquals": 1}, True, False),
    ({"BooleanEquals": True}, True, True),
    ({"BooleanEquals": False}, 0, False),
    ({"TimestampEquals": "2024-01-01T00:00:00Z"}, "2024-01-01T00:00:00+00:00", True),
    ({"TimestampLessThan": "2024-01-01T00:00:00Z"}, "2023-12-31T23:59:59Z", True),
    ({"TimestampGreaterThan": "2024-01-01T00:00:00Z"}, "2023-12-31T23:59:59Z", False),
    ({"TimestampLessThanEquals": "2024-01-01T00:00:00Z"}, "2024-01-01T00:00:00Z", True),
    ({"TimestampGreaterThanEquals": "2024-01-01T00:00:00Z"}, "not a time", False),
    ({"IsNull": True}, None, True),
    ({"IsNull": False}, 1, True),
    ({"IsNumeric": True}, 1.5, True),
    ({"IsNumeric": True}, "1", False),
    ({"IsString": True}, "x", True),
    ({"IsBoolean": True}, False, True),
    ({"IsTimestamp": True}, "2024-05-06T07:08:09.123Z", True),
    ({"IsTimestamp": True}, "2024-05-06", False),
    ({"StringEqualsPath": "$.other"}, "o", True),
    ({"NumericLessThanPath": "$.limit"}, 5, True),
    ({"BooleanEqualsPath": "$.flag"}, True, True),
    ({"TimestampLessThanPath": "$.deadline"}, "2024-01-01T00:00:00Z", True),
]


@pytest.mark.parametrize(("operator", "value", "matches"), CHOICES)
def test_choice_operators(run: Runner, operator: dict[str, Any], value: Any, matches: bool) -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", **operator, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": "yes", "End": True},
            "No": {"Type": "Pass", "Result": "no", "End": True},
        },
    }
    data = {"v": value, "other": "o", "limit": 10, "flag": True, "deadline": "2025-01-01T00:00:00Z"}
    assert run(definition, data)["out"] == ("yes" if matches else "no")


def test_choice_and_or_not_is_present(run: Runner) -> None:
    rule = {
        "And": [
            {"Variable": "$.a", "IsPresent": True},
            {"Or": [{"Variable": "$.b", "NumericGreaterThan": 10}, {"Not": {"Variable": "$.c", "IsPresent": True}}]},
        ],
        "Next": "Yes",
    }
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Yes": {"Type": "Succeed"},
            "No": {"Type": "Fail", "Error": "No"},
        },
    }
    assert run(definition, {"a": 1, "b": 1})["status"] == "SUCCEEDED"
    assert run(definition, {"a": 1, "b": 11, "c": 0})["status"] == "SUCCEEDED"
    assert run(definition, {"a": 1, "b": 1, "c": 0})["status"] == "FAILED"
    assert run(definition, {"b": 20})["status"] == "FAILED"


def test_choice_without_match_or_default_fails(run: Runner) -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", "StringEquals": "x", "Next": "End"}]},
            "End": {"Type": "Succeed"},
        },
    }
    failed = run(definition, {"v": "y"})
    assert (failed["error"], failed["cause"]) == ("States.NoChoiceMatched", "No Matches!")


def test_choice_on_a_missing_variable_is_a_runtime_error(run: Runner) -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.v", "StringEquals": "x", "Next": "E"}], "Default": "E"},
            "E": {"Type": "Succeed"},
        },
    }
    assert run(definition, {})["error"] == "States.Runtime"


def test_parallel_collects_branch_outputs_in_order(run: Runner, sfn: Any) -> None:
    branch = lambda result: {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": result, "End": True}}}  # noqa: E731
    state = {
        "Type": "Parallel",
        "Branches": [
            branch("one"),
            branch("two"),
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0, "End": True}}},
        ],
        "ResultSelector": {"first.$": "$[0]", "all.$": "$"},
    }
    described = run(single(state), {"in": 1})
    assert described["out"] == {"first": "one", "all": ["one", "two", {"in": 1}]}
    types = [e["type"] for e in events(sfn, described["executionArn"])]
    assert types[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_branch_failure_fails_the_state_and_stops_other_branches(aws: Cloud, run: Runner) -> None:
    state = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 60, "End": True}}},
            {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Branch.Broke", "Cause": "b"}}},
        ],
    }
    described = run(single(state))
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Branch.Broke", "b")
    assert aws.clock.pending == []


def test_map_inline_with_item_selector_and_max_concurrency(aws: Cloud, sfn: Any, run: Runner) -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$.orders",
        "MaxConcurrency": 2,
        "ItemSelector": {"order.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "shop.$": "$.shop"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Wait",
            "States": {
                "Wait": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
                "Done": {
                    "Type": "Pass",
                    "Parameters": {"id.$": "$.order.id", "i.$": "$.index", "s.$": "$.shop"},
                    "End": True,
                },
            },
        },
        "ResultPath": "$.results",
    }
    described = run(single(state), {"shop": "x", "orders": [{"id": 1}, {"id": 2}, {"id": 3}]})
    assert described["status"] == "RUNNING"
    aws.clock.advance(10)
    arn = described["executionArn"]
    # Two run at once: the third starts only when a slot frees up.
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    aws.clock.advance(10)
    out = json.loads(sfn.describe_execution(executionArn=arn)["output"])
    assert out["results"] == [{"id": 1, "i": 0, "s": "x"}, {"id": 2, "i": 1, "s": "x"}, {"id": 3, "i": 2, "s": "x"}]
    history = events(sfn, arn)
    started = [e for e in history if e["type"] == "MapIterationStarted"]
    assert [e["mapIterationStartedEventDetails"] for e in started] == [
        {"name": "S", "index": 0},
        {"name": "S", "index": 1},
        {"name": "S", "index": 2},
    ]
    assert next(e for e in history if e["type"] == "MapStateStarted")["mapStateStartedEventDetails"] == {"length": 3}


def test_map_with_legacy_iterator_and_parameters(run: Runner) -> None:
    state = {
        "Type": "Map",
        "Parameters": {"v.$": "$$.Map.Item.Value"},
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.v", "End": True}}},
    }
    assert run(single(state), [1, 2, 3])["out"] == [1, 2, 3]


def test_map_over_an_empty_array_and_a_non_array(run: Runner) -> None:
    state = {"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    assert run(single(state), [])["out"] == []
    assert run(single({**state, "ItemsPath": "$.x"}), {"x": 5})["error"] == "States.Runtime"


def test_map_iteration_failure_fails_the_map(run: Runner) -> None:
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                    "Default": "Ok",
                },
                "Bad": {"Type": "Fail", "Error": "Item.Bad"},
                "Ok": {"Type": "Succeed"},
            },
        },
    }
    assert run(single(state), [1, 2, 3])["error"] == "Item.Bad"


def test_output_larger_than_256_kib_fails_with_data_limit_exceeded(run: Runner) -> None:
    state = {"Type": "Pass", "Parameters": {"big.$": "States.ArrayRange(1, 1000, 1)"}}
    big = {"Type": "Pass", "Parameters": {"a.$": "$", "b.$": "$", "c.$": "$", "d.$": "$"}}
    definition = {
        "StartAt": "S",
        "States": {
            "S": {**state, "Next": "B"},
            "B": {**big, "Next": "B2"},
            "B2": {**big, "Next": "B3"},
            "B3": {**big, "Next": "B4"},
            "B4": {**big, "End": True},
        },
    }
    assert run(definition)["error"] == "States.DataLimitExceeded"


def test_an_oversized_task_input_ends_the_execution_even_when_caught_by_name(aws: Cloud, run: Runner) -> None:
    aws.stepfunctions.mock_task("Big", {"never": "called"})
    definition = {
        "StartAt": "Big",
        "States": {
            "Big": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                # 70 copies of a 3.9 KB string: over the 256 KiB payload limit.
                "Parameters": {f"copy{i}.$": "States.JsonToString(States.ArrayRange(1, 1000, 1))" for i in range(70)},
                "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    described = run(definition)
    assert (described["status"], described["error"]) == ("FAILED", "States.DataLimitExceeded")
    assert aws.stepfunctions.execution(described["executionArn"]).states == ["Big"]


def test_a_failed_branch_aborts_the_states_in_flight_in_the_others(sfn: Any, run: Runner) -> None:
    state = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 60, "End": True}}},
            {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E"}}},
        ],
    }
    history = events(sfn, run(single(state))["executionArn"])
    types = [e["type"] for e in history]
    assert types[types.index("WaitStateAborted") + 1] == "ParallelStateFailed"
    aborted = history[types.index("WaitStateAborted")]
    assert aborted["previousEventId"] == history[types.index("WaitStateEntered")]["id"]


def test_a_failed_iteration_aborts_the_running_ones(sfn: Any, run: Runner) -> None:
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Bad"}],
                    "Default": "Slow",
                },
                "Bad": {"Type": "Fail", "Error": "Item.Bad"},
                "Slow": {"Type": "Wait", "Seconds": 60, "End": True},
            },
        },
    }
    history = events(sfn, run(single(state), [1, 0, 2])["executionArn"])
    types = [e["type"] for e in history]
    # Item 0 was waiting when item 1 failed; item 2 was between states.
    assert types.count("WaitStateAborted") == 1
    aborted = [e["mapIterationAbortedEventDetails"]["index"] for e in history if e["type"] == "MapIterationAborted"]
    assert sorted(aborted) == [0, 2]
    assert types[-3:] == ["MapIterationFailed", "MapStateFailed", "ExecutionFailed"]


def test_result_path_through_a_non_object_is_a_result_path_match_failure(run: Runner) -> None:
    state = {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"}
    assert run(single(state), {"made": True})["out"] == {"made": True, "a": {"b": 1}}
    failed = run(single(state), {"a": 5})
    assert failed["error"] == "States.ResultPathMatchFailure"
    assert failed["cause"] == 'Unable to apply ReferencePath $.a.b to input {"a":5}'
