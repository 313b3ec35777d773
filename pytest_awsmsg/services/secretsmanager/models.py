"""Secrets Manager state: secrets, their versions and staging labels.

One :class:`SecretsStore` per (account, region). A cross-Region replica is a
:class:`Secret` in the replica Region's store whose ``primary`` is the
primary's object and whose ``values`` *is* the primary's
:class:`VersionStore`: a write to the primary is visible in every replica at
once, and a replica's reads are answered by its own Region's store, so they
keep working while the primary's Region is out. Stopping replication copies
the data, and the replica goes its own way.

Reprs never show a value: versions print ``value=<redacted>``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...core.clock import Timer

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"
PENDING = "AWSPENDING"

DAY = 86400.0  # seconds

# AWS: "Secrets Manager removes outdated versions when there are more than
# 100, but it does not remove versions created less than 24 hours ago."
MAX_VERSIONS = 100
DEPRECATED_GRACE = DAY


class Version:
    """One version of a secret. ``value`` is the string or the bytes stored."""

    __slots__ = ("created", "kms_key_ids", "last_accessed", "secret_binary", "secret_string", "version_id")

    def __init__(
        self,
        version_id: str,
        created: float,
        secret_string: str | None = None,
        secret_binary: bytes | None = None,
        kms_key_ids: list[str] | None = None,
    ) -> None:
        self.version_id = version_id
        self.created = created
        self.secret_string = secret_string
        self.secret_binary = secret_binary
        self.last_accessed: float | None = None
        self.kms_key_ids = kms_key_ids or []

    @property
    def has_value(self) -> bool:
        return self.secret_string is not None or self.secret_binary is not None

    @property
    def value(self) -> str | bytes | None:
        return self.secret_string if self.secret_string is not None else self.secret_binary

    def same_value(self, secret_string: str | None, secret_binary: bytes | None) -> bool:
        return self.secret_string == secret_string and self.secret_binary == secret_binary

    def __repr__(self) -> str:
        shown = "<redacted>" if self.has_value else "<empty>"
        return f"Version({self.version_id!r}, value={shown})"


class VersionStore:
    """A secret's versions (in creation order) and which version each label marks."""

    def __init__(self) -> None:
        self.versions: dict[str, Version] = {}
        self.labels: dict[str, str] = {}

    def get(self, version_id: str) -> Version | None:
        return self.versions.get(version_id)

    def version_for(self, label: str) -> Version | None:
        found = self.labels.get(label)
        return self.versions.get(found) if found else None

    def stages_of(self, version_id: str) -> list[str]:
        """The labels on a version, sorted (as AWS lists them: "AWSCURRENT", "AWSPENDING", "PUT1")."""
        return sorted(label for label, vid in self.labels.items() if vid == version_id)

    def to_stages(self, *, with_empty: bool = True) -> dict[str, list[str]]:
        """VersionIdsToStages: every version with a label (with or without a value)."""
        out: dict[str, list[str]] = {}
        for vid, version in self.versions.items():
            stages = self.stages_of(vid)
            if stages and (with_empty or version.has_value):
                out[vid] = stages
        return out

    def add(self, version: Version) -> None:
        self.versions[version.version_id] = version

    def attach(self, label: str, version_id: str) -> None:
        """Put ``label`` on a version, taking it off any other; AWSPREVIOUS follows AWSCURRENT."""
        old = self.labels.get(label)
        if label == CURRENT and old is not None and old != version_id:
            self.labels[PREVIOUS] = old
        self.labels[label] = version_id

    def detach(self, label: str) -> None:
        self.labels.pop(label, None)

    def deprecated(self) -> list[Version]:
        """Versions with no label left: AWS may delete them."""
        marked = set(self.labels.values())
        return [v for vid, v in self.versions.items() if vid not in marked]

    def cleanup(self, now: float) -> None:
        """AWS's rule: above 100 versions, drop deprecated ones older than 24 hours, oldest first."""
        if len(self.versions) <= MAX_VERSIONS:
            return
        for version in self.deprecated():
            if len(self.versions) <= MAX_VERSIONS:
                break
            if now - version.created >= DEPRECATED_GRACE:
                del self.versions[version.version_id]

    def drop_empty(self, version_id: str) -> None:
        """Forget a version that never got a value once nothing marks it."""
        version = self.versions.get(version_id)
        if version is not None and not version.has_value and version_id not in self.labels.values():
            del self.versions[version_id]

    def copy(self) -> VersionStore:
        return copy.deepcopy(self)


@dataclass
class RotationRun:
    """One rotation attempt, as a test can inspect it: which steps ran and how it ended."""

    token: str
    started: float
    scheduled: bool
    steps: list[str] = field(default_factory=list)
    error: str | None = None
    finished: float | None = None
    test_only: bool = False  # RotateImmediately=false: only testSecret ran

    @property
    def succeeded(self) -> bool:
        return self.finished is not None and self.error is None


@dataclass
class RotationConfig:
    enabled: bool | None = None  # None: never configured (DescribeSecret omits it)
    lambda_arn: str | None = None
    rules: dict[str, Any] | None = None
    last_rotated: float | None = None
    next_rotation: float | None = None  # NextRotationDate: end of the next window
    next_start: float | None = None  # when the fake starts that rotation (window start)
    timer: Timer | None = None
    external_metadata: list[dict[str, str]] | None = None
    external_role_arn: str | None = None
    runs: list[RotationRun] = field(default_factory=list)
    # AutomaticallyAfterDays as AWS reports it for a ScheduleExpression:
    # "calculated from the rotation schedule after every successful rotation".
    reported_days: int | None = None

    def reported_rules(self) -> dict[str, Any] | None:
        if self.rules is None or self.reported_days is None or "ScheduleExpression" not in self.rules:
            return self.rules
        return {"AutomaticallyAfterDays": self.reported_days, **self.rules}


@dataclass
class ReplicaState:
    """What a primary knows of one of its cross-Region replicas."""

    region: str
    kms_key_id: str | None
    status: str = "InSync"
    message: str | None = None


@dataclass
class CrossReplicaState:
    """What a primary knows of its cross-account replica."""

    arn: str
    role_arn: str | None
    status: str = "InSync"
    message: str | None = None


class Secret:
    """A secret in one Region of one account (a primary, a standalone secret, or a replica)."""

    def __init__(self, name: str, arn: str, region: str, account_id: str, created: float) -> None:
        self.name = name
        self.arn = arn
        self.region = region
        self.account_id = account_id
        self.created = created
        self.values = VersionStore()
        self.description: str | None = None
        self.kms_key_id: str | None = None
        self.tags: list[dict[str, str]] = []
        self.tagged = False  # ever tagged: DescribeSecret then shows Tags, even an empty list
        self.type: str | None = None
        self.owning_service: str | None = None
        self.last_changed = created
        self.last_accessed: float | None = None
        self.deleted_date: float | None = None
        self.deletion_date: float | None = None
        self.deletion_timer: Timer | None = None
        self.rotation = RotationConfig()
        self.policies: dict[str, str] = {}
        # Cross-Region replication.
        self.primary: Secret | None = None
        self.replicas: dict[str, ReplicaState] = {}
        # Cross-account replication.
        self.cross_primary_arn: str | None = None
        self.cross_status: str | None = None
        self.cross_message: str | None = None
        self.cross_primary: Secret | None = None
        self.cross_replicas: dict[str, CrossReplicaState] = {}

    @property
    def source(self) -> Secret:
        """Where shared metadata lives: the primary for a replica, else the secret itself."""
        return self.primary or self

    @property
    def is_replica(self) -> bool:
        return self.primary is not None

    @property
    def primary_region(self) -> str:
        return self.primary.region if self.primary is not None else self.region

    @property
    def scheduled_for_deletion(self) -> bool:
        return self.source.deleted_date is not None

    def __repr__(self) -> str:
        kind = " replica" if self.is_replica else ""
        return f"<Secret{kind} {self.name!r} {self.region} versions={self.values.to_stages()}>"


class SecretsStore:
    """The secrets of one account in one Region, by name."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.secrets: dict[str, Secret] = {}

    def by_arn(self, arn: str) -> Secret | None:
        for secret in self.secrets.values():
            if secret.arn == arn:
                return secret
        return None

    def __repr__(self) -> str:
        return f"<SecretsStore {self.account_id}/{self.region} {sorted(self.secrets)}>"
