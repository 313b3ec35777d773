"""The Secrets Manager fake: one method per operation of the botocore model.

The operations are grouped by topic in mixins (rotation, replication,
policies and tags, listing); this module has the secret's life cycle and its
values, plus what tests inspect (``aws.secretsmanager.secret("db")``) and
what the call log may show (never a value).
"""

from __future__ import annotations

from typing import Any

from ...core.service import operation
from ..base import RequestContext
from .common import check_secret_id, day_of, page, tag_list, token_in_use
from .errors import (
    INVALID_NAME,
    MARKED_FOR_DELETION,
    InvalidParameterException,
    InvalidRequestException,
    LimitExceededException,
    ResourceExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from .listing import ListingOps
from .models import CURRENT, DAY, Secret
from .password import random_password
from .policy_ops import PolicyOps
from .replication import ReplicationOps
from .rotation import RotationOps
from .views import SecretsManagerView, SecretView

# Members of requests that carry a value; the call log shows a placeholder instead.
SENSITIVE = frozenset({"SecretString", "SecretBinary", "RotationToken"})
REDACTED = "<redacted>"


class SecretsManagerService(RotationOps, ReplicationOps, PolicyOps, ListingOps):
    """AWS Secrets Manager, in memory and in virtual time."""

    view_class = SecretsManagerView

    # -- life cycle ------------------------------------------------------------

    @operation
    def create_secret(
        self,
        ctx: RequestContext,
        *,
        name: str,
        client_request_token: str | None = None,
        description: str | None = None,
        kms_key_id: str | None = None,
        secret_binary: bytes | None = None,
        secret_string: str | None = None,
        tags: list[dict[str, str]] | None = None,
        add_replica_regions: list[dict[str, str]] | None = None,
        force_overwrite_replica_secret: bool | None = None,
        type: str | None = None,
        cross_account_primary_arn: str | None = None,
    ) -> dict[str, Any]:
        check_secret_id(name)
        if name.startswith("arn:"):
            raise ValidationException(INVALID_NAME)
        self.check_value(secret_string, secret_binary)
        if cross_account_primary_arn is not None:
            self._check_cross_account(
                ctx,
                cross_account_primary_arn,
                kms_key_id,
                secret_string,
                secret_binary,
                description,
                add_replica_regions,
                type,
            )
        if add_replica_regions:
            self.check_replica_regions(ctx.region, add_replica_regions)
        tags = tag_list(tags or [])  # before anything is stored: a refused call creates nothing
        store = self.ctx_store(ctx)
        existing = store.secrets.get(name)
        if existing is not None:
            if existing.scheduled_for_deletion:
                raise InvalidRequestException(
                    "You can't create this secret because a secret with this name is already scheduled for deletion."
                )
            retry = existing.values.get(client_request_token) if client_request_token else None
            if retry is not None and retry.has_value and not existing.is_replica:
                # A retried CreateSecret (same token, same value) succeeds and changes nothing;
                # the same token with another value names a version that can't change.
                if not retry.same_value(secret_string, secret_binary):
                    raise token_in_use(retry.version_id, existing)
                return {"ARN": existing.arn, "Name": existing.name, "VersionId": retry.version_id}
            raise ResourceExistsException(f"The operation failed because the secret {name} already exists.")
        arn = ctx.arn(f"secret:{name}-{self.cloud.ids.alnum(6)}")
        secret = Secret(name, arn, ctx.region, ctx.account_id, ctx.now)
        secret.description = description
        secret.kms_key_id = kms_key_id or None
        secret.tags = tags
        secret.tagged = bool(tags)
        secret.type = type or None
        store.secrets[name] = secret
        result: dict[str, Any] = {"ARN": arn, "Name": name}
        if cross_account_primary_arn is not None:
            self.create_cross_account_replica(secret, cross_account_primary_arn)
        if secret_string is not None or secret_binary is not None:
            version, _ = self.put_version(ctx, secret, client_request_token, secret_string, secret_binary)
            result["VersionId"] = version.version_id
        secret.last_changed = ctx.now
        if add_replica_regions:
            self.add_replicas(ctx, secret, add_replica_regions, bool(force_overwrite_replica_secret))
            result["ReplicationStatus"] = self.replication_status(secret)
        return result

    def _check_cross_account(
        self,
        ctx: RequestContext,
        primary_arn: str,
        kms_key_id: str | None,
        *forbidden: object,
    ) -> None:
        """CreateSecret's rules for a cross-account replica, checked before anything is stored.

        A replica only receives data from its primary, so it takes no value,
        description, Regions or type of its own; and AWS requires a customer
        managed KMS key, because the primary's account cannot use this
        account's aws/secretsmanager key.
        """
        if any(value is not None for value in forbidden):
            raise InvalidParameterException(
                "You can't include SecretString, SecretBinary, Description, AddReplicaRegions or Type when you "
                "create a cross-account replica secret."
            )
        if not kms_key_id or kms_key_id in ("alias/aws/secretsmanager", "aws/secretsmanager"):
            raise InvalidParameterException(
                "A cross-account replica secret must be encrypted with a customer managed KMS key: set KmsKeyId."
            )
        parts = primary_arn.split(":")
        if len(parts) < 7 or parts[2] != "secretsmanager" or parts[3] != ctx.region:
            raise InvalidParameterException(
                "CrossAccountPrimaryARN must be the ARN of a secret in the same Region and partition."
            )
        if parts[4] == ctx.account_id:
            raise InvalidParameterException("CrossAccountPrimaryARN must name a secret in another account.")

    @operation
    def update_secret(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        client_request_token: str | None = None,
        description: str | None = None,
        kms_key_id: str | None = None,
        secret_binary: bytes | None = None,
        secret_string: str | None = None,
        type: str | None = None,
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        self.check_value(secret_string, secret_binary)
        has_value = secret_string is not None or secret_binary is not None
        existing = secret.values.get(client_request_token) if has_value and client_request_token else None
        if existing is not None and existing.has_value and not existing.same_value(secret_string, secret_binary):
            raise token_in_use(existing.version_id, secret)  # before anything changes
        if description is not None:
            secret.description = description
        if kms_key_id is not None:
            secret.kms_key_id = kms_key_id or None  # "" means the AWS managed key again
        if type is not None:
            secret.type = type or None
        result: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        if has_value:
            # Idempotent on the token, as PutSecretValue: a retry with the same value changes nothing.
            version, created = self.put_version(ctx, secret, client_request_token, secret_string, secret_binary)
            result["VersionId"] = version.version_id
            if created:
                self.value_changed(secret, ctx.now)
        secret.last_changed = ctx.now
        return result

    @operation
    def delete_secret(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        recovery_window_in_days: int | None = None,
        force_delete_without_recovery: bool | None = None,
    ) -> dict[str, Any]:
        if recovery_window_in_days is not None and force_delete_without_recovery:
            raise InvalidParameterException(
                "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
            )
        if recovery_window_in_days is not None and not 7 <= recovery_window_in_days <= 30:
            raise InvalidParameterException("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
        try:
            secret = self.find(ctx, secret_id)
        except ResourceNotFoundException:
            if force_delete_without_recovery:
                # AWS: forcibly deleting a deleted or nonexistent secret does not fail.
                return {"Name": secret_id, "DeletionDate": ctx.now}
            raise
        if secret.cross_primary_arn is not None:
            raise InvalidRequestException(
                "You can't delete a cross-account replica secret without first stopping replication. "
                "Call StopReplicationToReplica first."
            )
        self.writable(secret)
        if secret.replicas:
            raise InvalidRequestException(
                f"You can't delete secret {secret.name} that still has replica regions "
                f"[{', '.join(sorted(secret.replicas))}]. Remove them with RemoveRegionsFromReplication first."
            )
        if any(r.status != "Detached" for r in secret.cross_replicas.values()):
            raise InvalidRequestException(
                "You can't delete a primary secret that has cross-account replicas. "
                "Disassociate each replica with DisassociateCrossAccountReplica first."
            )
        if force_delete_without_recovery:
            # AWS deletes in the background "with a short delay"; the fake frees the name at once.
            self.forget(secret)
            return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": ctx.now}
        if secret.scheduled_for_deletion:
            raise InvalidRequestException(MARKED_FOR_DELETION)
        days = recovery_window_in_days if recovery_window_in_days is not None else 30
        secret.deleted_date = ctx.now
        secret.deletion_date = ctx.now + days * DAY
        secret.deletion_timer = self.cloud.clock.call_at(
            secret.deletion_date, lambda: self._purge(secret), f"secretsmanager: delete {secret.name}"
        )
        return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": secret.deletion_date}

    def _purge(self, secret: Secret) -> None:
        """The recovery window ended: delete for good, unless the secret was restored meanwhile."""
        if secret.scheduled_for_deletion:
            self.forget(secret)

    @operation
    def restore_secret(self, ctx: RequestContext, *, secret_id: str) -> dict[str, Any]:
        secret = self.writable(self.find(ctx, secret_id))
        if secret.deletion_timer is not None:
            secret.deletion_timer.cancel()
        secret.deletion_timer = None
        secret.deleted_date = secret.deletion_date = None
        return {"ARN": secret.arn, "Name": secret.name}

    @operation
    def describe_secret(self, ctx: RequestContext, *, secret_id: str) -> dict[str, Any]:
        return self.describe(self.find(ctx, secret_id))

    # -- values ----------------------------------------------------------------

    @operation
    def put_secret_value(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        client_request_token: str | None = None,
        secret_binary: bytes | None = None,
        secret_string: str | None = None,
        version_stages: list[str] | None = None,
        rotation_token: str | None = None,
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        if secret_string is None and secret_binary is None:
            raise InvalidRequestException("You must provide either SecretString or SecretBinary.")
        moved = version_stages is None or CURRENT in version_stages
        version, created = self.put_version(
            ctx, secret, client_request_token, secret_string, secret_binary, version_stages
        )
        if created and moved:
            self.value_changed(secret, ctx.now)
        return {
            "ARN": secret.arn,
            "Name": secret.name,
            "VersionId": version.version_id,
            "VersionStages": secret.values.stages_of(version.version_id),
        }

    @operation
    def get_secret_value(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        version_id: str | None = None,
        version_stage: str | None = None,
    ) -> dict[str, Any]:
        secret = self.live(self.find(ctx, secret_id))
        values = secret.values
        if version_id is not None:
            version = values.get(version_id)
            if version is None or not version.has_value:
                raise ResourceNotFoundException(
                    f"Secrets Manager can't find the specified secret value for VersionId: {version_id}"
                )
            if version_stage is not None and version_stage not in values.stages_of(version_id):
                raise InvalidRequestException(
                    "You provided a VersionStage that is not associated to the provided VersionId."
                )
        else:
            stage = version_stage or CURRENT
            found = values.version_for(stage)
            if found is None or not found.has_value:
                raise ResourceNotFoundException(
                    f"Secrets Manager can't find the specified secret value for staging label: {stage}"
                )
            version = found
        return self.value_entry(secret, version)

    @operation
    def list_secret_version_ids(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        max_results: int | None = None,
        next_token: str | None = None,
        include_deprecated: bool | None = None,
    ) -> dict[str, Any]:
        # Assumption: AWS lists versions of a secret scheduled for deletion too (as DescribeSecret shows them).
        secret = self.find(ctx, secret_id)
        values = secret.values
        entries = []
        for vid, version in values.versions.items():
            stages = values.stages_of(vid)
            if not version.has_value or (not stages and not include_deprecated):
                continue
            entries.append(
                {
                    "VersionId": vid,
                    "VersionStages": stages or None,
                    "LastAccessedDate": day_of(version.last_accessed),
                    "CreatedDate": version.created,
                    "KmsKeyIds": list(version.kms_key_ids),
                }
            )
        shown, token = page(entries, next_token, max_results, 100)
        return {"Versions": shown, "NextToken": token, "ARN": secret.arn, "Name": secret.name}

    @operation
    def update_secret_version_stage(
        self,
        ctx: RequestContext,
        *,
        secret_id: str,
        version_stage: str,
        remove_from_version_id: str | None = None,
        move_to_version_id: str | None = None,
    ) -> dict[str, Any]:
        secret = self.writable(self.live(self.find(ctx, secret_id)))
        values = secret.values
        if remove_from_version_id is None and move_to_version_id is None:
            raise InvalidParameterException("You must specify MoveToVersionId, RemoveFromVersionId, or both.")
        for vid in (remove_from_version_id, move_to_version_id):
            if vid is not None and values.get(vid) is None:
                raise ResourceNotFoundException(f"Secrets Manager can't find the specified secret version: {vid}")
        holder = values.labels.get(version_stage)
        if remove_from_version_id is not None and holder != remove_from_version_id:
            raise InvalidParameterException(
                f"The staging label {version_stage} is not currently attached to version {remove_from_version_id}."
            )
        if move_to_version_id is None:
            if version_stage == CURRENT:
                raise InvalidParameterException(
                    "You can only move staging label AWSCURRENT to a different secret version. "
                    "It can't be completely removed."
                )
            values.detach(version_stage)
            values.drop_empty(holder or "")
        elif holder is not None and holder != move_to_version_id and remove_from_version_id is None:
            raise InvalidParameterException(
                f"The parameter RemoveFromVersionId can't be empty. Staging label {version_stage} is currently "
                f"attached to version {holder}, so you must explicitly reference that version in RemoveFromVersionId."
            )
        else:
            if (
                version_stage not in values.stages_of(move_to_version_id)
                and len(values.stages_of(move_to_version_id)) >= 20
            ):
                raise LimitExceededException("A secret version can have at most 20 staging labels.")
            values.attach(version_stage, move_to_version_id)
            if version_stage == CURRENT and holder != move_to_version_id:
                self.value_changed(secret, ctx.now)
        values.cleanup(ctx.now)
        secret.last_changed = ctx.now
        return {"ARN": secret.arn, "Name": secret.name}

    @operation
    def get_random_password(
        self,
        ctx: RequestContext,
        *,
        password_length: int | None = None,
        exclude_characters: str | None = None,
        exclude_numbers: bool | None = None,
        exclude_punctuation: bool | None = None,
        exclude_uppercase: bool | None = None,
        exclude_lowercase: bool | None = None,
        include_space: bool | None = None,
        require_each_included_type: bool | None = None,
    ) -> dict[str, Any]:
        password = random_password(
            self.cloud.ids,
            length=password_length,
            exclude_characters=exclude_characters,
            exclude_numbers=bool(exclude_numbers),
            exclude_punctuation=bool(exclude_punctuation),
            exclude_uppercase=bool(exclude_uppercase),
            exclude_lowercase=bool(exclude_lowercase),
            include_space=bool(include_space),
            require_each_included_type=require_each_included_type,
        )
        return {"RandomPassword": password}

    # -- what tests and reports see ----------------------------------------------

    def redact(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Params for the call log: values (and rotation tokens) become ``<redacted>``."""
        if not SENSITIVE.intersection(params):
            return params
        return {k: (REDACTED if k in SENSITIVE else v) for k, v in params.items()}

    def report_sections(self) -> list[tuple[str, str]]:
        lines = []
        for (account, region), store in sorted(self.stores().items()):
            for secret in store.secrets.values():
                lines.append(f"{account} {region} {SecretView(secret).summary()}")
                for run in secret.rotation.runs:
                    outcome = "ok" if run.succeeded else f"FAILED: {run.error}"
                    lines.append(f"    rotation {run.token}: {' -> '.join(run.steps)} {outcome}")
        return [("aws secretsmanager", self.scrub("\n".join(lines)))] if lines else []


__all__ = ["SecretsManagerService"]
