"""Libraries teams use against Secrets Manager work unchanged on the fake.

``aws-secretsmanager-caching`` (SecretCache) and the parameters utility of
``aws-lambda-powertools`` both keep values for a while by the process's
clock, so these tests freeze the cloud's clock: then moving cloud time moves
the libraries' notion of time too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aws_secretsmanager_caching as caching
import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from pytest_awsmsg import Cloud

MakeSecret = Callable[..., dict[str, Any]]


def test_secret_cache_reads_and_refreshes_after_a_rotation(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Callable[..., str]
) -> None:
    aws.clock.freeze("2026-06-01T00:00:00Z")
    make_secret("db")
    cache = caching.SecretCache(
        config=caching.SecretCacheConfig(secret_refresh_interval=600),
        client=boto3.client("secretsmanager", region_name="us-east-1"),
    )
    assert json.loads(cache.get_secret_string("db"))["password"] == "initial-pw-1"

    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function())
    new_password = json.loads(sm.get_secret_value(SecretId="db")["SecretString"])["password"]
    assert json.loads(cache.get_secret_string("db"))["password"] == "initial-pw-1"  # still cached

    aws.clock.advance(minutes=11)

    assert json.loads(cache.get_secret_string("db"))["password"] == new_password


def test_secret_cache_reads_binary_and_labels(aws: Cloud, sm: Any) -> None:
    sm.create_secret(Name="cert", SecretBinary=b"\x01\x02")
    sm.put_secret_value(SecretId="cert", SecretBinary=b"\x03", VersionStages=["next"])
    cache = caching.SecretCache(client=boto3.client("secretsmanager", region_name="us-east-1"))

    assert cache.get_secret_binary("cert") == b"\x01\x02"
    assert cache.get_secret_binary("cert", version_stage="next") == b"\x03"


def test_powertools_get_secret_and_transform(aws: Cloud, make_secret: MakeSecret) -> None:
    aws.clock.freeze("2026-06-01T00:00:00Z")
    make_secret("db")
    parameters.clear_caches()

    assert parameters.get_secret("db", transform="json", max_age=60)["password"] == "initial-pw-1"

    boto3.client("secretsmanager", region_name="us-east-1").put_secret_value(
        SecretId="db", SecretString=json.dumps({"password": "second-pw-2"})
    )
    assert parameters.get_secret("db", transform="json", max_age=60)["password"] == "initial-pw-1"  # cached
    aws.clock.advance(seconds=61)
    assert parameters.get_secret("db", transform="json", max_age=60)["password"] == "second-pw-2"


def test_powertools_set_secret_and_get_secrets_by_name(aws: Cloud) -> None:
    parameters.clear_caches()

    parameters.set_secret(name="api-key", value="k-1")
    parameters.set_secret(name="api-key", value="k-2")
    parameters.set_secret(name="token", value="t-1")

    values = parameters.get_secrets_by_name(["api-key", "token"], max_age=0)
    assert values == {"api-key": "k-2", "token": "t-1"}


def test_powertools_reports_a_missing_secret(aws: Cloud) -> None:
    parameters.clear_caches()

    with pytest.raises(parameters.exceptions.GetParameterError, match="ResourceNotFoundException"):
        parameters.get_secret("missing")
