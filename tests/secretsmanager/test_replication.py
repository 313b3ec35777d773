"""Replication to other Regions and to other accounts: replicas read there, read-only, statuses reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]
READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
OTHER = "111122223333"


@pytest.fixture
def west(aws: Cloud) -> Any:
    return boto3.client("secretsmanager", region_name="us-west-2")


def test_a_replica_is_readable_in_its_region_and_follows_the_primary(
    sm: Any, west: Any, make_secret: MakeSecret
) -> None:
    arn = make_secret("db", "v1")["ARN"]

    answer = sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}])

    assert [(r["Region"], r["Status"]) for r in answer["ReplicationStatus"]] == [("us-west-2", "InSync")]
    replica = west.describe_secret(SecretId="db")
    assert replica["ARN"] == arn.replace("us-east-1", "us-west-2")
    assert replica["PrimaryRegion"] == "us-east-1"
    assert west.get_secret_value(SecretId="db")["SecretString"] == "v1"
    sm.put_secret_value(SecretId="db", SecretString="v2")
    assert west.get_secret_value(SecretId=replica["ARN"])["SecretString"] == "v2"
    assert sm.describe_secret(SecretId="db")["ReplicationStatus"][0]["LastAccessedDate"] is not None


def test_a_replica_is_read_only(sm: Any, west: Any, make_secret: MakeSecret) -> None:
    make_secret("db", "v1")
    sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}])

    for call in (
        lambda: west.put_secret_value(SecretId="db", SecretString="x"),
        lambda: west.update_secret(SecretId="db", Description="x"),
        lambda: west.delete_secret(SecretId="db"),
        lambda: west.tag_resource(SecretId="db", Tags=[{"Key": "k", "Value": "v"}]),
    ):
        with pytest.raises(west.exceptions.InvalidRequestException) as excinfo:
            call()
        assert error_of(excinfo) == ("InvalidRequestException", READ_ONLY)


def test_create_secret_can_replicate_at_once(sm: Any, west: Any) -> None:
    answer = sm.create_secret(Name="db", SecretString="v", AddReplicaRegions=[{"Region": "us-west-2"}])

    assert answer["ReplicationStatus"][0]["Status"] == "InSync"
    assert west.list_secrets()["SecretList"][0]["PrimaryRegion"] == "us-east-1"


def test_a_taken_name_in_the_target_region_fails_unless_overwritten(
    sm: Any, west: Any, make_secret: MakeSecret
) -> None:
    make_secret("db", "primary")
    west.create_secret(Name="db", SecretString="local")

    failed = sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}])
    status = failed["ReplicationStatus"][0]
    assert (status["Status"], status["StatusMessage"]) == (
        "Failed",
        "Secret with this name already exists in this region",
    )
    assert west.get_secret_value(SecretId="db")["SecretString"] == "local"

    sm.replicate_secret_to_regions(
        SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}], ForceOverwriteReplicaSecret=True
    )
    assert west.get_secret_value(SecretId="db")["SecretString"] == "primary"


def test_a_replicated_primary_cannot_be_deleted_until_replicas_are_removed(
    sm: Any, west: Any, make_secret: MakeSecret
) -> None:
    make_secret("db")
    sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}])

    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.delete_secret(SecretId="db")
    answer = sm.remove_regions_from_replication(SecretId="db", RemoveReplicaRegions=["us-west-2"])

    assert answer["ReplicationStatus"] == []
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.describe_secret(SecretId="db")
    sm.delete_secret(SecretId="db")


def test_stop_replication_promotes_the_replica(sm: Any, west: Any, make_secret: MakeSecret) -> None:
    make_secret("db", "v1")
    sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}])

    west.stop_replication_to_replica(SecretId="db")
    west.put_secret_value(SecretId="db", SecretString="west-only")

    # A standalone secret again: only multi-Region secrets name a PrimaryRegion.
    assert "PrimaryRegion" not in west.describe_secret(SecretId="db")
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "v1"
    assert "ReplicationStatus" not in sm.describe_secret(SecretId="db")
    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.stop_replication_to_replica(SecretId="db")


def test_replica_reads_survive_an_outage_of_the_primary_region(
    aws: Cloud, sm: Any, west: Any, make_secret: MakeSecret
) -> None:
    make_secret("db", "v1")
    sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2"}])

    with aws.region_outage("us-east-1"):
        assert west.get_secret_value(SecretId="db")["SecretString"] == "v1"
        with pytest.raises(EndpointConnectionError):
            sm.get_secret_value(SecretId="db")


def test_the_replica_region_cannot_be_the_primary_region(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-east-1"}])


@pytest.mark.requires_api("secretsmanager", "CreateSecret", "CrossAccountPrimaryARN")
def test_cross_account_replication(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    primary_arn = make_secret("db", "v1")["ARN"]
    theirs = boto3.client("secretsmanager", region_name="us-east-1", **aws.credentials_for(OTHER))
    replica_arn = theirs.create_secret(Name="db-copy", CrossAccountPrimaryARN=primary_arn, KmsKeyId="alias/theirs")[
        "ARN"
    ]
    assert theirs.describe_secret(SecretId="db-copy")["CrossAccountPrimary"]["ReplicationStatus"] == "Pending"

    linked = sm.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)

    assert linked["ReplicationStatus"] == "InSync"
    assert theirs.get_secret_value(SecretId="db-copy")["SecretString"] == "v1"
    assert sm.describe_secret(SecretId="db")["CrossAccountReplicas"][0]["ReplicaSecretARN"] == replica_arn
    with pytest.raises(theirs.exceptions.InvalidRequestException):
        theirs.put_secret_value(SecretId="db-copy", SecretString="x")
    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.delete_secret(SecretId="db")

    sm.disassociate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    sm.put_secret_value(SecretId="db", SecretString="v2")

    detached = theirs.describe_secret(SecretId="db-copy")["CrossAccountPrimary"]
    assert detached["ReplicationStatus"] == "Detached"
    assert theirs.get_secret_value(SecretId="db-copy")["SecretString"] == "v1"
    theirs.stop_replication_to_replica(SecretId="db-copy")
    theirs.put_secret_value(SecretId="db-copy", SecretString="mine")
    assert "CrossAccountPrimary" not in theirs.describe_secret(SecretId="db-copy")


@pytest.mark.requires_api("secretsmanager", "CreateSecret", "CrossAccountPrimaryARN")
def test_cross_account_replica_creation_is_validated(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    primary_arn = make_secret("db")["ARN"]
    theirs = boto3.client("secretsmanager", region_name="us-east-1", **aws.credentials_for(OTHER))

    with pytest.raises(theirs.exceptions.InvalidParameterException):
        theirs.create_secret(Name="copy", CrossAccountPrimaryARN=primary_arn)  # no customer managed key
    with pytest.raises(theirs.exceptions.InvalidParameterException):
        theirs.create_secret(Name="copy", CrossAccountPrimaryARN=primary_arn, KmsKeyId="k", SecretString="x")
    other = make_secret("other")["ARN"]
    replica_arn = theirs.create_secret(Name="copy", CrossAccountPrimaryARN=other, KmsKeyId="k")["ARN"]
    with pytest.raises(sm.exceptions.InvalidRequestException):
        sm.associate_cross_account_replica(SecretId="db", CrossAccountReplicaARN=replica_arn)
    policies = theirs.list_resource_policies(SecretId="copy")["ResourcePolicies"]
    assert [p["PolicyName"] for p in policies] == ["CrossAccountReplication"]


def test_a_replica_shows_the_primarys_metadata(sm: Any, west: Any, make_secret: MakeSecret) -> None:
    make_secret("db", Description="orders", Tags=[{"Key": "team", "Value": "orders"}])
    sm.put_resource_policy(SecretId="db", ResourcePolicy='{"Statement":{"Effect":"Deny","Principal":"*","Action":"*"}}')
    sm.replicate_secret_to_regions(SecretId="db", AddReplicaRegions=[{"Region": "us-west-2", "KmsKeyId": "alias/w"}])

    replica = west.describe_secret(SecretId="db")

    assert (replica["Description"], replica["Tags"], replica["KmsKeyId"]) == (
        "orders",
        [{"Key": "team", "Value": "orders"}],
        "alias/w",
    )
    assert "Deny" in west.get_resource_policy(SecretId="db")["ResourcePolicy"]
    listed = west.list_secrets(Filters=[{"Key": "primary-region", "Values": ["us-east-1"]}])["SecretList"]
    assert [s["Name"] for s in listed] == ["db"]
    status = sm.describe_secret(SecretId="db")["ReplicationStatus"]
    assert [(s["Region"], s["KmsKeyId"], s["Status"]) for s in status] == [("us-west-2", "alias/w", "InSync")]


def test_create_secret_with_a_bad_replica_region_creates_nothing(sm: Any) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.create_secret(Name="db", SecretString="v", AddReplicaRegions=[{"Region": "us-east-1"}])

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId="db")
