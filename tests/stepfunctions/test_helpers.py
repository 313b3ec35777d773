"""The Python helpers: definitions from JSON/YAML files, and the execution view asserts read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.stepfunctions import load_definition

from .conftest import ROLE

YAML = """\
StartAt: Greet
States:
  Greet:
    Type: Pass
    Parameters:
      message.$: States.Format('Hello, {}!', $.name)
    End: true
"""


def test_load_definition_from_yaml_and_json(tmp_path: Path, aws: Cloud, sfn: Any) -> None:
    (tmp_path / "greet.yaml").write_text(YAML)
    definition = load_definition(tmp_path / "greet.yaml")
    assert json.loads(definition)["States"]["Greet"]["Type"] == "Pass"
    (tmp_path / "greet.json").write_text(definition)
    assert load_definition(tmp_path / "greet.json") == definition
    arn = sfn.create_state_machine(name="greet", definition=definition, roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"name": "Ada"}')["executionArn"]
    assert aws.stepfunctions.execution(execution).output == {"message": "Hello, Ada!"}


def test_load_definition_fails_early_on_bad_json(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(json.JSONDecodeError, match="Expecting property name"):
        load_definition(tmp_path / "bad.json")


def test_execution_path_shows_inputs_and_outputs(aws: Cloud, sfn: Any) -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
            "B": {"Type": "Pass", "Result": 2, "ResultPath": "$.b", "End": True},
        },
    }
    arn = sfn.create_state_machine(name="p", definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = aws.stepfunctions.execution(sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert execution.path == [
        {"state": "A", "input": {}, "output": {"a": 1}},
        {"state": "B", "input": {"a": 1}, "output": {"a": 1, "b": 2}},
    ]
    assert execution.events[0] == "ExecutionStarted"
    assert execution.history[0]["type"] == "ExecutionStarted"
    assert "SUCCEEDED" in repr(execution)
    assert [e.name for e in aws.stepfunctions.executions("p")] == [execution.name]


def test_a_wrong_path_fails_with_a_readable_diff(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json, boto3

        def test_path(aws):
            sfn = boto3.client("stepfunctions", region_name="us-east-1")
            definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}}
            arn = sfn.create_state_machine(name="p", definition=json.dumps(definition),
                                           roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
            run = sfn.start_execution(stateMachineArn=arn)["executionArn"]
            assert aws.stepfunctions.execution(run).path == [{"state": "A", "input": {}, "output": 2}]
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*'output': 1*", "*'output': 2*", "*aws stepfunctions executions*"])


def test_unknown_execution_in_the_python_view(aws: Cloud) -> None:
    with pytest.raises(KeyError):
        aws.stepfunctions.execution("arn:aws:states:us-east-1:123456789012:execution:x:y")
