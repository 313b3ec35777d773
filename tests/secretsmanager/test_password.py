"""GetRandomPassword: every option, and the same password for the same seed."""

from __future__ import annotations

import string
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import fake_aws
from pytest_awsmsg.services.secretsmanager.password import PUNCTUATION

from .helpers import error_of


def generate(sm: Any, **kwargs: Any) -> str:
    return str(sm.get_random_password(**kwargs)["RandomPassword"])


def test_default_is_32_characters_with_every_type(sm: Any) -> None:
    password = generate(sm)

    assert len(password) == 32
    for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits, PUNCTUATION):
        assert set(password) & set(chars)
    assert " " not in password


@pytest.mark.parametrize(
    ("option", "forbidden"),
    [
        ("ExcludeNumbers", string.digits),
        ("ExcludePunctuation", PUNCTUATION),
        ("ExcludeUppercase", string.ascii_uppercase),
        ("ExcludeLowercase", string.ascii_lowercase),
    ],
)
def test_exclusions(sm: Any, option: str, forbidden: str) -> None:
    for _ in range(5):
        assert not set(generate(sm, PasswordLength=64, **{option: True})) & set(forbidden)


def test_exclude_characters(sm: Any) -> None:
    password = generate(sm, PasswordLength=200, ExcludeCharacters="abc/@\"'\\")

    assert len(password) == 200
    assert not set(password) & set("abc/@\"'\\")


def test_include_space_lets_spaces_in(sm: Any) -> None:
    # Only "0" and the space are left to draw from, so a space is all but certain
    # (one chance in 2**63 to miss), whatever the seed.
    password = generate(
        sm,
        PasswordLength=64,
        IncludeSpace=True,
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludePunctuation=True,
        ExcludeCharacters="123456789",
    )

    assert set(password) == {"0", " "}


def test_require_each_type_can_be_lifted(sm: Any) -> None:
    password = generate(sm, PasswordLength=3, RequireEachIncludedType=False)

    assert len(password) == 3


def test_too_short_for_every_type_is_refused(sm: Any) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        generate(sm, PasswordLength=3, RequireEachIncludedType=True)
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_excluding_everything_is_refused(sm: Any) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException):
        generate(sm, ExcludeNumbers=True, ExcludePunctuation=True, ExcludeUppercase=True, ExcludeLowercase=True)


def test_the_same_seed_gives_the_same_password() -> None:
    passwords = []
    for _ in range(2):
        with fake_aws(seed="pw"):
            passwords.append(boto3.client("secretsmanager", region_name="us-east-1").get_random_password())
    assert passwords[0]["RandomPassword"] == passwords[1]["RandomPassword"]


def test_the_longest_password_is_4096_characters(sm: Any) -> None:
    assert len(generate(sm, PasswordLength=4096)) == 4096

    with pytest.raises(ClientError) as excinfo:
        generate(sm, PasswordLength=4097)  # botocore checks only the minimum: the model's maximum is AWS's
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: "
        "Member must have value less than or equal to 4096",
    )
