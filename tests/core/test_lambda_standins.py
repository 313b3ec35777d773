"""Lambda stand-ins fail the way Lambda reports a function error."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.lambdas import LambdaFunctionError, LambdaNotFound


def _charge(event: dict[str, Any], context: Any) -> None:
    raise ValueError(f"card declined for {event['order']}")


def test_a_raising_handler_becomes_lambdas_error_document(aws: Cloud) -> None:
    aws.lambdas.register("charge", _charge)

    with pytest.raises(LambdaFunctionError) as caught:
        aws.lambdas.invoke("charge", {"order": "o-1"})

    payload = caught.value.payload
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "card declined for o-1")
    # Only the handler's own frames, under /var/task as Lambda shows them:
    # the same text on every machine, so Step Functions history snapshots hold.
    assert payload["stackTrace"] == [
        f'  File "/var/task/test_lambda_standins.py", line {_charge.__code__.co_firstlineno + 1}, in _charge\n'
        "    raise ValueError(f\"card declined for {event['order']}\")\n"
    ]


def test_step_functions_records_the_same_cause_everywhere(aws: Cloud) -> None:
    arn = aws.lambdas.register("charge", _charge)
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    machine = sfn.create_state_machine(
        name="pay",
        roleArn="arn:aws:iam::123456789012:role/sfn",
        definition=json.dumps(
            {"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": arn, "End": True}}}
        ),
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input='{"order": "o-2"}')["executionArn"]

    described = sfn.describe_execution(executionArn=execution)

    assert (described["status"], described["error"]) == ("FAILED", "ValueError")
    assert "/var/task/test_lambda_standins.py" in described["cause"]
    assert __file__ not in described["cause"]


def test_an_unknown_function_names_what_is_registered(aws: Cloud) -> None:
    aws.lambdas.register("charge", _charge)
    with pytest.raises(
        LambdaNotFound, match=r"registered stand-ins: arn:aws:lambda:us-east-1:123456789012:function:charge"
    ):
        aws.lambdas.invoke("arn:aws:lambda:us-east-1:123456789012:function:refund", {})


def test_the_same_name_in_two_regions_is_two_functions(aws: Cloud) -> None:
    east = aws.lambdas.register("notify", lambda event, context: "east")
    west = aws.lambdas.register("notify", lambda event, context: "west", region="us-west-2")

    assert (east.split(":")[3], west.split(":")[3]) == ("us-east-1", "us-west-2")
    assert (aws.lambdas.invoke(east, {}), aws.lambdas.invoke(west, {})) == ("east", "west")
    assert aws.lambdas.invoke("notify", {}) == "east"  # a bare name is the cloud's default region
