"""The documented errors of the operations the other files cover only on their happy path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]
OTHER = "111122223333"


@pytest.fixture
def theirs(aws: Cloud) -> Any:
    return boto3.client("secretsmanager", region_name="us-east-1", **aws.credentials_for(OTHER))


def test_put_secret_value_needs_a_value(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.put_secret_value(SecretId="db", VersionStages=["x"])
    assert error_of(excinfo)[1] == "You must provide either SecretString or SecretBinary."


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("cancel_rotate_secret", {}),
        ("restore_secret", {}),
        ("list_secret_version_ids", {}),
        ("get_resource_policy", {}),
        pytest.param(
            "list_resource_policies",
            {},
            marks=pytest.mark.requires_api("secretsmanager", "ListResourcePolicies"),
        ),
        ("tag_resource", {"Tags": []}),
        ("untag_resource", {"TagKeys": []}),
        ("stop_replication_to_replica", {}),
        ("validate_resource_policy", {"ResourcePolicy": "{}"}),
    ],
)
def test_operations_on_a_missing_secret_are_not_found(sm: Any, operation: str, params: dict[str, Any]) -> None:
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        getattr(sm, operation)(SecretId="nope", **params)
    assert error_of(excinfo)[1] == "Secrets Manager can't find the specified secret."


def test_rotation_operations_refuse_a_secret_scheduled_for_deletion(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")
    sm.delete_secret(SecretId="db")

    for call in (lambda: sm.rotate_secret(SecretId="db"), lambda: sm.cancel_rotate_secret(SecretId="db")):
        with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
            call()
        assert error_of(excinfo)[1] == (
            "You can't perform this operation on the secret because it was marked for deletion."
        )


def test_a_secret_holds_at_most_50_tags(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])

    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.tag_resource(SecretId="db", Tags=[{"Key": "one-more", "Value": "v"}])
    assert len(sm.describe_secret(SecretId="db")["Tags"]) == 50


@pytest.mark.requires_api("secretsmanager", "ListResourcePolicies")
def test_list_resource_policies_rejects_a_bad_token(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidNextTokenException) as excinfo:
        sm.list_resource_policies(SecretId="db", NextToken="bogus")
    assert error_of(excinfo) == ("InvalidNextTokenException", "The NextToken value is invalid.")


def test_removing_a_region_that_is_not_replicated_is_refused(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.remove_regions_from_replication(SecretId="db", RemoveReplicaRegions=["eu-west-1"])


@pytest.mark.requires_api("secretsmanager", "AssociateCrossAccountReplica")
def test_associate_cross_account_replica_errors(sm: Any, theirs: Any, make_secret: MakeSecret) -> None:
    primary = make_secret("db")["ARN"]
    missing = f"arn:aws:secretsmanager:us-east-1:{OTHER}:secret:ghost-AbCdEf"

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=missing)
    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.associate_cross_account_replica(
            SecretId="db", CrossAccountReplicaARN=missing.replace("us-east-1", "eu-west-1")
        )
    first = theirs.create_secret(Name="copy-1", CrossAccountPrimaryARN=primary, KmsKeyId="k")["ARN"]
    second = theirs.create_secret(Name="copy-2", CrossAccountPrimaryARN=primary, KmsKeyId="k")["ARN"]
    sm.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=first)
    sm.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=first)  # idempotent

    with pytest.raises(sm.exceptions.LimitExceededException) as excinfo:
        sm.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=second)
    assert error_of(excinfo)[1] == "A primary secret can have at most one cross-account replica."


@pytest.mark.requires_api("secretsmanager", "DisassociateCrossAccountReplica")
def test_disassociating_a_replica_that_is_not_associated_is_not_found(
    sm: Any, theirs: Any, make_secret: MakeSecret
) -> None:
    primary = make_secret("db")["ARN"]
    replica = theirs.create_secret(Name="copy", CrossAccountPrimaryARN=primary, KmsKeyId="k")["ARN"]

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.disassociate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica)
    with pytest.raises(theirs.exceptions.InvalidRequestException):
        theirs.delete_secret(SecretId="copy")  # a replica: stop replication first


def test_create_secret_refuses_more_than_50_tags_and_creates_nothing(sm: Any) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.create_secret(Name="db", SecretString="v", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error_of(excinfo)[1] == "A secret can have at most 50 tags."

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId="db")
