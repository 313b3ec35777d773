"""The one IAM policy evaluator SQS and SNS (and extensions) answer "may this principal...?" with."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_awsmsg.core import iam

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
TOPIC = "arn:aws:sns:us-east-1:123456789012:events"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**fields: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE, **fields}


SNS = iam.Request("sqs:SendMessage", QUEUE, principal_service="sns.amazonaws.com", context={"aws:SourceArn": TOPIC})
ACCOUNT = iam.Request("sqs:SendMessage", QUEUE, principal_account="111122223333")


@pytest.mark.parametrize(
    ("statement", "request_", "decision"),
    [
        (allow(Principal="*"), SNS, iam.ALLOW),
        (allow(Principal={"Service": "sns.amazonaws.com"}), SNS, iam.ALLOW),
        (allow(Principal={"Service": "events.amazonaws.com"}), SNS, iam.NO_MATCH),
        (allow(Principal={"AWS": "111122223333"}), ACCOUNT, iam.ALLOW),
        (allow(Principal={"AWS": "arn:aws:iam::111122223333:root"}), ACCOUNT, iam.ALLOW),
        # The fake's callers are accounts: a user of the account is someone else.
        (allow(Principal={"AWS": "arn:aws:iam::111122223333:user/bob"}), ACCOUNT, iam.NO_MATCH),
        (allow(NotPrincipal={"AWS": "999999999999"}), ACCOUNT, iam.ALLOW),
        (allow(Principal="*", Action="SQS:send*"), SNS, iam.ALLOW),  # actions ignore case
        (allow(Principal="*", Action=None, NotAction="sqs:ReceiveMessage"), SNS, iam.ALLOW),
        (allow(Principal="*", Resource="arn:aws:sqs:*:123456789012:other"), SNS, iam.NO_MATCH),
        (allow(Principal="*", Condition={"ArnEquals": {"aws:SourceArn": TOPIC}}), SNS, iam.ALLOW),
        (allow(Principal="*", Condition={"ArnLike": {"AWS:SOURCEARN": "arn:aws:sns:*:*:ev*"}}), SNS, iam.ALLOW),
        (allow(Principal="*", Condition={"ArnEquals": {"aws:SourceArn": TOPIC + "x"}}), SNS, iam.NO_MATCH),
        # A key the request lacks: no match, except ...IfExists and the negated operators.
        (allow(Principal="*", Condition={"StringEquals": {"aws:SourceVpc": "v"}}), SNS, iam.NO_MATCH),
        (allow(Principal="*", Condition={"StringEqualsIfExists": {"aws:SourceVpc": "v"}}), SNS, iam.ALLOW),
        (allow(Principal="*", Condition={"StringNotEquals": {"aws:SourceVpc": "v"}}), SNS, iam.ALLOW),
        # An operator the fake cannot evaluate never grants.
        (allow(Principal="*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), SNS, iam.NO_MATCH),
        ({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}, SNS, iam.NO_MATCH),  # no principal
    ],
)
def test_one_statement(statement: dict[str, Any], request_: iam.Request, decision: str) -> None:
    statement = {k: v for k, v in statement.items() if v is not None}
    assert iam.evaluate(policy(statement), request_) == decision


def test_an_explicit_deny_wins_over_any_allow() -> None:
    document = policy(allow(Principal="*"), {"Effect": "Deny", "Principal": "*", "Action": "sqs:*"})
    assert iam.evaluate(document, SNS) == iam.DENY
    assert not iam.allows(document, SNS)


def test_json_text_and_junk() -> None:
    assert iam.allows('{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}', SNS)
    assert iam.evaluate("not json", SNS) == iam.NO_MATCH
    assert iam.evaluate(None, SNS) == iam.NO_MATCH
    assert iam.statements('{"Statement": [1, {"Effect": "Allow"}]}') == [{"Effect": "Allow"}]
