"""Creating, reading, describing and updating secrets, and finding them by name or ARN."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]


def test_create_secret_returns_an_arn_with_a_six_character_suffix(sm: Any) -> None:
    created = sm.create_secret(Name="prod/db", SecretString="s3cret-value")

    assert re.fullmatch(r"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-[A-Za-z0-9]{6}", created["ARN"])
    assert created["Name"] == "prod/db"
    assert sm.get_secret_value(SecretId="prod/db")["SecretString"] == "s3cret-value"


def test_the_same_seed_gives_the_same_arns_and_version_ids() -> None:
    """botocore's own ClientRequestToken (the VersionId) is drawn from the seed too."""
    from pytest_awsmsg import fake_aws

    answers = []
    for _ in range(2):
        with fake_aws(seed=7):
            client = boto3.client("secretsmanager", region_name="us-east-1")
            created = client.create_secret(Name="db", SecretString="x")
            put = client.put_secret_value(SecretId="db", SecretString="y")
            answers.append((created["ARN"], created["VersionId"], put["VersionId"]))
    assert answers[0] == answers[1]


def test_secret_binary_round_trips(sm: Any) -> None:
    sm.create_secret(Name="cert", SecretBinary=b"\x00\x01binary")

    got = sm.get_secret_value(SecretId="cert")
    assert got["SecretBinary"] == b"\x00\x01binary"
    assert "SecretString" not in got


def test_a_secret_is_found_by_name_full_arn_and_partial_arn(sm: Any, make_secret: MakeSecret) -> None:
    arn = make_secret("app/db")["ARN"]
    partial = arn[: -len("-abcdef")]

    for secret_id in ("app/db", arn, partial):
        assert sm.get_secret_value(SecretId=secret_id)["ARN"] == arn


def test_a_partial_arn_of_a_name_ending_in_six_characters_is_not_found(sm: Any, make_secret: MakeSecret) -> None:
    """AWS's documented pitfall: such a partial ARN reads as a complete ARN."""
    arn = make_secret("svc-abcdef")["ARN"]

    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        sm.get_secret_value(SecretId=arn[: -len("-XXXXXX")])
    assert error_of(excinfo) == ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def test_an_unknown_secret_is_not_found(sm: Any) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        sm.describe_secret(SecretId="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def test_creating_a_secret_twice_is_refused(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.ResourceExistsException) as excinfo:
        make_secret("db", "other")
    assert error_of(excinfo) == (
        "ResourceExistsException",
        "The operation failed because the secret db already exists.",
    )


def test_a_retried_create_with_the_same_token_and_value_succeeds(sm: Any) -> None:
    token = "a" * 32
    first = sm.create_secret(Name="db", SecretString="v", ClientRequestToken=token)
    again = sm.create_secret(Name="db", SecretString="v", ClientRequestToken=token)

    assert again["ARN"] == first["ARN"]
    assert again["VersionId"] == token


def test_an_invalid_name_is_refused(sm: Any) -> None:
    with pytest.raises(sm.exceptions.ClientError) as excinfo:
        sm.create_secret(Name="bad name!", SecretString="x")
    assert error_of(excinfo) == (
        "ValidationException",
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    )


def test_string_and_binary_together_are_refused(sm: Any) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.create_secret(Name="db", SecretString="x", SecretBinary=b"y")
    assert error_of(excinfo)[1] == (
        "You can't specify both a binary secret value and a string secret value in the same secret."
    )


def test_a_secret_without_a_value_has_no_current_version(sm: Any) -> None:
    sm.create_secret(Name="later", Description="filled in by the deploy")

    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        sm.get_secret_value(SecretId="later")
    assert error_of(excinfo)[1] == "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"
    version = sm.put_secret_value(SecretId="later", SecretString="now")
    assert version["VersionStages"] == ["AWSCURRENT"]


def test_describe_secret_reports_every_field_that_has_a_value(aws: Cloud, sm: Any) -> None:
    aws.clock.freeze("2026-03-01T10:00:00Z")
    created = sm.create_secret(
        Name="db",
        SecretString="x",
        Description="orders database",
        KmsKeyId="alias/orders",
        Tags=[{"Key": "team", "Value": "orders"}],
    )
    aws.clock.advance(days=2)
    sm.get_secret_value(SecretId="db")

    described = sm.describe_secret(SecretId="db")

    utc = timezone.utc
    assert described["ARN"] == created["ARN"]
    assert described["Description"] == "orders database"
    assert described["KmsKeyId"] == "alias/orders"
    assert described["Tags"] == [{"Key": "team", "Value": "orders"}]
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
    assert described["CreatedDate"] == datetime(2026, 3, 1, 10, tzinfo=utc)
    assert described["LastChangedDate"] == datetime(2026, 3, 1, 10, tzinfo=utc)
    # AWS keeps LastAccessedDate at day resolution.
    assert described["LastAccessedDate"] == datetime(2026, 3, 3, tzinfo=utc)
    for absent in (
        "PrimaryRegion",
        "RotationEnabled",
        "DeletedDate",
        "NextRotationDate",
        "LastRotatedDate",
        "ReplicationStatus",
    ):
        assert absent not in described


def test_update_secret_changes_metadata_and_adds_a_version(sm: Any, make_secret: MakeSecret) -> None:
    first = make_secret("db", "one")["VersionId"]

    updated = sm.update_secret(SecretId="db", Description="new", SecretString="two")
    described = sm.describe_secret(SecretId="db")

    assert described["Description"] == "new"
    assert described["VersionIdsToStages"] == {first: ["AWSPREVIOUS"], updated["VersionId"]: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "two"
    assert sm.get_secret_value(SecretId="db", VersionStage="AWSPREVIOUS")["SecretString"] == "one"


def test_update_secret_without_a_value_creates_no_version(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    answer = sm.update_secret(SecretId="db", KmsKeyId="alias/new")

    assert "VersionId" not in answer
    assert sm.describe_secret(SecretId="db")["KmsKeyId"] == "alias/new"


def test_update_secret_refuses_a_token_that_names_a_version_with_another_value(sm: Any) -> None:
    token = "b" * 32
    arn = sm.create_secret(Name="db", SecretString="v", ClientRequestToken=token)["ARN"]

    with pytest.raises(sm.exceptions.ResourceExistsException) as excinfo:
        sm.update_secret(SecretId="db", SecretString="w", ClientRequestToken=token, Description="changed")
    assert error_of(excinfo)[1] == (
        f"You can't use ClientRequestToken {token} because that value is already in use for a version of secret {arn}."
    )
    assert "Description" not in sm.describe_secret(SecretId="db")  # a refused call changes nothing


def test_update_secret_is_idempotent_on_its_token(sm: Any) -> None:
    """AWS: same token, same value: "the request is ignored" (no new version, no error)."""
    sm.create_secret(Name="db", SecretString="v1", ClientRequestToken="a" * 32)
    first = sm.update_secret(SecretId="db", SecretString="v2", ClientRequestToken="b" * 32)
    again = sm.update_secret(SecretId="db", SecretString="v2", ClientRequestToken="b" * 32)

    assert again == {**first, "ResponseMetadata": again["ResponseMetadata"]}
    assert sm.describe_secret(SecretId="db")["VersionIdsToStages"] == {
        "a" * 32: ["AWSPREVIOUS"],
        "b" * 32: ["AWSCURRENT"],
    }


def test_tags_are_added_replaced_and_removed(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", Tags=[{"Key": "a", "Value": "1"}])

    sm.tag_resource(SecretId="db", Tags=[{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}])
    assert sm.describe_secret(SecretId="db")["Tags"] == [{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}]

    sm.untag_resource(SecretId="db", TagKeys=["a", "missing"])
    assert sm.describe_secret(SecretId="db")["Tags"] == [{"Key": "b", "Value": "3"}]


def test_the_python_view_shows_versions_and_labels(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", "one")
    sm.put_secret_value(SecretId="db", SecretString="two")

    secret = aws.secretsmanager.secret("db")

    assert [v.stages for v in secret.versions] == [("AWSPREVIOUS",), ("AWSCURRENT",)]
    assert secret.value() == "two"
    assert secret.value("AWSPREVIOUS") == "one"
    assert secret.stages["AWSCURRENT"] == secret.versions[1].version_id
    assert [s.name for s in aws.secretsmanager.secrets()] == ["db"]
    with pytest.raises(
        KeyError, match=r"No Secrets Manager secret 'nope' in 123456789012/us-east-1; secrets there: \['db'\]"
    ):
        aws.secretsmanager.secret("nope")


def test_another_account_reads_a_secret_by_its_arn(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    arn = make_secret("shared", "v")["ARN"]
    theirs = boto3.client("secretsmanager", region_name="us-east-1", **aws.credentials_for("111122223333"))

    assert theirs.get_secret_value(SecretId=arn)["SecretString"] == "v"
    with pytest.raises(theirs.exceptions.ResourceNotFoundException):
        theirs.get_secret_value(SecretId="shared")  # by name: only in the caller's own account


def test_an_arn_of_another_region_is_not_found_here(sm: Any, make_secret: MakeSecret) -> None:
    arn = make_secret("db")["ARN"]

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.get_secret_value(SecretId=arn.replace("us-east-1", "eu-west-1"))


def test_an_empty_kms_key_id_goes_back_to_the_aws_managed_key(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", KmsKeyId="alias/custom")

    sm.update_secret(SecretId="db", KmsKeyId="")

    assert "KmsKeyId" not in sm.describe_secret(SecretId="db")


def test_restoring_a_secret_that_is_not_deleted_is_harmless(sm: Any, make_secret: MakeSecret) -> None:
    arn = make_secret("db")["ARN"]

    assert sm.restore_secret(SecretId="db")["ARN"] == arn


@pytest.mark.requires_api("secretsmanager", "CreateSecret", "Type")
def test_a_managed_external_secret_records_its_rotation_configuration(sm: Any) -> None:
    sm.create_secret(Name="partner", SecretString="token", Type="SalesforceClientCredentials")
    metadata = [{"Key": "instance", "Value": "acme"}]
    role = "arn:aws:iam::123456789012:role/partner-rotation"

    answer = sm.rotate_secret(
        SecretId="partner",
        ExternalSecretRotationMetadata=metadata,
        ExternalSecretRotationRoleArn=role,
        RotationRules={"AutomaticallyAfterDays": 30},
    )

    assert "VersionId" not in answer  # the partner rotates; nothing ran here
    described = sm.describe_secret(SecretId="partner")
    assert described["Type"] == "SalesforceClientCredentials"
    assert described["ExternalSecretRotationMetadata"] == metadata
    assert described["ExternalSecretRotationRoleArn"] == role
    assert described["RotationEnabled"] is True
