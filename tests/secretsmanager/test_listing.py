"""ListSecrets (filters, sort order, planned deletion, pagination) and BatchGetSecretValue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]


@pytest.fixture
def catalogue(aws: Cloud, make_secret: MakeSecret) -> None:
    """Three secrets created a day apart, on a frozen clock: no two events share a timestamp by luck."""
    aws.clock.freeze("2026-02-01T12:00:00Z")
    make_secret("prod/db", "1", Description="Orders Database", Tags=[{"Key": "env", "Value": "prod"}])
    aws.clock.advance(days=1)
    make_secret("prod/api-key", "2", Description="payments key", Tags=[{"Key": "team", "Value": "payments"}])
    aws.clock.advance(days=1)
    make_secret("test/db", "3", Description="test database", Tags=[{"Key": "env", "Value": "test"}])


def names(sm: Any, **kwargs: Any) -> list[str]:
    return [s["Name"] for s in sm.list_secrets(**kwargs)["SecretList"]]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"Key": "name", "Values": ["prod/"]}], ["prod/db", "prod/api-key"]),
        ([{"Key": "name", "Values": ["PROD/"]}], []),  # name: case-sensitive
        ([{"Key": "description", "Values": ["orders"]}], ["prod/db"]),  # description: not case-sensitive
        ([{"Key": "tag-key", "Values": ["env"]}], ["prod/db", "test/db"]),
        ([{"Key": "tag-value", "Values": ["pay"]}], ["prod/api-key"]),
        ([{"Key": "primary-region", "Values": ["us-east"]}], ["prod/db", "prod/api-key", "test/db"]),
        ([{"Key": "owning-service", "Values": ["rds"]}], []),
        ([{"Key": "all", "Values": ["DATABASE"]}], ["prod/db", "test/db"]),
        ([{"Key": "name", "Values": ["!prod/"]}], ["test/db"]),
        ([{"Key": "name", "Values": ["prod/", "test/"]}, {"Key": "tag-value", "Values": ["prod"]}], ["prod/db"]),
    ],
)
def test_list_secrets_filters(sm: Any, filters: list[dict[str, Any]], expected: list[str]) -> None:
    assert names(sm, Filters=filters) == expected


@pytest.mark.usefixtures("catalogue")
@pytest.mark.requires_api("secretsmanager", "ListSecrets", "SortBy")
def test_list_secrets_sorts(aws: Cloud, sm: Any) -> None:
    assert names(sm) == ["prod/db", "prod/api-key", "test/db"]
    assert names(sm, SortOrder="desc") == ["test/db", "prod/api-key", "prod/db"]
    assert names(sm, SortBy="name") == ["prod/api-key", "prod/db", "test/db"]

    aws.clock.advance(hours=1)  # later than test/db's creation, the most recent change so far
    sm.put_secret_value(SecretId="prod/db", SecretString="changed")
    assert names(sm, SortBy="last-changed-date", SortOrder="desc") == ["prod/db", "test/db", "prod/api-key"]
    assert names(sm, SortBy="last-changed-date") == ["prod/api-key", "test/db", "prod/db"]

    # LastAccessedDate has day resolution: accesses on two different days order the secrets.
    sm.get_secret_value(SecretId="test/db")
    aws.clock.advance(days=1)
    sm.get_secret_value(SecretId="prod/api-key")
    assert names(sm, SortBy="last-accessed-date", SortOrder="desc")[:2] == ["prod/api-key", "test/db"]


@pytest.mark.usefixtures("catalogue")
def test_list_secrets_hides_planned_deletions_unless_asked(sm: Any) -> None:
    sm.delete_secret(SecretId="test/db")

    assert names(sm) == ["prod/db", "prod/api-key"]
    listed = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert [s["Name"] for s in listed] == ["prod/db", "prod/api-key", "test/db"]
    assert "DeletedDate" in listed[2]


@pytest.mark.usefixtures("catalogue")
def test_list_secrets_paginates_with_botocore_paginator(sm: Any) -> None:
    pages = list(sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 2}))

    assert [len(p["SecretList"]) for p in pages] == [2, 1]
    with pytest.raises(sm.exceptions.InvalidNextTokenException):
        sm.list_secrets(NextToken="not-a-token")


@pytest.mark.usefixtures("catalogue")
def test_list_entries_carry_versions_and_tags(sm: Any) -> None:
    entry = sm.list_secrets(Filters=[{"Key": "name", "Values": ["test/db"]}])["SecretList"][0]

    assert entry["Tags"] == [{"Key": "env", "Value": "test"}]
    assert list(entry["SecretVersionsToStages"].values()) == [["AWSCURRENT"]]


@pytest.mark.usefixtures("catalogue")
def test_batch_get_by_id_list_reports_errors_per_secret(sm: Any) -> None:
    sm.delete_secret(SecretId="test/db")

    answer = sm.batch_get_secret_value(SecretIdList=["prod/db", "missing", "test/db"])

    assert [(v["Name"], v["SecretString"]) for v in answer["SecretValues"]] == [("prod/db", "1")]
    assert [(e["SecretId"], e["ErrorCode"]) for e in answer["Errors"]] == [
        ("missing", "ResourceNotFoundException"),
        ("test/db", "InvalidRequestException"),
    ]


@pytest.mark.usefixtures("catalogue")
def test_batch_get_by_filters_paginates(sm: Any) -> None:
    first = sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["prod/"]}], MaxResults=1)
    second = sm.batch_get_secret_value(
        Filters=[{"Key": "name", "Values": ["prod/"]}], MaxResults=1, NextToken=first["NextToken"]
    )

    assert [v["Name"] for v in first["SecretValues"] + second["SecretValues"]] == ["prod/db", "prod/api-key"]
    assert "NextToken" not in second


def test_batch_get_needs_ids_or_filters_but_not_both(sm: Any) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.batch_get_secret_value()
    assert error_of(excinfo)[1] == "You must include Filters or SecretIdList, but not both."
    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.batch_get_secret_value(SecretIdList=["a"], Filters=[{"Key": "name", "Values": ["a"]}])
    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.batch_get_secret_value(SecretIdList=["a"], MaxResults=5)


def test_batch_get_names_at_most_20_secrets(sm: Any, make_secret: MakeSecret) -> None:
    for i in range(21):
        make_secret(f"s{i:02}", f"v{i}")

    answer = sm.batch_get_secret_value(SecretIdList=[f"s{i:02}" for i in range(20)])
    assert len(answer["SecretValues"]) == 20

    with pytest.raises(ClientError) as excinfo:
        sm.batch_get_secret_value(SecretIdList=[f"s{i:02}" for i in range(21)])
    assert error_of(excinfo)[0] == "ValidationException"  # the model's maximum, checked before the service
    assert (
        "at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20"
        in (error_of(excinfo)[1])
    )
