"""``aws.secretsmanager``: live, read-only views of secrets for asserts.

``aws.secretsmanager.secret("db")`` gives a :class:`SecretView`: its versions
and labels, rotation history and deletion state. Values are reachable only
through :meth:`SecretView.value`, never through a repr, so a failing assert or
a debugger print does not leak them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from ...core.views import ServiceView, arn_parts
from .common import SecretsBase
from .models import CURRENT, RotationRun, Secret, Version


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)


@dataclass(frozen=True)
class VersionView:
    """One version: its id, labels and creation time (the value stays hidden)."""

    version_id: str
    stages: tuple[str, ...]
    created: datetime
    has_value: bool
    _version: Version

    @property
    def deprecated(self) -> bool:
        """No label left: AWS may delete it."""
        return not self.stages

    @property
    def value(self) -> str | bytes | None:
        return self._version.value

    def __repr__(self) -> str:
        shown = "<redacted>" if self.has_value else "<empty>"
        return f"VersionView({self.version_id!r}, stages={list(self.stages)}, value={shown})"


class SecretView:
    """A secret as a test sees it. Reading it changes nothing (not even LastAccessedDate)."""

    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    @property
    def name(self) -> str:
        return self._secret.name

    @property
    def arn(self) -> str:
        return self._secret.arn

    @property
    def region(self) -> str:
        return self._secret.region

    @property
    def is_replica(self) -> bool:
        return self._secret.is_replica or self._secret.cross_primary_arn is not None

    @property
    def primary_region(self) -> str:
        return self._secret.primary_region

    @property
    def versions(self) -> list[VersionView]:
        """Every version still kept, oldest first (deprecated ones included)."""
        values = self._secret.values
        return [
            VersionView(
                vid, tuple(values.stages_of(vid)), datetime.fromtimestamp(v.created, tz=timezone.utc), v.has_value, v
            )
            for vid, v in values.versions.items()
        ]

    @property
    def stages(self) -> dict[str, str]:
        """Staging label -> version id."""
        return dict(self._secret.values.labels)

    def version(self, stage_or_id: str = CURRENT) -> VersionView | None:
        """The version a label marks (or with that id)."""
        values = self._secret.values
        vid = values.labels.get(stage_or_id, stage_or_id)
        return next((v for v in self.versions if v.version_id == vid), None)

    def value(self, stage_or_id: str = CURRENT) -> str | bytes | None:
        """The value of a version (AWSCURRENT by default): the one way to read it."""
        found = self.version(stage_or_id)
        return None if found is None else found.value

    @property
    def deleted(self) -> bool:
        """Scheduled for deletion (still recoverable)."""
        return self._secret.scheduled_for_deletion

    @property
    def deletion_date(self) -> datetime | None:
        return _dt(self._secret.source.deletion_date)

    @property
    def rotation_enabled(self) -> bool:
        return bool(self._secret.source.rotation.enabled)

    @property
    def last_rotated(self) -> datetime | None:
        return _dt(self._secret.source.rotation.last_rotated)

    @property
    def next_rotation(self) -> datetime | None:
        return _dt(self._secret.source.rotation.next_rotation)

    @property
    def rotations(self) -> list[RotationRun]:
        """Every rotation attempt: steps run, error (values scrubbed), finish time."""
        return list(self._secret.source.rotation.runs)

    @property
    def tags(self) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self._secret.source.tags}

    @property
    def policy(self) -> str | None:
        return self._secret.source.policies.get("default")

    @property
    def replica_regions(self) -> dict[str, str]:
        """Region -> replication status, for a primary."""
        return {r: s.status for r, s in self._secret.replicas.items()}

    def summary(self) -> str:
        state = " (scheduled for deletion)" if self.deleted else ""
        kind = " replica" if self.is_replica else ""
        stages = {v.version_id[:8]: list(v.stages) for v in self.versions}
        return f"secret{kind} {self.name!r}{state} versions={stages}"

    def __repr__(self) -> str:
        return f"<SecretView {self.summary()}>"


class SecretsManagerView(ServiceView[SecretsBase]):
    """``aws.secretsmanager``: secrets for asserts (no production quirks: the service has none to fake)."""

    title = "Secrets Manager"

    def secret(self, secret_id: str, *, region: str | None = None, account_id: str | None = None) -> SecretView:
        """A secret by name (in the cloud's account and region unless given) or ARN."""
        parts = arn_parts(secret_id)
        if parts is not None:
            found = self._lookup(
                "secret",
                secret_id,
                lambda store: {s.arn: s for s in store.secrets.values()},
                region=parts[0],
                account_id=parts[1],
                plural="secret ARNs",
            )
        else:
            found = self._lookup("secret", secret_id, lambda store: store.secrets, region=region, account_id=account_id)
        return SecretView(found)

    def secrets(self, *, region: str | None = None, account_id: str | None = None) -> list[SecretView]:
        """Every secret of a Region (replicas and secrets scheduled for deletion included)."""
        with self._cloud.lock:
            store = self._service.stores().get(self._where(region, account_id))
            return [SecretView(s) for s in store.secrets.values()] if store else []
