"""Fixtures for the Step Functions tests: a boto3 client on the fake and machine factories."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

ROLE = "arn:aws:iam::123456789012:role/sfn"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
MachineFactory = Callable[..., str]
Runner = Callable[..., dict[str, Any]]


@pytest.fixture
def sfn(aws: Cloud) -> Any:
    return boto3.client("stepfunctions", region_name="us-east-1")


@pytest.fixture
def make_machine(sfn: Any) -> MachineFactory:
    """Create a state machine from a dict (or JSON text); returns its ARN."""
    counter = iter(range(1_000_000))

    def make(definition: dict[str, Any] | str, name: str | None = None, **kwargs: Any) -> str:
        text = definition if isinstance(definition, str) else json.dumps(definition)
        name = name or f"machine-{next(counter)}"
        return str(sfn.create_state_machine(name=name, definition=text, roleArn=ROLE, **kwargs)["stateMachineArn"])

    return make


@pytest.fixture
def run(sfn: Any, make_machine: MachineFactory) -> Runner:
    """Create a machine, start it with ``input`` and return DescribeExecution (plus parsed ``out``)."""

    def go(definition: dict[str, Any], input: Any = None, **kwargs: Any) -> dict[str, Any]:
        arn = make_machine(definition, **kwargs)
        started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({} if input is None else input))
        described: dict[str, Any] = sfn.describe_execution(executionArn=started["executionArn"])
        if "output" in described:
            described["out"] = json.loads(described["output"])
        return described

    return go


def single(state: dict[str, Any], name: str = "S") -> dict[str, Any]:
    """A machine of one state (End added when it needs one)."""
    if state["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in state:
        state = {**state, "End": True}
    return {"StartAt": name, "States": {name: state}}


def events(sfn: Any, arn: str) -> list[dict[str, Any]]:
    return list(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])
