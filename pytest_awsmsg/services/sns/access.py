"""Who may use a topic and what is attached to it: permissions, tags, data protection policies."""

from __future__ import annotations

import json
from typing import Any

from ...core.service import operation
from ..base import RequestContext
from .common import SnsBase, split_arn
from .dataprotection import parse_policy
from .errors import ResourceNotFoundException, TagLimitExceededException, invalid
from .models import Topic

MAX_TAGS = 50


class AccessMixin(SnsBase):
    # -- permissions ------------------------------------------------------------------

    @operation
    def add_permission(
        self,
        ctx: RequestContext,
        *,
        topic_arn: str,
        label: str,
        aws_account_id: list[str],
        action_name: list[str],
    ) -> None:
        topic = self.topic_for(ctx, topic_arn, "AddPermission")
        policy = json.loads(topic.attributes["Policy"])
        statements = policy.setdefault("Statement", [])
        if any(s.get("Sid") == label for s in statements):
            raise invalid("Statement already exists")
        if not aws_account_id or not action_name:
            raise invalid("AWSAccountId and ActionName must not be empty")
        for action in action_name:
            if action != "*" and action not in _SNS_ACTIONS:
                raise invalid("Policy statement action out of service scope!")
        principals = [f"arn:aws:iam::{account}:root" if account.isdigit() else account for account in aws_account_id]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals if len(principals) > 1 else principals[0]},
                "Action": [f"SNS:{a}" for a in action_name] if len(action_name) > 1 else f"SNS:{action_name[0]}",
                "Resource": topic.arn,
            }
        )
        topic.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))

    @operation
    def remove_permission(self, ctx: RequestContext, *, topic_arn: str, label: str) -> None:
        topic = self.topic_for(ctx, topic_arn, "RemovePermission")
        policy = json.loads(topic.attributes["Policy"])
        statements = policy.get("Statement", [])
        kept = [s for s in statements if s.get("Sid") != label]
        if len(kept) == len(statements):
            raise invalid("Statement", f"no statement with label {label} exists")
        policy["Statement"] = kept
        topic.attributes["Policy"] = json.dumps(policy, separators=(",", ":"))

    # -- tags --------------------------------------------------------------------------

    def _check_tags(self, tags: list[dict[str, str]]) -> dict[str, str]:
        out: dict[str, str] = {}
        if len({tag.get("Key") for tag in tags}) < len(tags):
            raise invalid("Duplicated keys are not allowed.")
        for tag in tags:
            key, value = tag.get("Key", ""), tag.get("Value", "")
            if not 1 <= len(key) <= 128 or len(value) > 256 or key.lower().startswith("aws:"):
                raise invalid("Tags", f"invalid tag key or value: {key!r}")
            out[key] = value
        if len(out) > MAX_TAGS:
            raise TagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
        return out

    def _tagged(self, ctx: RequestContext, arn: str) -> Topic:
        parts = split_arn(arn, "ResourceArn")
        topic = self.find_topic(arn) if len(parts) == 6 and parts[3] == ctx.region else None
        if topic is None:
            raise ResourceNotFoundException("Resource does not exist")
        return topic

    @operation
    def tag_resource(self, ctx: RequestContext, *, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        topic = self._tagged(ctx, resource_arn)
        merged = dict(topic.tags)
        merged.update(self._check_tags(tags))
        if len(merged) > MAX_TAGS:
            raise TagLimitExceededException("Could not complete request: tag quota of per resource exceeded")
        topic.tags = merged
        return {}

    @operation
    def untag_resource(self, ctx: RequestContext, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        topic = self._tagged(ctx, resource_arn)
        for key in tag_keys:
            topic.tags.pop(key, None)
        return {}

    @operation
    def list_tags_for_resource(self, ctx: RequestContext, *, resource_arn: str) -> dict[str, Any]:
        topic = self._tagged(ctx, resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in topic.tags.items()]}

    # -- data protection --------------------------------------------------------------

    @operation
    def put_data_protection_policy(
        self, ctx: RequestContext, *, resource_arn: str, data_protection_policy: str
    ) -> None:
        topic = self.topic_for(ctx, resource_arn, "PutDataProtectionPolicy", what="ResourceArn")
        if data_protection_policy:
            parse_policy(data_protection_policy)
        topic.data_protection_policy = data_protection_policy

    @operation
    def get_data_protection_policy(self, ctx: RequestContext, *, resource_arn: str) -> dict[str, Any]:
        topic = self.topic_for(ctx, resource_arn, "GetDataProtectionPolicy", what="ResourceArn")
        return {"DataProtectionPolicy": topic.data_protection_policy} if topic.data_protection_policy else {}


_SNS_ACTIONS = {
    "AddPermission",
    "ConfirmSubscription",
    "DeleteTopic",
    "GetDataProtectionPolicy",
    "GetTopicAttributes",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "Publish",
    "PutDataProtectionPolicy",
    "RemovePermission",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "UntagResource",
}
