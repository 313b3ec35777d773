"""AWS Secrets Manager: secrets, versions and labels, rotation, recovery and replication."""

from __future__ import annotations

from .api import SecretsManagerService
from .views import SecretView, VersionView

__all__ = ["SecretView", "SecretsManagerService", "VersionView"]
