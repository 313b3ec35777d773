"""Resource policies and tags: metadata operations that never touch a value."""

from __future__ import annotations

from typing import Any

from ...core.service import operation
from ..base import RequestContext
from .common import SecretsBase, page, tag_list
from .errors import InvalidParameterException, PublicPolicyException, ResourceNotFoundException
from .policy_checks import BROAD_ACCESS, BROAD_ACCESS_MESSAGE, broad_access, parse_policy

DEFAULT_POLICY = "default"


class PolicyOps(SecretsBase):
    """Put/Get/Delete/Validate/ListResourcePolicies, TagResource and UntagResource."""

    @operation
    def put_resource_policy(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        resource_policy: str,
        policy_name: str | None = None,
        block_public_policy: bool | None = None,
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        name = policy_name or DEFAULT_POLICY
        if name != DEFAULT_POLICY:
            raise InvalidParameterException("You can only attach the default resource policy (PolicyName default).")
        document = parse_policy(resource_policy)
        if block_public_policy and broad_access(document):
            raise PublicPolicyException()
        secret.policies[name] = resource_policy
        return {"ARN": secret.arn, "Name": secret.name, "PolicyName": name}

    @operation
    def get_resource_policy(
        self, ctx: RequestContext, *, secret_id: str, policy_name: str | None = None
    ) -> dict[str, Any]:
        secret = self.live(self.find(ctx, secret_id))
        name = policy_name or DEFAULT_POLICY
        policies = secret.source.policies
        if name not in policies and name != DEFAULT_POLICY:
            raise ResourceNotFoundException("Secrets Manager can't find the specified resource policy.")
        return {"ARN": secret.arn, "Name": secret.name, "ResourcePolicy": policies.get(name), "PolicyName": name}

    @operation
    def delete_resource_policy(
        self, ctx: RequestContext, *, secret_id: str, policy_name: str | None = None
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        name = policy_name or DEFAULT_POLICY
        if name != DEFAULT_POLICY:
            raise InvalidParameterException("You can only delete the default resource policy (PolicyName default).")
        secret.policies.pop(name, None)
        return {"ARN": secret.arn, "Name": secret.name, "PolicyName": name}

    @operation
    def validate_resource_policy(
        self, ctx: RequestContext, *, resource_policy: str, secret_id: str | None = None
    ) -> dict[str, Any]:
        if secret_id is not None:
            self.find(ctx, secret_id)
        document = parse_policy(resource_policy)
        if broad_access(document):
            return {
                "PolicyValidationPassed": False,
                "ValidationErrors": [{"CheckName": BROAD_ACCESS, "ErrorMessage": BROAD_ACCESS_MESSAGE}],
            }
        return {"PolicyValidationPassed": True, "ValidationErrors": []}

    @operation
    def list_resource_policies(
        self, ctx: RequestContext, *, secret_id: str, max_results: int | None = None, next_token: str | None = None
    ) -> dict[str, Any]:
        secret = self.live(self.find(ctx, secret_id))
        # AWS: "default first, followed by any other policies in alphabetical order".
        names = sorted(secret.source.policies, key=lambda n: (n != DEFAULT_POLICY, n))
        shown, token = page(names, next_token, max_results, 100)
        return {"ResourcePolicies": [{"PolicyName": n} for n in shown], "NextToken": token}

    @operation
    def tag_resource(self, ctx: RequestContext, *, secret_id: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        secret.tags = tag_list([*secret.tags, *tags])
        secret.tagged = True
        secret.last_changed = ctx.now
        return {}

    @operation
    def untag_resource(self, ctx: RequestContext, *, secret_id: str, tag_keys: list[str]) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        secret.tags = [t for t in secret.tags if t["Key"] not in set(tag_keys)]
        secret.tagged = True
        secret.last_changed = ctx.now
        return {}
