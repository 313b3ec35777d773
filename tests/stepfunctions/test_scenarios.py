"""Realistic machines end to end: an order workflow with retries and a human approval,
a fan-out with Map, and parallel branches with a catch."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .conftest import LAMBDA, MachineFactory, events

ORDER_WORKFLOW = {
    "Comment": "Validate, maybe ask a human, charge with retries, ship.",
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Task", "Resource": LAMBDA + "validate", "ResultPath": "$.validation", "Next": "Big?"},
        "Big?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.total", "NumericGreaterThan": 1000, "Next": "Approval"}],
            "Default": "Charge",
        },
        "Approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "ask-manager", "Payload": {"order.$": "$.id", "token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "TimeoutSeconds": 86400,
            "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Rejected"}],
            "Next": "Approved?",
        },
        "Approved?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.approval.approved", "BooleanEquals": True, "Next": "Charge"}],
            "Default": "Rejected",
        },
        "Charge": {
            "Type": "Task",
            "Resource": LAMBDA + "charge",
            "Parameters": {"order.$": "$.id", "amount.$": "$.total"},
            "ResultSelector": {"chargeId.$": "$.id"},
            "ResultPath": "$.payment",
            "Retry": [{"ErrorEquals": ["GatewayTimeout"], "IntervalSeconds": 10, "BackoffRate": 2, "MaxAttempts": 3}],
            "Catch": [{"ErrorEquals": ["CardDeclined"], "ResultPath": "$.error", "Next": "Rejected"}],
            "Next": "Ship",
        },
        "Ship": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl.$": "$.shippingQueue", "MessageBody": {"order.$": "$.id"}},
            "ResultPath": None,
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Rejected": {"Type": "Fail", "Error": "OrderRejected", "Cause": "The order was not approved or not paid."},
    },
}


class GatewayTimeout(Exception):
    pass


class CardDeclined(Exception):
    pass


@pytest.fixture
def shop(aws: Cloud, make_machine: MachineFactory) -> dict[str, Any]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue = sqs.create_queue(QueueName="shipping")["QueueUrl"]
    charges: list[Any] = []
    behaviour: dict[str, Any] = {"fail_times": 0, "declined": False}

    def charge(event: Any, context: Any) -> Any:
        charges.append(event)
        if behaviour["declined"]:
            raise CardDeclined("insufficient funds")
        if len(charges) <= behaviour["fail_times"]:
            raise GatewayTimeout("bank did not answer")
        return {"id": f"ch-{event['order']}"}

    aws.lambdas.register("validate", lambda event, context: {"ok": True})
    aws.lambdas.register("ask-manager", lambda event, context: None)
    aws.lambdas.register("charge", charge)
    return {
        "machine": make_machine(ORDER_WORKFLOW, name="orders"),
        "queue": queue,
        "sqs": sqs,
        "charges": charges,
        "behaviour": behaviour,
    }


def start(sfn: Any, shop: dict[str, Any], total: int) -> str:
    order = {"id": "o-1", "total": total, "shippingQueue": shop["queue"]}
    return str(sfn.start_execution(stateMachineArn=shop["machine"], input=json.dumps(order))["executionArn"])


def test_small_order_is_charged_and_shipped(aws: Cloud, sfn: Any, shop: dict[str, Any]) -> None:
    arn = start(sfn, shop, 50)
    execution = aws.stepfunctions.execution(arn)
    assert execution.status == "SUCCEEDED"
    assert execution.states == ["Validate", "Big?", "Charge", "Ship", "Done"]
    assert execution.output["payment"] == {"chargeId": "ch-o-1"}
    (message,) = shop["sqs"].receive_message(QueueUrl=shop["queue"])["Messages"]
    assert json.loads(message["Body"]) == {"order": "o-1"}


def test_the_payment_gateway_is_retried_with_backoff(aws: Cloud, sfn: Any, shop: dict[str, Any]) -> None:
    shop["behaviour"]["fail_times"] = 2
    arn = start(sfn, shop, 50)
    aws.clock.advance(10 + 20)
    assert aws.stepfunctions.execution(arn).status == "SUCCEEDED"
    assert len(shop["charges"]) == 3


def test_a_big_order_waits_for_a_human(aws: Cloud, sfn: Any, shop: dict[str, Any]) -> None:
    arn = start(sfn, shop, 5000)
    assert aws.stepfunctions.execution(arn).status == "RUNNING"
    (approval,) = aws.stepfunctions.pending_tasks
    assert approval.input["Payload"]["order"] == "o-1"
    aws.clock.advance(hours=3)  # the manager takes their time
    sfn.send_task_success(taskToken=approval.token, output='{"approved": true}')
    execution = aws.stepfunctions.execution(arn)
    assert execution.status == "SUCCEEDED"
    assert execution.states == ["Validate", "Big?", "Approval", "Approved?", "Charge", "Ship", "Done"]


def test_an_unanswered_approval_times_out_after_a_day(aws: Cloud, sfn: Any, shop: dict[str, Any]) -> None:
    arn = start(sfn, shop, 5000)
    aws.clock.advance(days=1)
    execution = aws.stepfunctions.execution(arn)
    assert (execution.status, execution.error) == ("FAILED", "OrderRejected")
    assert execution.path[2]["error"] == "States.Timeout"
    assert shop["charges"] == []


def test_a_declined_card_is_caught_and_rejected(aws: Cloud, sfn: Any, shop: dict[str, Any]) -> None:
    shop["behaviour"]["declined"] = True
    execution = aws.stepfunctions.execution(start(sfn, shop, 50))
    assert execution.error == "OrderRejected"
    assert execution.states[-2:] == ["Charge", "Rejected"]
    assert shop["sqs"].receive_message(QueueUrl=shop["queue"]).get("Messages", []) == []


FAN_OUT = {
    "StartAt": "PriceEach",
    "States": {
        "PriceEach": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 3,
            "ItemSelector": {
                "sku.$": "$$.Map.Item.Value.sku",
                "qty.$": "$$.Map.Item.Value.qty",
                "currency.$": "$.currency",
            },
            "ItemProcessor": {
                "StartAt": "Price",
                "States": {
                    "Price": {
                        "Type": "Task",
                        "Resource": LAMBDA + "price",
                        "Retry": [{"ErrorEquals": ["RateLimited"], "IntervalSeconds": 1, "MaxAttempts": 5}],
                        "End": True,
                    }
                },
            },
            "ResultPath": "$.lines",
            "Next": "Summarise",
        },
        "Summarise": {
            "Type": "Pass",
            "Parameters": {
                "count.$": "States.ArrayLength($.lines)",
                "lines.$": "$.lines",
                "skus.$": "$.lines[*].sku",
            },
            "End": True,
        },
    },
}


class RateLimited(Exception):
    pass


def test_fan_out_prices_every_item_and_survives_rate_limits(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    calls: dict[str, int] = {}

    def price(event: Any, context: Any) -> Any:
        calls[event["sku"]] = calls.get(event["sku"], 0) + 1
        if event["sku"] == "b" and calls["b"] < 3:
            raise RateLimited("slow down")
        return {"sku": event["sku"], "total": event["qty"] * 2, "currency": event["currency"]}

    aws.lambdas.register("price", price)
    items = [{"sku": s, "qty": q} for s, q in (("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5))]
    arn = sfn.start_execution(
        stateMachineArn=make_machine(FAN_OUT), input=json.dumps({"currency": "EUR", "items": items})
    )["executionArn"]
    execution = aws.stepfunctions.wait_for(arn)
    assert execution.output["count"] == 5
    assert execution.output["skus"] == ["a", "b", "c", "d", "e"]
    assert execution.output["lines"][1] == {"sku": "b", "total": 4, "currency": "EUR"}
    assert calls == {"a": 1, "b": 3, "c": 1, "d": 1, "e": 1}
    types = [e["type"] for e in events(sfn, arn)]
    assert types.count("MapIterationStarted") == 5
    assert types.count("MapIterationSucceeded") == 5


PARALLEL_WITH_CATCH = {
    "StartAt": "Fulfil",
    "States": {
        "Fulfil": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Reserve",
                    "States": {"Reserve": {"Type": "Task", "Resource": LAMBDA + "reserve", "End": True}},
                },
                {
                    "StartAt": "Pause",
                    "States": {
                        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Invoice"},
                        "Invoice": {"Type": "Task", "Resource": LAMBDA + "invoice", "End": True},
                    },
                },
            ],
            "ResultSelector": {"reservation.$": "$[0]", "invoice.$": "$[1]"},
            "ResultPath": "$.fulfilment",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Compensate"}],
            "Next": "Done",
        },
        "Compensate": {
            "Type": "Pass",
            "Parameters": {"undo.$": "$.order", "reason.$": "$.failure.Error"},
            "Next": "Failed",
        },
        "Failed": {"Type": "Fail", "Error": "FulfilmentFailed", "CausePath": "$.reason"},
        "Done": {"Type": "Succeed"},
    },
}


def test_parallel_branches_join_their_results(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    aws.lambdas.register("reserve", lambda event, context: {"slot": 7})
    aws.lambdas.register("invoice", lambda event, context: {"number": "INV-1"})
    arn = sfn.start_execution(stateMachineArn=make_machine(PARALLEL_WITH_CATCH), input='{"order": "o-9"}')[
        "executionArn"
    ]
    execution = aws.stepfunctions.wait_for(arn)
    assert execution.output == {
        "order": "o-9",
        "fulfilment": {"reservation": {"slot": 7}, "invoice": {"number": "INV-1"}},
    }
    assert [step["branch"] for step in execution.path if "branch" in step] == ["Fulfil/0/", "Fulfil/1/", "Fulfil/1/"]


def test_a_failing_branch_is_caught_and_compensated(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    def reserve(event: Any, context: Any) -> Any:
        raise LookupError("no stock")

    aws.lambdas.register("reserve", reserve)
    aws.lambdas.register("invoice", lambda event, context: {"number": "INV-1"})
    arn = sfn.start_execution(stateMachineArn=make_machine(PARALLEL_WITH_CATCH), input='{"order": "o-9"}')[
        "executionArn"
    ]
    execution = aws.stepfunctions.execution(arn)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "FulfilmentFailed", "LookupError")
    assert execution.states == ["Fulfil", "Compensate", "Failed"]
    aws.clock.advance(10)  # the other branch was stopped: the invoice is never written
    assert [i.function for i in aws.lambdas.invocations] == ["reserve"]
    types = [e["type"] for e in events(sfn, arn)]
    assert "ParallelStateFailed" in types
