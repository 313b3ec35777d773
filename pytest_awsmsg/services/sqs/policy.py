"""Queue policies: what AddPermission/RemovePermission write, and "may this
principal do this to the queue?" answered by the cloud's one IAM evaluator
(:mod:`pytest_awsmsg.core.iam`), with the request's ``aws:SourceArn`` and
``aws:SourceAccount`` as condition keys.
"""

from __future__ import annotations

import json
import re

from ...core import iam
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
    statements = iam.listify(policy.get("Statement"))
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
    statements = iam.listify(policy.get("Statement"))
    kept = [s for s in statements if s.get("Sid") != label]
    if len(kept) == len(statements):
        raise InvalidParameterValue(
            f"Value {label} for parameter Label is invalid. Reason: can't find label on existing policy."
        )
    if not kept:
        return ""
    policy["Statement"] = kept
    return json.dumps(policy, separators=(",", ":"))


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
    """The cloud's IAM evaluation (:mod:`pytest_awsmsg.core.iam`): a Deny wins, then an Allow, else the owner may."""
    owner = principal_service is None and principal_account == owner_account
    context: dict[str, str] = {}
    if source_arn is not None:
        context["aws:SourceArn"] = source_arn
        parts = source_arn.split(":")
        if len(parts) > 4 and parts[4]:
            context["aws:SourceAccount"] = parts[4]
    request = iam.Request(action, queue_arn, principal_account, principal_service, context)
    decision = iam.evaluate(policy_text, request)
    return decision == iam.ALLOW or (decision == iam.NO_MATCH and owner)
