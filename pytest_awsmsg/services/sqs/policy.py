"""Queue policies: what AddPermission/RemovePermission write, and a small
evaluator that answers "may this principal do this to the queue?".

The evaluator covers what SQS fan-out needs (SNS, EventBridge, S3 writing to a
queue): Allow/Deny statements, Principal ``*`` / ``{"AWS": ...}`` /
``{"Service": ...}``, Action and Resource wildcards, and the ``ArnEquals``,
``ArnLike``, ``StringEquals`` and ``StringLike`` condition operators on
``aws:SourceArn`` and ``aws:SourceAccount``. An operator or key it does not
know makes its statement not match (fail closed), so a policy the fake cannot
read never grants more than AWS would.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from typing import Any

from ...core.errors import InvalidParameterValue
from .errors import OverLimit

# Actions AddPermission accepts (the SQS API reference's list).
PERMISSION_ACTIONS = {
    "*",
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "PurgeQueue",
    "ListQueueTags",
}
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
MAX_ACTIONS = 7


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def add_permission(
    policy_text: str | None, *, queue_arn: str, label: str, account_ids: list[str], actions: list[str]
) -> str:
    """The queue policy with one more statement, as AWS writes it."""
    if not _LABEL.match(label):
        raise InvalidParameterValue(
            f"Value {label} for parameter Label is invalid. Reason: Can only include alphanumeric characters, "
            "hyphens, or underscores. 1 to 80 in length."
        )
    if len(actions) > MAX_ACTIONS:
        raise OverLimit(f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for action in actions:
        if action not in PERMISSION_ACTIONS:
            raise InvalidParameterValue(
                f"Value SQS:{action} for parameter ActionName is invalid. "
                "Reason: Only the queue owner is allowed to invoke this action."
            )
    policy = json.loads(policy_text) if policy_text else {}
    statements = _listify(policy.get("Statement"))
    if any(s.get("Sid") == label for s in statements):
        raise InvalidParameterValue(f"Value {label} for parameter Label is invalid. Reason: Already exists.")
    principals = [f"arn:aws:iam::{a}:root" for a in account_ids]
    sqs_actions = [f"SQS:{a}" for a in actions]
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": sqs_actions[0] if len(sqs_actions) == 1 else sqs_actions,
            "Resource": queue_arn,
        }
    )
    document = {"Version": policy.get("Version", "2012-10-17"), "Id": policy.get("Id", f"{queue_arn}/SQSDefaultPolicy")}
    document["Statement"] = statements
    return json.dumps(document, separators=(",", ":"))


def remove_permission(policy_text: str | None, label: str) -> str:
    """The policy without the statement ``label``; an empty string when none is left."""
    policy = json.loads(policy_text) if policy_text else {}
    statements = _listify(policy.get("Statement"))
    kept = [s for s in statements if s.get("Sid") != label]
    if len(kept) == len(statements):
        raise InvalidParameterValue(
            f"Value {label} for parameter Label is invalid. Reason: can't find label on existing policy."
        )
    if not kept:
        return ""
    policy["Statement"] = kept
    return json.dumps(policy, separators=(",", ":"))


def _action_matches(patterns: list[Any], action: str) -> bool:
    wanted = action.lower()
    return any(fnmatchcase(wanted, str(p).lower()) for p in patterns)


def _principal_matches(principal: Any, *, service: str | None, account_id: str | None) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for kind, values in principal.items():
        for value in _listify(values):
            if value == "*":
                return True
            if kind == "Service" and service is not None and value == service:
                return True
            if kind == "AWS" and account_id is not None and value in (account_id, f"arn:aws:iam::{account_id}:root"):
                return True
    return False


def _conditions_match(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, clauses in conditions.items():
        if not isinstance(clauses, dict):
            return False
        for key, expected in clauses.items():
            actual = lowered.get(key.lower())
            if actual is None:
                return False  # a condition on a key the request lacks does not match
            values = [str(v) for v in _listify(expected)]
            if operator in ("ArnEquals", "StringEquals"):
                ok = actual in values
            elif operator in ("ArnLike", "StringLike"):
                ok = any(fnmatchcase(actual, v) for v in values)
            else:
                return False
            if not ok:
                return False
    return True


def policy_allows(
    policy_text: str | None,
    *,
    queue_arn: str,
    owner_account: str,
    action: str,
    principal_service: str | None,
    principal_account: str | None,
    source_arn: str | None,
) -> bool:
    """IAM-style evaluation: an explicit Deny wins, then an Allow, else the owner's own access."""
    owner = principal_service is None and principal_account == owner_account
    if not policy_text:
        return owner
    try:
        policy = json.loads(policy_text)
    except ValueError:
        return owner
    context: dict[str, str] = {}
    if source_arn is not None:
        context["aws:SourceArn"] = source_arn
        parts = source_arn.split(":")
        if len(parts) > 4 and parts[4]:
            context["aws:SourceAccount"] = parts[4]
    allowed = False
    for statement in _listify(policy.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if not _action_matches(_listify(statement.get("Action")), action):
            continue
        resources = _listify(statement.get("Resource")) or ["*"]
        if not any(fnmatchcase(queue_arn, str(r)) for r in resources):
            continue
        if not _principal_matches(statement.get("Principal"), service=principal_service, account_id=principal_account):
            continue
        if not _conditions_match(statement.get("Condition") or {}, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed or owner
