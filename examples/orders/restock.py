"""Restocking, written in JSONata with workflow variables.

Production-style code: plain boto3, no knowledge of tests. A forecast Lambda
says how many units of a product the warehouse needs; the workflow keeps the
product and the quantity in variables instead of threading them through every
state's input, reserves the money in the purchasing budget (a DynamoDB
conditional update, retried while DynamoDB throttles) and sends the purchase
order to the supplier's queue. A refused budget ends in ``OverBudget``.
"""

from __future__ import annotations

import json
from typing import Any

import boto3


def definition(supplier_queue: str, account: str = "123456789012", region: str = "us-east-1") -> dict[str, Any]:
    """The state machine, as it would sit in the app's infrastructure code."""
    return {
        "Comment": "Restock one product",
        "QueryLanguage": "JSONata",
        "StartAt": "Forecast",
        "States": {
            "Forecast": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {
                    "FunctionName": f"arn:aws:lambda:{region}:{account}:function:restock-forecast",
                    "Payload": {"sku": "{% $states.input.sku %}", "onHand": "{% $states.input.onHand %}"},
                },
                "Assign": {
                    "sku": "{% $states.input.sku %}",
                    "needed": "{% $states.result.Payload.needed %}",
                    "unitPrice": "{% $states.result.Payload.unitPrice %}",
                },
                "Next": "Anything to order?",
            },
            "Anything to order?": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $needed > 0 %}", "Next": "Reserve budget"}],
                "Default": "Nothing to order",
            },
            "Nothing to order": {"Type": "Succeed", "Output": {"sku": "{% $sku %}", "ordered": 0}},
            "Reserve budget": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Arguments": {
                    "TableName": "purchasing-budget",
                    "Key": {"team": {"S": "warehouse"}},
                    "UpdateExpression": "SET remaining = remaining - :cost",
                    "ConditionExpression": "remaining >= :cost",
                    "ExpressionAttributeValues": {":cost": {"N": "{% $string($needed * $unitPrice) %}"}},
                },
                "Retry": [
                    {
                        "ErrorEquals": ["DynamoDB.ProvisionedThroughputExceededException"],
                        "IntervalSeconds": 2,
                        "MaxAttempts": 3,
                    }
                ],
                "Catch": [
                    {
                        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                        "Assign": {"refusal": "{% $states.errorOutput.Cause %}"},
                        "Next": "Over budget",
                    }
                ],
                "Next": "Order from supplier",
            },
            "Order from supplier": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Arguments": {
                    "QueueUrl": supplier_queue,
                    "MessageBody": "{% $string({'sku': $sku, 'quantity': $needed}) %}",
                },
                "Output": {
                    "sku": "{% $sku %}",
                    "ordered": "{% $needed %}",
                    "cost": "{% $needed * $unitPrice %}",
                    "purchaseOrder": "{% $states.result.MessageId %}",
                },
                "End": True,
            },
            "Over budget": {"Type": "Fail", "Error": "OverBudget", "Cause": "{% $refusal %}"},
        },
    }


def deploy(role_arn: str, name: str = "restock") -> tuple[str, str]:
    """Create the supplier's queue and the state machine; returns (machine ARN, queue URL)."""
    queue = str(boto3.client("sqs").create_queue(QueueName="supplier-orders")["QueueUrl"])
    sfn = boto3.client("stepfunctions")
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition(queue)), roleArn=role_arn)
    return str(machine["stateMachineArn"]), queue


def restock(machine_arn: str, sku: str, on_hand: int) -> str:
    """Start restocking one product; returns the execution ARN."""
    sfn = boto3.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps({"sku": sku, "onHand": on_hand}))
    return str(started["executionArn"])
