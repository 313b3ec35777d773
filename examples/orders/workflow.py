"""The order workflow: a Step Functions state machine and the Lambda handlers it calls.

Production-style code: plain boto3, no knowledge of tests. An order is
validated, orders over ``APPROVAL_THRESHOLD`` wait for a manager (a callback
task: the manager's tool calls SendTaskSuccess with the token it was mailed),
the card is charged with retries on gateway timeouts, and shipped orders go to
the shipping queue. A declined card, a rejection or an approval nobody
answers within a day ends in ``OrderRejected``.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

APPROVAL_THRESHOLD = 1000
APPROVAL_TIMEOUT = 86400


class InvalidOrder(Exception):
    """The order cannot be fulfilled as submitted (no lines, a bad quantity)."""


class GatewayTimeout(Exception):
    """The payment gateway did not answer: worth retrying."""


class CardDeclined(Exception):
    """The card was refused: retrying will not help."""


def definition(account: str = "123456789012", region: str = "us-east-1") -> dict[str, Any]:
    """The state machine, as it would sit in the app's infrastructure code."""
    fn = f"arn:aws:lambda:{region}:{account}:function:"
    return {
        "Comment": "Order fulfilment",
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": fn + "orders-validate",
                "ResultPath": "$.total",
                "Catch": [{"ErrorEquals": ["InvalidOrder"], "ResultPath": "$.error", "Next": "Rejected"}],
                "Next": "NeedsApproval",
            },
            "NeedsApproval": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.total", "NumericGreaterThan": APPROVAL_THRESHOLD, "Next": "Approval"}],
                "Default": "Charge",
            },
            "Approval": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {
                    "FunctionName": "orders-request-approval",
                    "Payload": {"order.$": "$.id", "total.$": "$.total", "token.$": "$$.Task.Token"},
                },
                "ResultPath": "$.approval",
                "TimeoutSeconds": APPROVAL_TIMEOUT,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Rejected"}],
                "Next": "Approved",
            },
            "Approved": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.approval.approved", "BooleanEquals": True, "Next": "Charge"}],
                "Default": "NotApproved",
            },
            "NotApproved": {
                "Type": "Pass",
                "Result": {"Error": "NotApproved"},
                "ResultPath": "$.error",
                "Next": "Rejected",
            },
            "Charge": {
                "Type": "Task",
                "Resource": fn + "orders-charge",
                "Parameters": {"order.$": "$.id", "amount.$": "$.total", "card.$": "$.card"},
                "ResultPath": "$.payment",
                "Retry": [
                    {"ErrorEquals": ["GatewayTimeout"], "IntervalSeconds": 5, "BackoffRate": 2, "MaxAttempts": 4}
                ],
                "Catch": [{"ErrorEquals": ["CardDeclined"], "ResultPath": "$.error", "Next": "Rejected"}],
                "Next": "Ship",
            },
            "Ship": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {
                    "QueueUrl.$": "$.shippingQueue",
                    "MessageBody": {"order.$": "$.id", "payment.$": "$.payment.id", "lines.$": "$.lines"},
                },
                "ResultPath": None,
                "Next": "Fulfilled",
            },
            "Fulfilled": {"Type": "Succeed"},
            "Rejected": {"Type": "Fail", "Error": "OrderRejected", "CausePath": "$.error.Error"},
        },
    }


def deploy(role_arn: str, name: str = "order-fulfilment") -> tuple[str, str]:
    """Create the shipping queue and the state machine; returns (machine ARN, queue URL)."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="shipping")["QueueUrl"]
    sfn = boto3.client("stepfunctions")
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition()), roleArn=role_arn)
    return str(machine["stateMachineArn"]), str(queue)


def place_order(machine_arn: str, order: dict[str, Any], shipping_queue: str) -> str:
    """Start fulfilment of an order; returns the execution ARN."""
    sfn = boto3.client("stepfunctions")
    started = sfn.start_execution(
        stateMachineArn=machine_arn,
        name=f"order-{order['id']}",
        input=json.dumps({**order, "shippingQueue": shipping_queue}),
    )
    return str(started["executionArn"])


def answer_approval(token: str, approved: bool, manager: str) -> None:
    """What the manager's approval tool calls."""
    boto3.client("stepfunctions").send_task_success(
        taskToken=token, output=json.dumps({"approved": approved, "by": manager})
    )


# -- the Lambda handlers the machine calls -------------------------------------


def validate_handler(event: dict[str, Any], context: Any) -> int:
    """The order's total in cents; an order without lines or with a bad quantity is invalid."""
    lines = event.get("lines") or []
    if not lines:
        raise InvalidOrder("an order needs at least one line")
    if any(line["qty"] <= 0 for line in lines):
        raise InvalidOrder("quantities must be positive")
    return sum(line["qty"] * line["price"] for line in lines)


def make_charge_handler(gateway: Any) -> Any:
    """The charge function, bound to a payment gateway client."""

    def charge_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"id": gateway.charge(event["card"], event["amount"], reference=event["order"])}

    return charge_handler
