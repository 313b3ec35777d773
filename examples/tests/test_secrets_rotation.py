"""The order app reads its database password from Secrets Manager and survives a rotation.

A month of scheduled rotations passes in milliseconds of virtual time; the
database is a stand-in that accepts only its current password.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from orders.db_config import SECRET_ID, AuthenticationFailed, DbConfig, rotation_handler

from pytest_awsmsg import Cloud


class OrdersDatabase:
    """The database: one user, whose password the rotation function changes."""

    def __init__(self, password: str) -> None:
        self.password = password
        self.reachable = True
        self.sessions: list[str] = []

    def connect(self, host: str, username: str, password: str) -> str:
        if not self.reachable:
            raise ConnectionError(f"{host} is unreachable")
        if password != self.password:
            raise AuthenticationFailed(f"password authentication failed for user {username}")
        self.sessions.append(username)
        return f"session-{len(self.sessions)}"

    def set_password(self, username: str, password: str) -> None:
        if not self.reachable:
            raise ConnectionError("database unreachable")
        self.password = password


@pytest.fixture
def database(aws: Cloud) -> OrdersDatabase:
    """The database, its secret, and a 30-day rotation schedule with the app's rotation function."""
    aws.clock.freeze("2026-01-01T08:00:00Z")  # one timeline for the app's cache and the cloud
    db = OrdersDatabase("first-password-1")
    sm = boto3.client("secretsmanager")
    sm.create_secret(
        Name=SECRET_ID,
        SecretString=json.dumps({"host": "orders.db.internal", "username": "orders", "password": db.password}),
    )
    aws.lambdas.register("orders-db-rotation", rotation_handler(db.set_password, db))
    sm.rotate_secret(
        SecretId=SECRET_ID,
        RotationLambdaARN="orders-db-rotation",
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=False,  # only testSecret runs now; the first rotation is in 30 days
    )
    return db


def test_the_app_connects_with_the_secret(database: OrdersDatabase) -> None:
    config = DbConfig()

    assert config.connect(database) == "session-1"
    assert config.connect(database) == "session-2"
    assert config.reads == 1  # the second connection used the cache


def test_the_app_survives_a_scheduled_rotation(aws: Cloud, database: OrdersDatabase) -> None:
    config = DbConfig(cache_seconds=90 * 86400)  # cache longer than the rotation period, on purpose
    config.connect(database)
    old = database.password

    aws.clock.advance(days=31)

    secret = aws.secretsmanager.secret(SECRET_ID)
    assert [r.succeeded for r in secret.rotations if not r.test_only] == [True]
    assert database.password != old
    assert json.loads(str(secret.value()))["password"] == database.password
    # The cached password is stale now: the login fails once, the app rereads and carries on.
    assert config.connect(database) == "session-3"
    assert config.reads == 2


def test_a_failed_rotation_leaves_the_app_working(aws: Cloud, database: OrdersDatabase) -> None:
    config = DbConfig()
    config.connect(database)
    database.reachable = False  # the rotation's setSecret cannot reach the database

    aws.clock.advance(days=31)
    database.reachable = True

    secret = aws.secretsmanager.secret(SECRET_ID)
    run = secret.rotations[-1]
    assert (run.steps[-1], run.succeeded) == ("setSecret", False)
    assert "AWSPENDING" in secret.stages  # as AWS leaves it: the next window retries
    assert config.connect(database).startswith("session-")
    sm: Any = boto3.client("secretsmanager")
    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.rotate_secret(SecretId=SECRET_ID)

    aws.clock.advance(days=30)  # the next window reattempts the same rotation, and it succeeds now

    assert secret.rotations[-1].succeeded
    assert config.connect(database).startswith("session-")


def test_a_rotation_can_be_rolled_back(aws: Cloud, database: OrdersDatabase) -> None:
    sm = boto3.client("secretsmanager")
    sm.rotate_secret(SecretId=SECRET_ID)
    stages = sm.describe_secret(SecretId=SECRET_ID)["VersionIdsToStages"]
    current = next(v for v, labels in stages.items() if "AWSCURRENT" in labels)
    previous = next(v for v, labels in stages.items() if "AWSPREVIOUS" in labels)

    sm.update_secret_version_stage(
        SecretId=SECRET_ID, VersionStage="AWSCURRENT", MoveToVersionId=previous, RemoveFromVersionId=current
    )

    assert json.loads(sm.get_secret_value(SecretId=SECRET_ID)["SecretString"])["password"] == "first-password-1"
    # Moving the label rolls back the secret only: the database still has the rotated
    # password, so the app cannot log in until the database is rolled back too.
    with pytest.raises(AuthenticationFailed):
        DbConfig().connect(database)
    database.set_password("orders", "first-password-1")
    assert DbConfig().connect(database).startswith("session-")
