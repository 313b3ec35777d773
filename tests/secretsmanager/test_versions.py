"""Versions and staging labels: AWSCURRENT/AWSPREVIOUS, custom labels, idempotency, deprecation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]
T1, T2, T3 = "1" * 32, "2" * 32, "3" * 32


def stages(sm: Any, name: str = "db") -> dict[str, list[str]]:
    return dict(sm.describe_secret(SecretId=name)["VersionIdsToStages"])


def test_awsprevious_follows_awscurrent(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)
    sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2)
    sm.put_secret_value(SecretId="db", SecretString="three", ClientRequestToken=T3)

    assert stages(sm) == {T2: ["AWSPREVIOUS"], T3: ["AWSCURRENT"]}
    # The oldest version lost its last label: deprecated, listed only on request.
    listed = sm.list_secret_version_ids(SecretId="db")["Versions"]
    assert sorted(v["VersionId"] for v in listed) == [T2, T3]
    with_deprecated = sm.list_secret_version_ids(SecretId="db", IncludeDeprecated=True)["Versions"]
    assert [v["VersionId"] for v in with_deprecated] == [T1, T2, T3]
    assert "VersionStages" not in with_deprecated[0]


def test_put_with_custom_stages_leaves_awscurrent_alone(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)

    answer = sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2, VersionStages=["blue"])

    assert answer["VersionStages"] == ["blue"]
    assert stages(sm) == {T1: ["AWSCURRENT"], T2: ["blue"]}
    assert sm.get_secret_value(SecretId="db", VersionStage="blue")["SecretString"] == "two"


def test_get_secret_value_by_version_id_and_stage(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)
    sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2)

    assert sm.get_secret_value(SecretId="db", VersionId=T1)["SecretString"] == "one"
    assert sm.get_secret_value(SecretId="db", VersionId=T1, VersionStage="AWSPREVIOUS")["VersionStages"] == [
        "AWSPREVIOUS"
    ]
    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.get_secret_value(SecretId="db", VersionId=T1, VersionStage="AWSCURRENT")
    assert error_of(excinfo)[1] == "You provided a VersionStage that is not associated to the provided VersionId."
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        sm.get_secret_value(SecretId="db", VersionId=T3)
    assert error_of(excinfo)[1] == f"Secrets Manager can't find the specified secret value for VersionId: {T3}"
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        sm.get_secret_value(SecretId="db", VersionStage="AWSPENDING")
    assert error_of(excinfo)[1] == "Secrets Manager can't find the specified secret value for staging label: AWSPENDING"


def test_client_request_token_makes_put_idempotent(sm: Any) -> None:
    arn = sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)["ARN"]
    sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2)

    again = sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2)
    assert again["VersionId"] == T2
    assert stages(sm) == {T1: ["AWSPREVIOUS"], T2: ["AWSCURRENT"]}

    with pytest.raises(sm.exceptions.ResourceExistsException) as excinfo:
        sm.put_secret_value(SecretId="db", SecretString="different", ClientRequestToken=T2)
    assert error_of(excinfo) == (
        "ResourceExistsException",
        f"You can't use ClientRequestToken {T2} because that value is already in use for a version of secret {arn}.",
    )


def test_update_secret_version_stage_moves_awscurrent_and_previous(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)
    sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2)

    # Roll back: AWSCURRENT goes back to T1, AWSPREVIOUS follows to T2.
    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSCURRENT", MoveToVersionId=T1, RemoveFromVersionId=T2)

    assert stages(sm) == {T1: ["AWSCURRENT"], T2: ["AWSPREVIOUS"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "one"


def test_update_secret_version_stage_requires_remove_from_when_the_label_is_attached(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)
    sm.put_secret_value(SecretId="db", SecretString="two", ClientRequestToken=T2)

    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.update_secret_version_stage(SecretId="db", VersionStage="AWSCURRENT", MoveToVersionId=T1)
    assert error_of(excinfo)[1] == (
        "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to "
        f"version {T2}, so you must explicitly reference that version in RemoveFromVersionId."
    )
    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.update_secret_version_stage(
            SecretId="db", VersionStage="AWSCURRENT", MoveToVersionId=T1, RemoveFromVersionId=T1
        )
    assert "is not currently attached to version" in error_of(excinfo)[1]


def test_awscurrent_cannot_be_removed_outright(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)

    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.update_secret_version_stage(SecretId="db", VersionStage="AWSCURRENT", RemoveFromVersionId=T1)
    assert error_of(excinfo)[1] == (
        "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed."
    )


def test_custom_labels_are_added_and_removed(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)

    sm.update_secret_version_stage(SecretId="db", VersionStage="green", MoveToVersionId=T1)
    assert stages(sm) == {T1: ["AWSCURRENT", "green"]}
    sm.update_secret_version_stage(SecretId="db", VersionStage="green", RemoveFromVersionId=T1)
    assert stages(sm) == {T1: ["AWSCURRENT"]}


def test_update_secret_version_stage_errors(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.update_secret_version_stage(SecretId="db", VersionStage="x", MoveToVersionId=T2)
    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.update_secret_version_stage(SecretId="db", VersionStage="x")


def test_a_version_holds_at_most_twenty_labels(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="one", ClientRequestToken=T1)
    for i in range(19):
        sm.update_secret_version_stage(SecretId="db", VersionStage=f"l{i}", MoveToVersionId=T1)

    with pytest.raises(sm.exceptions.LimitExceededException):
        sm.update_secret_version_stage(SecretId="db", VersionStage="one-too-many", MoveToVersionId=T1)


def test_deprecated_versions_are_cleaned_up_past_100_once_a_day_old(aws: Cloud, sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="v0")
    for i in range(1, 101):
        sm.put_secret_value(SecretId="db", SecretString=f"v{i}")
    # 101 versions, all younger than 24 hours: AWS keeps them all.
    assert len(all_versions(sm)) == 101

    aws.clock.advance(hours=25)
    sm.put_secret_value(SecretId="db", SecretString="v101")

    assert len(all_versions(sm)) == 100
    assert sm.get_secret_value(SecretId="db", VersionStage="AWSPREVIOUS")["SecretString"] == "v100"


def test_list_secret_version_ids_paginates(sm: Any) -> None:
    sm.create_secret(Name="db", SecretString="v0")
    sm.update_secret_version_stage(SecretId="db", VersionStage="x", MoveToVersionId=_current(sm))
    sm.put_secret_value(SecretId="db", SecretString="v1")

    first = sm.list_secret_version_ids(SecretId="db", MaxResults=1)
    second = sm.list_secret_version_ids(SecretId="db", MaxResults=1, NextToken=first["NextToken"])

    assert len(first["Versions"]) == len(second["Versions"]) == 1
    assert "NextToken" not in second
    assert first["Versions"][0]["KmsKeyIds"] == ["DefaultEncryptionKey"]
    with pytest.raises(sm.exceptions.InvalidNextTokenException):
        sm.list_secret_version_ids(SecretId="db", NextToken="garbage")


def _current(sm: Any) -> str:
    return str(sm.get_secret_value(SecretId="db")["VersionId"])


def all_versions(sm: Any) -> list[dict[str, Any]]:
    versions: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"SecretId": "db", "IncludeDeprecated": True}
    while True:
        answer = sm.list_secret_version_ids(**kwargs)
        versions += answer["Versions"]
        if "NextToken" not in answer:
            return versions
        kwargs["NextToken"] = answer["NextToken"]
