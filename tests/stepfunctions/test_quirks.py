"""Production quirks: an asynchronous Express execution may run twice (aws.stepfunctions.quirks)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud, fake_aws

from .conftest import LAMBDA, ROLE, MachineFactory


def charging(machine_type: str = "EXPRESS", *, wait: int = 0) -> dict[str, Any]:
    """A machine whose one side effect is a Lambda stand-in, handed the execution's id."""
    charge = {
        "Type": "Task",
        "Resource": LAMBDA + "charge",
        "Parameters": {"order.$": "$.order", "execution.$": "$$.Execution.Id"},
        "End": True,
    }
    if not wait:
        return {"StartAt": "Charge", "States": {"Charge": charge}}
    return {
        "StartAt": "Settle",
        "States": {"Settle": {"Type": "Wait", "Seconds": wait, "Next": "Charge"}, "Charge": charge},
    }


@pytest.fixture
def charges(aws: Cloud) -> list[dict[str, Any]]:
    """What the ``charge`` stand-in was called with, in order."""
    seen: list[dict[str, Any]] = []

    def charge(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        return {"charged": event["order"]}

    aws.lambdas.register("charge", charge)
    return seen


def test_an_express_execution_runs_twice_with_the_same_input_and_id(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, charges: list[dict[str, Any]]
) -> None:
    machine = make_machine(charging(), name="pay", type="EXPRESS")
    aws.stepfunctions.quirks(duplicate_rate=1.0)

    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order": "o-1"}))["executionArn"]

    assert charges == [{"order": "o-1", "execution": arn}] * 2
    view = aws.stepfunctions.execution(arn)
    assert view.runs == 2
    assert [(d.status, d.output) for d in view.duplicates] == [("SUCCEEDED", {"charged": "o-1"})]
    # The duplicate is no execution of its own: the API shows neither run of an Express execution.
    assert [e.arn for e in aws.stepfunctions.executions("pay")] == [arn]
    with pytest.raises(ClientError, match="InvalidArn"):
        sfn.describe_execution(executionArn=arn)


def test_the_duplicate_waits_in_virtual_time_like_the_first_run(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, charges: list[dict[str, Any]]
) -> None:
    machine = make_machine(charging(wait=60), type="EXPRESS")
    aws.stepfunctions.quirks(duplicate_rate=1.0)

    arn = sfn.start_execution(stateMachineArn=machine, input='{"order": "o-2"}')["executionArn"]
    assert charges == []
    aws.clock.advance(60)

    assert [c["order"] for c in charges] == ["o-2", "o-2"]
    assert aws.stepfunctions.execution(arn).duplicates[0].states == ["Settle", "Charge"]


def test_standard_and_synchronous_express_executions_never_run_twice(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, charges: list[dict[str, Any]]
) -> None:
    standard = make_machine(charging("STANDARD"))
    express = make_machine(charging(), type="EXPRESS")
    aws.stepfunctions.quirks(duplicate_rate=1.0)

    started = sfn.start_execution(stateMachineArn=standard, input='{"order": "standard"}')["executionArn"]
    synced = sfn.start_sync_execution(stateMachineArn=express, input='{"order": "sync"}')

    assert [c["order"] for c in charges] == ["standard", "sync"]
    assert synced["status"] == "SUCCEEDED"
    assert aws.stepfunctions.execution(started).runs == 1
    assert aws.stepfunctions.execution(synced["executionArn"]).runs == 1


def test_a_quirk_for_one_machine_leaves_the_others_alone_until_set_for_all(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, charges: list[dict[str, Any]]
) -> None:
    pay = make_machine(charging(), name="pay", type="EXPRESS")
    refund = make_machine(charging(), name="refund", type="EXPRESS")
    aws.stepfunctions.quirks(duplicate_rate=1.0, state_machine="pay")

    sfn.start_execution(stateMachineArn=pay, input='{"order": "pay"}')
    sfn.start_execution(stateMachineArn=refund, input='{"order": "refund"}')
    assert [c["order"] for c in charges] == ["pay", "pay", "refund"]

    aws.stepfunctions.quirks(duplicate_rate=1.0)
    sfn.start_execution(stateMachineArn=refund, input='{"order": "refund again"}')
    assert [c["order"] for c in charges][3:] == ["refund again"] * 2


def test_the_same_seed_runs_the_same_executions_twice() -> None:
    def runs(seed: int) -> list[int]:
        with fake_aws(seed=seed, region="us-east-1") as cloud:
            cloud.lambdas.register("charge", lambda event, context: {})
            sfn = boto3.client("stepfunctions", region_name="us-east-1")
            machine = sfn.create_state_machine(
                name="pay", definition=json.dumps(charging()), roleArn=ROLE, type="EXPRESS"
            )["stateMachineArn"]
            cloud.stepfunctions.quirks(duplicate_rate=0.5)
            for n in range(20):
                sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order": n}))
            assert len(cloud.lambdas.invocations) == sum(e.runs for e in cloud.stepfunctions.executions())
            return [e.runs for e in cloud.stepfunctions.executions()]

    first = runs(3)
    assert first == runs(3)
    assert 1 in first
    assert 2 in first


def test_switching_quirks_off_and_refusing_a_bad_rate(
    aws: Cloud, sfn: Any, make_machine: MachineFactory, charges: list[dict[str, Any]]
) -> None:
    machine = make_machine(charging(), name="pay", type="EXPRESS")
    aws.stepfunctions.quirks(duplicate_rate=1.0)
    aws.stepfunctions.quirks(duplicate_rate=1.0, state_machine="pay")
    aws.stepfunctions.quirks()  # every setting off, the machine's own too

    arn = sfn.start_execution(stateMachineArn=machine, input='{"order": "once"}')["executionArn"]

    assert [c["order"] for c in charges] == ["once"]
    assert aws.stepfunctions.execution(arn).runs == 1
    for rate in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            aws.stepfunctions.quirks(duplicate_rate=rate)
