"""ValidateStateMachineDefinition's diagnostics: codes, severities, locations, the severity filter and limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import ROLE

# Every kind of warning AWS lists, in a definition AWS accepts.
WARNED = {
    "StartAt": "Lookup",
    "States": {
        "Lookup": {"Type": "Pass", "Parameters": {"id": "$.order.id"}, "Next": "Static"},
        "Static": {"Type": "Pass", "Result": {"copy.$": "$.order"}, "Next": "Stop"},
        "Stop": {"Type": "Fail", "Error": "$.error"},
    },
}
# One error and one warning.
MIXED = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x": "$.x"}, "Next": "Nope"}}}


def diagnostics(answer: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(d["severity"], d["code"], d.get("location")) for d in answer["diagnostics"]]


@pytest.mark.requires_api("stepfunctions", "ValidateStateMachineDefinition", "severity", "maxResults")
class TestDiagnostics:
    def test_warnings_are_shown_on_request_and_do_not_fail_the_definition(self, sfn: Any) -> None:
        quiet = sfn.validate_state_machine_definition(definition=json.dumps(WARNED))
        assert (quiet["result"], quiet["diagnostics"], quiet["truncated"]) == ("OK", [], False)
        loud = sfn.validate_state_machine_definition(definition=json.dumps(WARNED), severity="WARNING")
        assert loud["result"] == "OK"
        assert diagnostics(loud) == [
            ("WARNING", "NO_DOLLAR", "/States/Lookup/Parameters/id"),
            ("WARNING", "PASS_RESULT_IS_STATIC", "/States/Static/Result"),
            ("WARNING", "NO_PATH", "/States/Stop/Error"),
        ]
        assert "'id'" in loud["diagnostics"][0]["message"]

    def test_create_state_machine_accepts_what_only_warns(self, sfn: Any) -> None:
        arn = sfn.create_state_machine(name="warned", definition=json.dumps(WARNED), roleArn=ROLE)["stateMachineArn"]
        run = sfn.start_execution(stateMachineArn=arn, input='{"order": {"id": 7}}')["executionArn"]
        described = sfn.describe_execution(executionArn=run)
        assert (described["status"], described["error"]) == ("FAILED", "$.error")  # taken literally, as warned

    def test_the_severity_filter_and_the_result(self, sfn: Any) -> None:
        errors = sfn.validate_state_machine_definition(definition=json.dumps(MIXED))
        assert errors["result"] == "FAIL"
        assert ("ERROR", "MISSING_TRANSITION_TARGET", "/States/A/Next") in diagnostics(errors)
        assert all(d["severity"] == "ERROR" for d in errors["diagnostics"])
        both = sfn.validate_state_machine_definition(definition=json.dumps(MIXED), severity="WARNING")
        assert ("WARNING", "NO_DOLLAR", "/States/A/Parameters/x") in diagnostics(both)
        assert len(both["diagnostics"]) == len(errors["diagnostics"]) + 1

    def test_max_results(self, sfn: Any) -> None:
        states = {f"S{i}": {"Type": "Pass", "Next": f"Gone{i}"} for i in range(3)}
        definition = json.dumps({"StartAt": "S0", "States": states})
        one = sfn.validate_state_machine_definition(definition=definition, maxResults=1)
        assert (len(one["diagnostics"]), one["truncated"]) == (1, True)
        everything = sfn.validate_state_machine_definition(definition=definition, maxResults=0)  # 0 means 100
        assert everything["truncated"] is False
        assert [d["location"] for d in everything["diagnostics"][:3]] == [f"/States/S{i}/Next" for i in range(3)]

    def test_text_that_is_not_json(self, sfn: Any) -> None:
        answer = sfn.validate_state_machine_definition(definition="{not json")
        assert answer["result"] == "FAIL"
        assert [(d["severity"], d["code"]) for d in answer["diagnostics"]] == [("ERROR", "INVALID_JSON_DESCRIPTION")]


def test_create_state_machine_names_every_error_with_its_code_and_location(sfn: Any) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"x": "$.x"}, "Next": "B"}, "C": {"Type": "Succeed"}},
    }
    with pytest.raises(sfn.exceptions.InvalidDefinition) as caught:
        sfn.create_state_machine(name="bad", definition=json.dumps(definition), roleArn=ROLE)
    assert caught.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next, "
        'MISSING_TRANSITION_TARGET: State "C" is not reachable. at /States/C\''
    )  # the NO_DOLLAR warning on A's Parameters is not an error


@pytest.mark.requires_api("stepfunctions", "ValidateStateMachineDefinition")
@pytest.mark.parametrize(
    ("text", "code", "location"),
    [
        (
            '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}',
            "DUPLICATE_STATE_NAME",
            "/States/A",
        ),
        ("  ", "MISSING_DESCRIPTION", None),
        ("null", "MISSING_DESCRIPTION", None),
        (
            json.dumps({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "my-function", "End": True}}}),
            "INVALID_RESOURCE",
            "/States/T/Resource",
        ),
        (json.dumps({"StartAt": "A" * 81, "States": {"A" * 81: {"Type": "Succeed"}}}), "INVALID_STATE_NAME", None),
    ],
)
def test_aws_error_codes(sfn: Any, text: str, code: str, location: str | None) -> None:
    answer = sfn.validate_state_machine_definition(definition=text)
    assert answer["result"] == "FAIL"
    (found,) = [d for d in answer["diagnostics"] if d["code"] == code]
    if location is not None:
        assert found["location"] == location
    with pytest.raises(sfn.exceptions.InvalidDefinition, match=code):
        sfn.create_state_machine(name="coded", definition=text, roleArn=ROLE)
