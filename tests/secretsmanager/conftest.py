"""Fixtures for the Secrets Manager tests: a client on the fake, a secret
factory, and a rotation function written the way AWS's templates write one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .helpers import FakeDatabase

REGION = "us-east-1"


@pytest.fixture
def sm(aws: Cloud) -> Any:
    return boto3.client("secretsmanager", region_name=REGION)


@pytest.fixture
def make_secret(sm: Any) -> Callable[..., dict[str, Any]]:
    """Create a secret (a JSON database credential unless told otherwise); returns CreateSecret's answer."""

    def make(name: str = "db", value: str | None = None, **kwargs: Any) -> dict[str, Any]:
        if value is None and "SecretBinary" not in kwargs:
            value = json.dumps({"username": "app", "password": "initial-pw-1"})
        if value is not None:
            kwargs["SecretString"] = value
        return dict(sm.create_secret(Name=name, **kwargs))

    return make


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def rotation_function(aws: Cloud, database: FakeDatabase) -> Callable[..., str]:
    """Register a single-user rotation function (AWS's template, step by step).

    ``fail_at="setSecret"`` makes that step raise (``failures`` times, else
    always). Returns the function's ARN.
    """

    def register(name: str = "rotate-db", fail_at: str | None = None, failures: int | None = None) -> str:
        left = [failures]

        def handler(event: dict[str, Any], context: Any) -> None:
            client = boto3.client("secretsmanager", region_name=REGION)
            arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
            if step == fail_at and left[0] != 0:
                left[0] = None if left[0] is None else left[0] - 1
                raise RuntimeError(f"{step} broke on purpose")
            stages = client.describe_secret(SecretId=arn)["VersionIdsToStages"]
            if token not in stages:
                raise ValueError(f"Secret version {token} has no stage for rotation")
            if "AWSCURRENT" in stages[token]:
                return
            if "AWSPENDING" not in stages[token]:
                raise ValueError(f"Secret version {token} not set as AWSPENDING for rotation")
            if step == "createSecret":
                current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
                try:
                    client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
                except client.exceptions.ResourceNotFoundException:
                    password = client.get_random_password(ExcludeCharacters="/@\"'\\")["RandomPassword"]
                    client.put_secret_value(
                        SecretId=arn,
                        ClientRequestToken=token,
                        SecretString=json.dumps({**current, "password": password}),
                        VersionStages=["AWSPENDING"],
                    )
            elif step == "setSecret":
                pending = client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
                database.password = json.loads(pending["SecretString"])["password"]
            elif step == "testSecret":
                pending = client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
                if not database.login(json.loads(pending["SecretString"])["password"]):
                    raise ValueError("Unable to log into database with pending secret")
            elif step == "finishSecret":
                current = next(v for v, s in stages.items() if "AWSCURRENT" in s)
                client.update_secret_version_stage(
                    SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
                )

        return str(aws.lambdas.register(name, handler))

    return register
