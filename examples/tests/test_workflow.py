"""The order workflow end to end: real definition, Lambda stand-ins, a manager, a flaky gateway.

A day-long approval window and retries with backoff run in milliseconds.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from orders.workflow import (
    APPROVAL_TIMEOUT,
    CardDeclined,
    GatewayTimeout,
    answer_approval,
    deploy,
    make_charge_handler,
    place_order,
    validate_handler,
)

from pytest_awsmsg import Cloud

ROLE = "arn:aws:iam::123456789012:role/orders-workflow"


class Gateway:
    """A payment gateway stand-in: it can time out a few times, or decline a card."""

    def __init__(self) -> None:
        self.timeouts = 0
        self.declined_cards: set[str] = set()
        self.charges: list[tuple[str, int]] = []

    def charge(self, card: str, amount: int, reference: str) -> str:
        if self.timeouts:
            self.timeouts -= 1
            raise GatewayTimeout("no answer from the bank")
        if card in self.declined_cards:
            raise CardDeclined(f"card {card} declined")
        self.charges.append((reference, amount))
        return f"ch_{reference}"


@pytest.fixture
def app(aws: Cloud) -> dict[str, Any]:
    gateway = Gateway()
    approvals: list[dict[str, Any]] = []
    aws.lambdas.register("orders-validate", validate_handler)
    aws.lambdas.register("orders-charge", make_charge_handler(gateway))
    aws.lambdas.register("orders-request-approval", lambda event, context: approvals.append(event))
    machine, queue = deploy(ROLE)
    return {"machine": machine, "queue": queue, "gateway": gateway, "approvals": approvals}


def order(order_id: str, qty: int = 1, price: int = 250, card: str = "4242") -> dict[str, Any]:
    return {"id": order_id, "card": card, "lines": [{"sku": "mug", "qty": qty, "price": price}]}


def shipped(queue: str) -> list[Any]:
    messages = boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_a_small_order_is_charged_and_shipped(aws: Cloud, app: dict[str, Any]) -> None:
    run = aws.stepfunctions.execution(place_order(app["machine"], order("1"), app["queue"]))
    assert run.status == "SUCCEEDED"
    assert run.states == ["Validate", "NeedsApproval", "Charge", "Ship", "Fulfilled"]
    assert app["gateway"].charges == [("1", 250)]
    assert shipped(app["queue"]) == [{"order": "1", "payment": "ch_1", "lines": order("1")["lines"]}]


@pytest.mark.aws(freeze=True)  # a boundary one second wide: real time must not leak into it
def test_gateway_timeouts_are_retried_with_backoff(aws: Cloud, app: dict[str, Any]) -> None:
    app["gateway"].timeouts = 3
    arn = place_order(app["machine"], order("2"), app["queue"])
    aws.clock.advance(5 + 10 + 19)
    assert aws.stepfunctions.execution(arn).status == "RUNNING"
    aws.clock.advance(1)  # the third retry comes 5 + 10 + 20 seconds in
    assert aws.stepfunctions.execution(arn).status == "SUCCEEDED"


def test_a_big_order_waits_for_the_manager(aws: Cloud, app: dict[str, Any]) -> None:
    arn = place_order(app["machine"], order("3", qty=10), app["queue"])
    (request,) = app["approvals"]
    assert (request["order"], request["total"]) == ("3", 2500)
    aws.clock.advance(hours=5)
    answer_approval(request["token"], approved=True, manager="grace")
    run = aws.stepfunctions.execution(arn)
    assert run.status == "SUCCEEDED"
    assert run.output["approval"] == {"approved": True, "by": "grace"}


def test_a_rejected_or_forgotten_approval_stops_the_order(aws: Cloud, app: dict[str, Any]) -> None:
    rejected = place_order(app["machine"], order("4", qty=10), app["queue"])
    answer_approval(app["approvals"][0]["token"], approved=False, manager="grace")
    assert (aws.stepfunctions.execution(rejected).error, aws.stepfunctions.execution(rejected).cause) == (
        "OrderRejected",
        "NotApproved",
    )

    forgotten = place_order(app["machine"], order("5", qty=10), app["queue"])
    aws.clock.advance(APPROVAL_TIMEOUT)
    run = aws.stepfunctions.execution(forgotten)
    assert (run.error, run.cause) == ("OrderRejected", "States.Timeout")
    assert app["gateway"].charges == []


def test_declined_cards_and_invalid_orders_are_rejected(aws: Cloud, app: dict[str, Any]) -> None:
    app["gateway"].declined_cards.add("0000")
    declined = aws.stepfunctions.execution(place_order(app["machine"], order("6", card="0000"), app["queue"]))
    assert (declined.error, declined.cause) == ("OrderRejected", "CardDeclined")
    invalid = aws.stepfunctions.execution(place_order(app["machine"], order("7", qty=0), app["queue"]))
    assert (invalid.error, invalid.cause) == ("OrderRejected", "InvalidOrder")
    assert shipped(app["queue"]) == []
