"""Replication: cross-Region replicas and cross-account replicas.

A cross-Region replica lives in its own Region's store and shares the
primary's :class:`~.models.VersionStore`, so it always reflects the primary
and its reads never touch the primary's Region (they keep working during an
outage of that Region). Replication completes at once in the fake: statuses
go straight to ``InSync`` (AWS passes through ``InProgress`` first).

A cross-account replica is created in its own account with
``CreateSecret(CrossAccountPrimaryARN=...)`` (status ``Pending``), linked from
the primary's account with AssociateCrossAccountReplica (``InSync``), and
unlinked with DisassociateCrossAccountReplica (``Detached``, keeping a copy of
the data) or promoted with StopReplicationToReplica. The fake has no AWS
Organizations: every account of the cloud counts as one organization, so
``ReplicaRestriction=SameOrg`` always holds.
"""

from __future__ import annotations

from typing import Any

from ...core.protocols.validation import missing_member
from ...core.service import operation
from ..base import RequestContext
from .common import SecretsBase
from .errors import (
    InvalidParameterException,
    InvalidRequestException,
    LimitExceededException,
    ResourceNotFoundException,
)
from .models import CrossReplicaState, ReplicaState, Secret

# Assumption: AWS attaches a policy to a cross-account replica that lets the
# primary's account replicate into it; its name is not documented.
REPLICATION_POLICY = "CrossAccountReplication"


def replica_arn(arn: str, region: str) -> str:
    """A cross-Region replica's ARN: the primary's with the Region changed."""
    parts = arn.split(":", 6)
    parts[3] = region
    return ":".join(parts)


class ReplicationOps(SecretsBase):
    """The replication operations of the model."""

    @operation
    def replicate_secret_to_regions(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        add_replica_regions: list[dict[str, str]],
        force_overwrite_replica_secret: bool | None = None,
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        self.add_replicas(ctx, secret, add_replica_regions, bool(force_overwrite_replica_secret))
        return {"ARN": secret.arn, "ReplicationStatus": self.replication_status(secret)}

    @staticmethod
    def check_replica_regions(primary_region: str, regions: list[dict[str, str]]) -> None:
        for index, entry in enumerate(regions):
            if entry.get("Region") is None:  # optional in the model, needed by AWS
                raise missing_member("secretsmanager", f"addReplicaRegions.{index + 1}.member.region")
            if entry["Region"] == primary_region:
                raise InvalidParameterException(
                    f"Invalid replica Region {primary_region}: it is the primary Region of the secret."
                )

    def add_replicas(self, ctx: RequestContext, secret: Secret, regions: list[dict[str, str]], force: bool) -> None:
        """Create replicas in other Regions; a Region where the name is taken gets status Failed.

        AWS reports a taken name in the replica's status rather than failing
        the call, unless ForceOverwriteReplicaSecret replaces the other secret.
        """
        self.check_replica_regions(secret.region, regions)
        for entry in regions:
            region, kms = entry["Region"], entry.get("KmsKeyId") or None
            if region in secret.replicas and secret.replicas[region].status == "InSync":
                continue
            target = self.store(secret.account_id, region)
            existing = target.secrets.get(secret.name)
            if existing is not None and existing.primary is not secret:
                if not force:
                    # The model's own example of a StatusMessage.
                    secret.replicas[region] = ReplicaState(
                        region, kms, "Failed", "Secret with this name already exists in this region"
                    )
                    continue
                self.forget(existing)
            replica = Secret(secret.name, replica_arn(secret.arn, region), region, secret.account_id, ctx.now)
            replica.primary = secret
            replica.values = secret.values
            replica.kms_key_id = kms
            target.secrets[secret.name] = replica
            secret.replicas[region] = ReplicaState(region, kms)

    @operation
    def remove_regions_from_replication(
        self, ctx: RequestContext, *, secret_id: str, remove_replica_regions: list[str]
    ) -> dict[str, Any]:
        secret = self.writable(self.find(ctx, secret_id))
        for region in remove_replica_regions:
            if region not in secret.replicas:
                raise InvalidParameterException(f"The secret isn't replicated to Region {region}.")
        for region in remove_replica_regions:
            del secret.replicas[region]
            replica = self.store(secret.account_id, region).secrets.get(secret.name)
            if replica is not None and replica.primary is secret:
                self.forget(replica)  # AWS: "When you delete a replica, it is deleted immediately."
        return {"ARN": secret.arn, "ReplicationStatus": self.replication_status(secret)}

    @operation
    def stop_replication_to_replica(self, ctx: RequestContext, *, secret_id: str) -> dict[str, Any]:
        secret = self.find(ctx, secret_id)
        primary = secret.primary
        if primary is not None:
            # Promote: the replica becomes a standalone secret with a copy of everything shared.
            secret.values = primary.values.copy()
            secret.description, secret.tags, secret.type = primary.description, list(primary.tags), primary.type
            secret.policies = dict(primary.policies)
            secret.tagged = primary.tagged
            secret.last_changed = ctx.now
            secret.primary = None
            primary.replicas.pop(secret.region, None)
            return {"ARN": secret.arn}
        if secret.cross_primary_arn is not None:
            source = secret.cross_primary
            if source is not None:
                secret.values = source.values.copy()
                state = source.cross_replicas.get(secret.arn)
                if state is not None:
                    state.status = "Detached"
            secret.cross_primary = None
            secret.cross_primary_arn = secret.cross_status = secret.cross_message = None
            secret.policies.pop(REPLICATION_POLICY, None)
            return {"ARN": secret.arn}
        raise InvalidRequestException("The secret is not a replica, so there is no replication to stop.")

    # -- cross-account ------------------------------------------------------

    def create_cross_account_replica(self, secret: Secret, primary_arn: str) -> None:
        """What CreateSecret(CrossAccountPrimaryARN=...) sets up on the new replica."""
        secret.cross_primary_arn = primary_arn
        secret.cross_status = "Pending"
        primary_account = primary_arn.split(":")[4]
        secret.policies[REPLICATION_POLICY] = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            f'"Principal":{{"AWS":"arn:aws:iam::{primary_account}:root"}},'
            '"Action":"secretsmanager:AcceptCrossAccountReplication","Resource":"*"}]}'
        )

    @operation
    def associate_cross_account_replica(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        cross_account_replica_arn: str,
        replica_restriction: str | None = None,
        replication_role_arn: str | None = None,
    ) -> dict[str, Any]:
        primary = self.writable(self.live(self.find(ctx, secret_id)))
        replica = self._cross_replica(primary, cross_account_replica_arn)
        if replica.cross_primary_arn != primary.arn:
            raise InvalidRequestException(
                "The replica secret was not created as a cross-account replica of this primary secret. "
                "Create it with CreateSecret and CrossAccountPrimaryARN set to this secret's ARN."
            )
        others = [a for a, s in primary.cross_replicas.items() if a != replica.arn and s.status != "Detached"]
        if others:
            raise LimitExceededException("A primary secret can have at most one cross-account replica.")
        replica.values = primary.values
        replica.cross_primary = primary
        replica.cross_status, replica.cross_message = "InSync", None
        primary.cross_replicas[replica.arn] = CrossReplicaState(replica.arn, replication_role_arn)
        return {"ARN": primary.arn, "CrossAccountReplicaARN": replica.arn, "ReplicationStatus": "InSync"}

    @operation
    def disassociate_cross_account_replica(
        self, ctx: RequestContext, *, secret_id: str, cross_account_replica_arn: str
    ) -> dict[str, Any]:
        primary = self.writable(self.find(ctx, secret_id))
        if cross_account_replica_arn not in primary.cross_replicas:
            raise ResourceNotFoundException("Secrets Manager can't find the specified cross-account replica.")
        del primary.cross_replicas[cross_account_replica_arn]
        replica = self._cross_replica(primary, cross_account_replica_arn)
        if replica.cross_primary is primary:
            replica.values = primary.values.copy()
            replica.cross_primary = None
            replica.cross_status = "Detached"
        return {"ARN": primary.arn, "CrossAccountReplicaARN": replica.arn}

    def _cross_replica(self, primary: Secret, arn: str) -> Secret:
        parts = arn.split(":")
        if len(parts) < 7 or parts[2] != "secretsmanager":
            raise InvalidParameterException(f"Invalid CrossAccountReplicaARN: {arn}.")
        if parts[3] != primary.region:
            raise InvalidParameterException("The primary and replica secrets must be in the same Region.")
        if parts[4] == primary.account_id:
            raise InvalidParameterException("A cross-account replica must be in a different account.")
        replica = self.store(parts[4], parts[3]).by_arn(arn)
        if replica is None:
            raise ResourceNotFoundException()
        return replica
