"""Resource policies: put, get, delete, validate (BlockPublicPolicy), list."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]


def policy(principal: Any, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


ROLE = policy({"AWS": "arn:aws:iam::123456789012:role/app"})
PUBLIC = policy({"AWS": "*"})


@pytest.mark.requires_api("secretsmanager", "ListResourcePolicies")
def test_put_get_and_delete_the_default_policy(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    put = sm.put_resource_policy(SecretId="db", ResourcePolicy=ROLE)
    assert put["PolicyName"] == "default"
    got = sm.get_resource_policy(SecretId="db")
    assert (got["Name"], got["ResourcePolicy"], got["PolicyName"]) == ("db", ROLE, "default")
    assert sm.list_resource_policies(SecretId="db")["ResourcePolicies"] == [{"PolicyName": "default"}]

    sm.delete_resource_policy(SecretId="db")
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="db")
    assert sm.list_resource_policies(SecretId="db")["ResourcePolicies"] == []


@pytest.mark.requires_api("secretsmanager", "PutResourcePolicy", "PolicyName")
def test_only_the_default_policy_can_be_written(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.put_resource_policy(SecretId="db", ResourcePolicy=ROLE, PolicyName="extra")
    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.delete_resource_policy(SecretId="db", PolicyName="extra")
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.get_resource_policy(SecretId="db", PolicyName="extra")


def test_block_public_policy_refuses_a_wildcard_principal(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.PublicPolicyException) as excinfo:
        sm.put_resource_policy(SecretId="db", ResourcePolicy=PUBLIC, BlockPublicPolicy=True)
    assert error_of(excinfo)[0] == "PublicPolicyException"
    # Narrowed by a condition, or without BlockPublicPolicy, it is accepted.
    narrowed = policy("*", {"StringEquals": {"aws:PrincipalAccount": "123456789012"}})
    sm.put_resource_policy(SecretId="db", ResourcePolicy=narrowed, BlockPublicPolicy=True)
    sm.put_resource_policy(SecretId="db", ResourcePolicy=PUBLIC)


def test_block_public_policy_refuses_allow_with_not_principal(sm: Any, make_secret: MakeSecret) -> None:
    """Allow + NotPrincipal grants everyone but the principals named: as public as a wildcard."""
    make_secret("db")
    everyone_but_one = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/intruder"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ],
        }
    )

    with pytest.raises(sm.exceptions.PublicPolicyException):
        sm.put_resource_policy(SecretId="db", ResourcePolicy=everyone_but_one, BlockPublicPolicy=True)
    assert sm.validate_resource_policy(ResourcePolicy=everyone_but_one)["PolicyValidationPassed"] is False
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="db")


def test_validate_resource_policy_reports_broad_access(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    ok = sm.validate_resource_policy(SecretId="db", ResourcePolicy=ROLE)
    assert ok["PolicyValidationPassed"] is True
    assert ok["ValidationErrors"] == []
    public = sm.validate_resource_policy(ResourcePolicy=PUBLIC)
    assert public["PolicyValidationPassed"] is False
    assert [e["CheckName"] for e in public["ValidationErrors"]] == ["BROAD_ACCESS_CHECK"]


@pytest.mark.parametrize(
    "document",
    [
        "{not json",
        "[]",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Version": "2020-01-01", "Statement": []}),
        json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "*"}]}),
    ],
)
def test_malformed_policies_are_refused(sm: Any, make_secret: MakeSecret, document: str) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.MalformedPolicyDocumentException):
        sm.put_resource_policy(SecretId="db", ResourcePolicy=document)
    with pytest.raises(sm.exceptions.MalformedPolicyDocumentException):
        sm.validate_resource_policy(ResourcePolicy=document)
