"""IAM policy evaluation, written once for every resource policy the fakes read.

SQS queue policies, SNS topic policies (and any extension's) are evaluated
here: "may this principal do this action to this resource?". What it covers:

* ``Effect`` Allow/Deny: an explicit Deny wins, then an Allow; nothing
  matching is an implicit deny (:data:`NO_MATCH`, so a service can apply its
  own default, such as "the owner may");
* ``Principal`` / ``NotPrincipal``: ``*``, ``{"AWS": ...}`` (``*``, an
  account id, ``arn:aws:iam::<account>:root``) and ``{"Service": ...}``. The
  fake's callers are accounts, so an IAM user or role ARN names someone the
  fake never is;
* ``Action`` / ``NotAction`` (case-insensitive, ``*`` and ``?`` wildcards),
  ``Resource`` / ``NotResource`` (wildcards; none given means the policy's
  own resource); a statement without a principal or an action grants nothing;
* ``Condition`` with the String*, Arn* and Bool operators, their ``...IfExists``
  forms, keys compared case-insensitively. As IAM does, a condition on a key
  the request lacks does not match (a negated operator does); an operator the
  fake does not know makes its statement not match, so a policy it cannot read
  never grants more than AWS would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

ALLOW = "Allow"
DENY = "Deny"
NO_MATCH = "NoMatch"


@dataclass(frozen=True)
class Request:
    """Who wants to do what to which resource, and the condition keys the request carries."""

    action: str  # "sqs:SendMessage"
    resource: str  # the resource's ARN
    principal_account: str | None = None  # the calling account (an AWS principal)
    principal_service: str | None = None  # a service principal ("sns.amazonaws.com")
    context: Mapping[str, str] = field(default_factory=dict)  # "aws:SourceArn" -> ...


def listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(policy: Mapping[str, Any] | str | None) -> list[dict[str, Any]]:
    """A policy's statements as a list of dicts (JSON text is parsed; what is not a statement is left out)."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy) if policy else None
        except ValueError:
            return []
    if not isinstance(policy, Mapping):
        return []
    return [s for s in listify(policy.get("Statement")) if isinstance(s, dict)]


def evaluate(policy: Mapping[str, Any] | str | None, request: Request) -> str:
    """:data:`DENY`, :data:`ALLOW` or :data:`NO_MATCH` for a request under a resource policy."""
    decision = NO_MATCH
    for statement in statements(policy):
        if not _applies(statement, request):
            continue
        if statement.get("Effect") == DENY:
            return DENY
        if statement.get("Effect") == ALLOW:
            decision = ALLOW
    return decision


def allows(policy: Mapping[str, Any] | str | None, request: Request) -> bool:
    """Whether the policy allows the request (an Allow and no Deny)."""
    return evaluate(policy, request) == ALLOW


def _applies(statement: dict[str, Any], request: Request) -> bool:
    return (
        _matches(statement, "Action", request.action, _action_matches, absent=False)
        and _matches(statement, "Resource", request.resource, _resource_matches, absent=True)
        and _principal_applies(statement, request)
        and _conditions_match(statement.get("Condition") or {}, request.context)
    )


def _matches(statement: dict[str, Any], key: str, value: str, test: Any, *, absent: bool) -> bool:
    """``Action``/``NotAction`` (or ``Resource``/``NotResource``); ``absent`` when neither is given.

    A statement without an action grants nothing; one without a resource is
    about the resource whose policy it is.
    """
    if key in statement:
        return bool(test(listify(statement[key]), value))
    if "Not" + key in statement:
        return not test(listify(statement["Not" + key]), value)
    return absent


def _action_matches(patterns: list[Any], action: str) -> bool:
    wanted = action.lower()
    return any(fnmatchcase(wanted, str(p).lower()) for p in patterns)


def _resource_matches(patterns: list[Any], resource: str) -> bool:
    return any(fnmatchcase(resource, str(p)) for p in patterns)


def _principal_applies(statement: dict[str, Any], request: Request) -> bool:
    if "Principal" in statement:
        return _principal_matches(statement["Principal"], request)
    if "NotPrincipal" in statement:
        return not _principal_matches(statement["NotPrincipal"], request)
    return False  # a resource policy statement must name its principal: without one it grants no one


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    account = request.principal_account
    for kind, values in principal.items():
        for value in listify(values):
            if value == "*":
                return True
            if kind == "Service" and value == request.principal_service:
                return True
            if kind == "AWS" and account is not None and value in (account, f"arn:aws:iam::{account}:root"):
                return True
    return False


def _conditions_match(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, clauses in conditions.items():
        if not isinstance(clauses, dict):
            return False
        base = operator[: -len("IfExists")] if operator.endswith("IfExists") else operator
        test = _OPERATORS.get(base)
        if test is None:
            return False
        for key, expected in clauses.items():
            actual = lowered.get(key.lower())
            values = [str(v) for v in listify(expected)]
            if actual is None:
                # IAM: a missing key matches only ...IfExists and the negated operators.
                if base != operator or base.startswith(("StringNot", "ArnNot")):
                    continue
                return False
            if not test(actual, values):
                return False
    return True


_OPERATORS: dict[str, Any] = {
    "StringEquals": lambda actual, values: actual in values,
    "StringNotEquals": lambda actual, values: actual not in values,
    "StringEqualsIgnoreCase": lambda actual, values: actual.lower() in [v.lower() for v in values],
    "StringNotEqualsIgnoreCase": lambda actual, values: actual.lower() not in [v.lower() for v in values],
    "StringLike": lambda actual, values: any(fnmatchcase(actual, v) for v in values),
    "StringNotLike": lambda actual, values: not any(fnmatchcase(actual, v) for v in values),
    "ArnEquals": lambda actual, values: actual in values,
    "ArnNotEquals": lambda actual, values: actual not in values,
    "ArnLike": lambda actual, values: any(fnmatchcase(actual, v) for v in values),
    "ArnNotLike": lambda actual, values: not any(fnmatchcase(actual, v) for v in values),
    "Bool": lambda actual, values: actual.lower() in [v.lower() for v in values],
}
