"""The order app's database credentials, from Secrets Manager, surviving rotation.

Production-style code: plain boto3, no knowledge of tests. The credentials are
a JSON secret (``host``, ``username``, ``password``). :class:`DbConfig` keeps
them for ``cache_seconds`` so the app does not call Secrets Manager for every
connection; when the database refuses a login (the password was rotated under
it), it reads the secret again and retries once. That is the whole trick that
lets the app ride through a rotation.

:func:`rotation_handler` is the rotation function the app deploys beside it
(AWS's single-user strategy): ``createSecret`` stores a new password as
AWSPENDING, ``setSecret`` sets it on the database, ``testSecret`` logs in with
it, ``finishSecret`` moves AWSCURRENT.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import boto3

SECRET_ID = "orders/db"
CACHE_SECONDS = 300.0


class AuthenticationFailed(Exception):
    """The database refused the username and password."""


class Database(Protocol):
    def connect(self, host: str, username: str, password: str) -> Any: ...


@dataclass(frozen=True)
class Credentials:
    host: str
    username: str
    password: str

    def __repr__(self) -> str:  # never print a password
        return f"Credentials(host={self.host!r}, username={self.username!r}, password=<redacted>)"


class DbConfig:
    """Cached database credentials, reread when the database says they are stale."""

    def __init__(self, secret_id: str = SECRET_ID, *, cache_seconds: float = CACHE_SECONDS, client: Any = None):
        self.secret_id = secret_id
        self.cache_seconds = cache_seconds
        self._client = client or boto3.client("secretsmanager")
        self._cached: Credentials | None = None
        self._read_at = 0.0
        self.reads = 0

    def credentials(self) -> Credentials:
        if self._cached is None or time.time() - self._read_at >= self.cache_seconds:
            self.refresh()
        assert self._cached is not None
        return self._cached

    def refresh(self) -> Credentials:
        document = json.loads(self._client.get_secret_value(SecretId=self.secret_id)["SecretString"])
        self._cached = Credentials(document["host"], document["username"], document["password"])
        self._read_at = time.time()
        self.reads += 1
        return self._cached

    def connect(self, database: Database) -> Any:
        """Connect with the cached credentials; after a refused login, reread the secret and retry once."""
        creds = self.credentials()
        try:
            return database.connect(creds.host, creds.username, creds.password)
        except AuthenticationFailed:
            fresh = self.refresh()
            return database.connect(fresh.host, fresh.username, fresh.password)


def rotation_handler(
    set_password: Callable[[str, str], None], database: Database
) -> Callable[[dict[str, Any], Any], None]:
    """The single-user rotation function: ``set_password(username, new)`` changes it on the database."""

    def handler(event: dict[str, Any], context: Any) -> None:
        client = boto3.client("secretsmanager")
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
        if "AWSCURRENT" in stages.get(token, []):
            return  # already finished
        if "AWSPENDING" not in stages.get(token, []):
            raise ValueError(f"Version {token} of {arn} is not pending rotation")
        if step == "createSecret":
            current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
            try:
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except client.exceptions.ResourceNotFoundException:
                new = client.get_random_password(PasswordLength=24, ExcludeCharacters="/@\"'\\")["RandomPassword"]
                client.put_secret_value(
                    SecretId=arn,
                    ClientRequestToken=token,
                    SecretString=json.dumps({**current, "password": new}),
                    VersionStages=["AWSPENDING"],
                )
        elif step in ("setSecret", "testSecret"):
            pending = json.loads(
                client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"]
            )
            if step == "setSecret":
                set_password(pending["username"], pending["password"])
            else:
                database.connect(pending["host"], pending["username"], pending["password"])
        elif step == "finishSecret":
            current = next(version for version, labels in stages.items() if "AWSCURRENT" in labels)
            client.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
            )
        else:
            raise ValueError(f"Unknown rotation step {step}")

    return handler
