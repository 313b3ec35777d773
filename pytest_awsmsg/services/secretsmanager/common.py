"""What every Secrets Manager operation shares: finding a secret as AWS does,
the guards AWS applies (deleted, replica), new versions, and the shapes
DescribeSecret and ListSecrets answer with.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import OperationModel

from ...core.errors import AwsError
from ...core.paging import InvalidPageToken
from ...core.paging import page as core_page
from ...core.protocols.validation import missing_member
from ..base import RequestContext, Service
from .errors import (
    ERRORS,
    INVALID_NAME,
    MARKED_FOR_DELETION,
    REPLICA_READ_ONLY,
    InvalidNextTokenException,
    InvalidParameterException,
    InvalidRequestException,
    ResourceExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from .models import CURRENT, DAY, Secret, SecretsStore, Version

# The characters AWS's own message lists: "-/_+=.@!" ("!" appears in the names of
# secrets other services manage, e.g. "rds!cluster-...").
_NAME = re.compile(r"^[A-Za-z0-9/_+=.@!-]+$")
# AWS appends "-" and six random characters to the name in the ARN.
_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
DEFAULT_KEY = "DefaultEncryptionKey"
MAX_TAGS = 50


def day_of(ts: float | None) -> float | None:
    """AWS reports LastAccessedDate at day resolution: midnight UTC of that day."""
    return None if ts is None else ts - ts % DAY


def page(
    items: list[Any], next_token: str | None, max_results: int | None, default: int
) -> tuple[list[Any], str | None]:
    """One page of ``items`` and the NextToken for the rest (an opaque offset)."""
    if next_token == "":
        raise InvalidNextTokenException()
    try:
        return core_page(items, next_token, max_results, default_size=default)
    except InvalidPageToken:
        raise InvalidNextTokenException() from None


def tag_list(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """Tags as a secret keeps them: one per key (the last wins), in first-seen order, at most 50.

    Assumption: AWS's tag quota (50 per resource) is refused with
    InvalidParameterException, by CreateSecret and TagResource alike.
    """
    for index, tag in enumerate(tags):
        if tag.get("Key") is None:  # optional in the model, needed by AWS
            raise missing_member("secretsmanager", f"tags.{index + 1}.member.key")
    merged = {t["Key"]: t.get("Value", "") for t in tags}
    if len(merged) > MAX_TAGS:
        raise InvalidParameterException(f"A secret can have at most {MAX_TAGS} tags.")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def token_in_use(token: str, secret: Secret) -> AwsError:
    """A ClientRequestToken reused with another value (CreateSecret, PutSecretValue, UpdateSecret)."""
    return ResourceExistsException(
        f"You can't use ClientRequestToken {token} because that value is already in use for a version of "
        f"secret {secret.arn}."
    )


def check_secret_id(secret_id: str) -> None:
    """AWS's syntax check of a name or a SecretId, made by every operation before any lookup.

    An ARN is looked up as it is (a malformed one is simply not found).
    """
    if not secret_id.startswith("arn:") and not _NAME.match(secret_id):
        raise ValidationException(INVALID_NAME)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


class SecretsBase(Service[SecretsStore]):
    """Shared helpers of :class:`~.api.SecretsManagerService` and its operation groups."""

    name = "secretsmanager"
    error_classes = ERRORS
    # A version or a KMS key is not a secret.
    not_resources = frozenset({"VersionId", "KmsKeyId"})

    def new_store(self, account_id: str, region: str) -> SecretsStore:
        return SecretsStore(account_id, region)

    def dispatch(self, ctx: RequestContext, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
        """Answer as AWS does: "Secrets Manager only returns fields that have a value"."""
        result: dict[str, Any] = _without_none(super().dispatch(ctx, operation, params))
        return result

    # -- finding a secret ----------------------------------------------------

    def find(self, ctx: RequestContext, secret_id: str) -> Secret:
        """The secret a SecretId names: its name, its ARN, or a partial ARN (without the suffix).

        AWS documents that a partial ARN whose name itself ends in a hyphen and
        six characters is read as a complete ARN and then not found; the fake
        does the same. An ARN of another account reaches that account's
        secret (the fake does not evaluate IAM or resource policies).
        """
        check_secret_id(secret_id)
        store = self.ctx_store(ctx)
        if secret_id.startswith("arn:"):
            parts = secret_id.split(":", 6)
            if len(parts) < 7 or parts[2] != "secretsmanager" or parts[5] != "secret":
                raise ResourceNotFoundException()
            if parts[3] != ctx.region:
                raise ResourceNotFoundException()
            if parts[4] != ctx.account_id:
                store = self.store(parts[4], parts[3])
            found = store.by_arn(secret_id)
            if found is not None:
                return found
            resource = parts[6]
            if _SUFFIX.search(resource):
                raise ResourceNotFoundException()
            found = store.secrets.get(resource)
        else:
            found = store.secrets.get(secret_id)
        if found is None:
            raise ResourceNotFoundException()
        return found

    @staticmethod
    def live(secret: Secret) -> Secret:
        """Refuse a secret scheduled for deletion, with AWS's message."""
        if secret.scheduled_for_deletion:
            raise InvalidRequestException(MARKED_FOR_DELETION)
        return secret

    @staticmethod
    def writable(secret: Secret) -> Secret:
        """Refuse writes to a replica (cross-Region or cross-account): they belong to the primary."""
        if secret.is_replica or secret.cross_primary_arn is not None:
            raise InvalidRequestException(REPLICA_READ_ONLY)
        return secret

    # -- values ------------------------------------------------------------------

    @staticmethod
    def check_value(secret_string: str | None, secret_binary: bytes | None) -> None:
        """A version holds a string or bytes, never both (AWS could not say which to return)."""
        if secret_string is not None and secret_binary is not None:
            raise InvalidParameterException(
                "You can't specify both a binary secret value and a string secret value in the same secret."
            )

    def put_version(
        self,
        ctx: RequestContext,
        secret: Secret,
        token: str | None,
        secret_string: str | None,
        secret_binary: bytes | None,
        stages: list[str] | None = None,
    ) -> tuple[Version, bool]:
        """Store a value as a new version, idempotently on ``token``, as PutSecretValue does.

        Same token and same value: nothing changes (the second item of the
        answer is ``False``, so callers do not count a retry as a change).
        Same token, another value: refused. A token that names an empty
        version (the placeholder a rotation creates before ``createSecret``)
        receives the value.
        """
        self.check_value(secret_string, secret_binary)
        values = secret.values
        version_id = token or self.cloud.ids.uuid4()
        existing = values.get(version_id)
        if existing is not None and existing.has_value:
            if existing.same_value(secret_string, secret_binary):
                return existing, False
            raise token_in_use(version_id, secret)
        if existing is None:
            existing = Version(version_id, ctx.now, kms_key_ids=[secret.kms_key_id or DEFAULT_KEY])
            values.add(existing)
        existing.secret_string = secret_string
        existing.secret_binary = secret_binary
        for label in stages if stages is not None else [CURRENT]:
            values.attach(label, version_id)
        if not values.labels.get(CURRENT):
            # The first version of a secret always becomes AWSCURRENT.
            values.attach(CURRENT, version_id)
        values.cleanup(ctx.now)
        secret.last_changed = ctx.now
        return existing, True

    # -- answers -------------------------------------------------------------------

    def describe(self, secret: Secret, *, listing: bool = False) -> dict[str, Any]:
        """DescribeSecret's answer (or, with ``listing``, a ListSecrets entry)."""
        src = secret.source
        rotation = src.rotation
        enabled = rotation.enabled
        out: dict[str, Any] = {
            "ARN": secret.arn,
            "Name": secret.name,
            "Type": src.type,
            "Description": src.description,
            "KmsKeyId": secret.kms_key_id,
            "RotationEnabled": enabled,
            "RotationLambdaARN": rotation.lambda_arn,
            "RotationRules": rotation.reported_rules(),
            "ExternalSecretRotationMetadata": rotation.external_metadata,
            "ExternalSecretRotationRoleArn": rotation.external_role_arn,
            "LastRotatedDate": rotation.last_rotated if enabled else None,
            "LastChangedDate": src.last_changed,
            "LastAccessedDate": day_of(secret.last_accessed),
            "DeletedDate": src.deleted_date,
            "NextRotationDate": rotation.next_rotation if enabled else None,
            # AWS omits Tags until a secret is first tagged; afterwards an empty list stays "Tags": [].
            "Tags": list(src.tags) if src.tags or src.tagged else None,
            "OwningService": src.owning_service,
            "CreatedDate": secret.created,
            # Only a multi-Region secret (a primary with replicas, or a replica) names its primary Region.
            "PrimaryRegion": secret.primary_region if secret.is_replica or secret.replicas else None,
        }
        stages = secret.values.to_stages()
        if listing:
            out["SecretVersionsToStages"] = stages or None
            return out
        out["VersionIdsToStages"] = stages or None
        if secret.replicas:
            out["ReplicationStatus"] = self.replication_status(secret)
        if secret.cross_primary_arn is not None:
            out["CrossAccountPrimary"] = {
                "PrimarySecretARN": secret.cross_primary_arn,
                "ReplicationStatus": secret.cross_status,
                "StatusMessage": secret.cross_message,
            }
        if secret.cross_replicas:
            out["CrossAccountReplicas"] = [
                {
                    "ReplicaSecretARN": r.arn,
                    "ReplicationRoleARN": r.role_arn,
                    "ReplicationStatus": r.status,
                    "StatusMessage": r.message,
                }
                for r in secret.cross_replicas.values()
            ]
        return out

    def replication_status(self, secret: Secret) -> list[dict[str, Any]]:
        """ReplicationStatus of a primary; LastAccessedDate comes from each replica's own Region."""
        out = []
        for state in secret.replicas.values():
            replica = self.store(secret.account_id, state.region).secrets.get(secret.name)
            accessed = replica.last_accessed if replica is not None and replica.primary is secret else None
            out.append(
                {
                    "Region": state.region,
                    "KmsKeyId": state.kms_key_id or "alias/aws/secretsmanager",
                    "Status": state.status,
                    "StatusMessage": state.message,
                    "LastAccessedDate": day_of(accessed),
                }
            )
        return out

    def value_entry(self, secret: Secret, version: Version) -> dict[str, Any]:
        """GetSecretValue's answer for one version; marks it (and the secret) accessed."""
        version.last_accessed = self.cloud.clock.now()
        secret.last_accessed = version.last_accessed
        return {
            "ARN": secret.arn,
            "Name": secret.name,
            "VersionId": version.version_id,
            "SecretString": version.secret_string,
            "SecretBinary": version.secret_binary,
            "VersionStages": secret.values.stages_of(version.version_id),
            "CreatedDate": version.created,
        }

    def forget(self, secret: Secret) -> None:
        """Remove a secret for good: its timers stop and its name is free again."""
        store = self.store(secret.account_id, secret.region)
        if store.secrets.get(secret.name) is secret:
            del store.secrets[secret.name]
        for timer in (secret.deletion_timer, secret.rotation.timer):
            if timer is not None:
                timer.cancel()
        secret.rotation.timer = None
