"""The JSONata restocking workflow, tested the way Step Functions Local users do: a mock configuration file.

``restock_mocks.json`` answers the forecast Lambda and the DynamoDB budget
update per test case; the supplier's queue is the kit's SQS, so the purchase
order really arrives. Start an execution with ``arn#TestCase`` to pick one.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from orders.restock import deploy, restock

from pytest_awsmsg import Cloud

ROLE = "arn:aws:iam::123456789012:role/restock"
pytestmark = pytest.mark.sfn_mock_config("restock_mocks.json")


@pytest.fixture
def app(aws: Cloud) -> dict[str, str]:
    machine, queue = deploy(ROLE)
    return {"machine": machine, "queue": queue}


def supplier_orders(queue: str) -> list[Any]:
    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_a_product_that_needs_nothing_orders_nothing(aws: Cloud, app: dict[str, str]) -> None:
    run = restock(app["machine"] + "#NothingNeeded", "mug", on_hand=40)
    view = aws.stepfunctions.execution(run)
    assert view.output == {"sku": "mug", "ordered": 0}
    assert view.states == ["Forecast", "Anything to order?", "Nothing to order"]
    assert supplier_orders(app["queue"]) == []


def test_the_purchase_order_reaches_the_supplier(aws: Cloud, app: dict[str, str]) -> None:
    run = restock(app["machine"] + "#HappyPath", "mug", on_hand=2)
    view = aws.stepfunctions.execution(run)
    assert view.status == "SUCCEEDED"
    assert supplier_orders(app["queue"]) == [{"sku": "mug", "quantity": 10}]
    assert view.output["cost"] == 40
    assert view.output["ordered"] == 10
    # The variables the forecast assigned, as the history records them.
    (exited,) = [
        e for e in view.history if e["type"] == "TaskStateExited" and e["stateExitedEventDetails"]["name"] == "Forecast"
    ]
    assert exited["stateExitedEventDetails"]["assignedVariables"] == {"sku": '"mug"', "needed": "10", "unitPrice": "4"}


def test_a_throttled_budget_update_is_retried_on_the_clock(aws: Cloud, app: dict[str, str]) -> None:
    run = restock(app["machine"] + "#Throttled", "mug", on_hand=2)
    assert aws.stepfunctions.execution(run).status == "RUNNING"  # waiting out the first retry interval
    view = aws.stepfunctions.wait_for(run)
    assert view.status == "SUCCEEDED"
    assert [e for e in view.events if e == "TaskFailed"] == ["TaskFailed", "TaskFailed"]
    assert supplier_orders(app["queue"]) == [{"sku": "mug", "quantity": 10}]


def test_a_refused_budget_fails_with_the_reason_and_orders_nothing(aws: Cloud, app: dict[str, str]) -> None:
    run = restock(app["machine"] + "#OverBudget", "mug", on_hand=2)
    view = aws.stepfunctions.execution(run)
    assert (view.status, view.error, view.cause) == ("FAILED", "OverBudget", "The conditional request failed")
    assert "caught DynamoDB.ConditionalCheckFailedException" in view.diagram()
    assert supplier_orders(app["queue"]) == []


def test_an_unmocked_state_runs_the_real_lambda_stand_in(aws: Cloud, app: dict[str, str]) -> None:
    def forecast(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"needed": max(0, 12 - event["onHand"]), "unitPrice": 3}

    aws.lambdas.register("restock-forecast", forecast)
    run = restock(app["machine"] + "#RealForecast", "tea", on_hand=5)
    assert aws.stepfunctions.execution(run).output["cost"] == 21
    assert supplier_orders(app["queue"]) == [{"sku": "tea", "quantity": 7}]
