"""Small helpers shared by the Secrets Manager tests."""

from __future__ import annotations

from typing import Any

import pytest


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    """(code, message) of a botocore ClientError, as the caller sees them."""
    error = excinfo.value.response["Error"]
    return error["Code"], error.get("Message", "")


class FakeDatabase:
    """What a rotation function changes: the password the database accepts."""

    def __init__(self) -> None:
        self.password = "initial-pw-1"
        self.logins: list[str] = []

    def login(self, password: str) -> bool:
        self.logins.append("ok" if password == self.password else "denied")
        return password == self.password
