"""DeleteSecret with a recovery window or without, RestoreSecret, and the deletion that happens in virtual time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]
MARKED = "You can't perform this operation on the secret because it was marked for deletion."


def test_delete_schedules_deletion_30_days_out_by_default(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    aws.clock.freeze("2026-01-10T12:00:00Z")
    make_secret("db")

    answer = sm.delete_secret(SecretId="db")

    assert answer["DeletionDate"] == datetime(2026, 2, 9, 12, tzinfo=timezone.utc)
    described = sm.describe_secret(SecretId="db")
    assert described["DeletedDate"] == datetime(2026, 1, 10, 12, tzinfo=timezone.utc)
    assert aws.secretsmanager.secret("db").deleted


def test_a_secret_scheduled_for_deletion_refuses_access_with_aws_message(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")
    sm.delete_secret(SecretId="db", RecoveryWindowInDays=7)

    for call in (
        lambda: sm.get_secret_value(SecretId="db"),
        lambda: sm.put_secret_value(SecretId="db", SecretString="x"),
        lambda: sm.update_secret(SecretId="db", Description="x"),
        lambda: sm.tag_resource(SecretId="db", Tags=[{"Key": "k", "Value": "v"}]),
    ):
        with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
            call()
        assert error_of(excinfo) == ("InvalidRequestException", MARKED)


def test_restore_secret_brings_it_back(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", "value-1")
    sm.delete_secret(SecretId="db", RecoveryWindowInDays=7)

    sm.restore_secret(SecretId="db")

    assert sm.get_secret_value(SecretId="db")["SecretString"] == "value-1"
    assert "DeletedDate" not in sm.describe_secret(SecretId="db")


def test_the_secret_is_gone_when_virtual_time_passes_the_deletion_date(
    aws: Cloud, sm: Any, make_secret: MakeSecret
) -> None:
    old_arn = make_secret("db")["ARN"]
    sm.delete_secret(SecretId="db", RecoveryWindowInDays=7)

    aws.clock.advance(days=6, hours=23)
    assert sm.describe_secret(SecretId="db")["ARN"] == old_arn
    aws.clock.advance(hours=1)

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId="db")
    # The name is free again, and the new secret has a new ARN.
    assert make_secret("db")["ARN"] != old_arn


def test_restored_secret_is_not_deleted_later(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")
    sm.delete_secret(SecretId="db", RecoveryWindowInDays=7)
    sm.restore_secret(SecretId="db")

    aws.clock.advance(days=8)

    assert sm.describe_secret(SecretId="db")["Name"] == "db"


def test_the_name_of_a_secret_scheduled_for_deletion_cannot_be_reused(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")
    sm.delete_secret(SecretId="db")

    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        make_secret("db")
    assert error_of(excinfo)[1] == (
        "You can't create this secret because a secret with this name is already scheduled for deletion."
    )


def test_force_delete_removes_at_once(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    sm.delete_secret(SecretId="db", ForceDeleteWithoutRecovery=True)

    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.get_secret_value(SecretId="db")
    make_secret("db")  # the name is free


def test_force_delete_of_a_missing_secret_succeeds(sm: Any) -> None:
    assert sm.delete_secret(SecretId="never-was", ForceDeleteWithoutRecovery=True)["Name"] == "never-was"
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.delete_secret(SecretId="never-was")


@pytest.mark.parametrize("days", [6, 31])
def test_recovery_window_must_be_7_to_30_days(sm: Any, make_secret: MakeSecret, days: int) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.delete_secret(SecretId="db", RecoveryWindowInDays=days)
    assert error_of(excinfo)[1] == "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."


def test_window_and_force_together_are_refused(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        sm.delete_secret(SecretId="db", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True)
    assert error_of(excinfo)[1] == "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."


def test_deleting_twice_is_refused(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")
    sm.delete_secret(SecretId="db")

    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.delete_secret(SecretId="db")
    assert error_of(excinfo)[1] == MARKED
