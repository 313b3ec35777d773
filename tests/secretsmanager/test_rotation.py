"""Rotation with a Lambda stand-in: the four steps, schedules firing in virtual time, failures, cancel."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .helpers import FakeDatabase, error_of

MakeSecret = Callable[..., dict[str, Any]]
Register = Callable[..., str]
TOKEN = "9" * 32
UTC = timezone.utc


def password(sm: Any, **kwargs: Any) -> str:
    return str(json.loads(sm.get_secret_value(SecretId="db", **kwargs)["SecretString"])["password"])


def test_rotate_secret_runs_the_four_steps_with_aws_event(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register, database: FakeDatabase
) -> None:
    arn = make_secret("db")["ARN"]
    function = rotation_function()

    answer = sm.rotate_secret(SecretId="db", RotationLambdaARN=function, ClientRequestToken=TOKEN)

    assert answer["VersionId"] == TOKEN
    events = [i.event for i in aws.lambdas.invocations]
    assert [e["Step"] for e in events] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert all(e["SecretId"] == arn and e["ClientRequestToken"] == TOKEN for e in events)
    assert len({e["RotationToken"] for e in events}) == 1
    assert all(i.source == "secretsmanager" for i in aws.lambdas.invocations)
    # The new password is current, the old one previous, and the database accepts the new one.
    assert password(sm) == database.password != "initial-pw-1"
    assert password(sm, VersionStage="AWSPREVIOUS") == "initial-pw-1"
    assert sm.describe_secret(SecretId="db")["VersionIdsToStages"][TOKEN] == ["AWSCURRENT"]


def test_rotation_dates_and_rules_are_reported(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    aws.clock.freeze("2026-05-01T09:30:00Z")
    make_secret("db")

    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function(), RotationRules={"AutomaticallyAfterDays": 7})

    described = sm.describe_secret(SecretId="db")
    assert described["RotationEnabled"] is True
    assert described["RotationLambdaARN"] == "arn:aws:lambda:us-east-1:123456789012:function:rotate-db"
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 7}
    assert described["LastRotatedDate"] == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    # The window is the whole UTC day seven days later; AWS reports its end.
    assert described["NextRotationDate"] == datetime(2026, 5, 8, 23, 59, 59, tzinfo=UTC)


def test_scheduled_rotation_fires_on_its_own_as_time_passes(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    aws.clock.freeze("2026-05-01T09:30:00Z")
    make_secret("db")
    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function(), RotationRules={"AutomaticallyAfterDays": 7})
    first = password(sm)

    aws.clock.advance(days=6)
    assert password(sm) == first
    aws.clock.advance(days=1)

    assert password(sm) != first
    secret = aws.secretsmanager.secret("db")
    assert [r.scheduled for r in secret.rotations] == [False, True]
    assert secret.last_rotated == datetime(2026, 5, 8, tzinfo=UTC)
    assert secret.next_rotation == datetime(2026, 5, 15, 23, 59, 59, tzinfo=UTC)


def test_rotate_immediately_false_only_tests_the_configuration(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    aws.clock.freeze("2026-05-01T09:30:00Z")
    make_secret("db")

    sm.rotate_secret(
        SecretId="db",
        RotationLambdaARN=rotation_function(),
        RotationRules={"ScheduleExpression": "rate(10 days)"},
        RotateImmediately=False,
    )

    assert [i.event["Step"] for i in aws.lambdas.invocations] == ["testSecret"]
    described = sm.describe_secret(SecretId="db")
    assert list(described["VersionIdsToStages"].values()) == [["AWSCURRENT"]]  # AWSPENDING was removed again
    assert "LastRotatedDate" not in described
    assert described["NextRotationDate"] == datetime(2026, 5, 11, 23, 59, 59, tzinfo=UTC)
    aws.clock.advance(days=10)
    assert password(sm) != "initial-pw-1"


def test_a_failing_step_leaves_awspending_and_blocks_the_next_rotation(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register, database: FakeDatabase
) -> None:
    make_secret("db")

    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function(fail_at="setSecret"), ClientRequestToken=TOKEN)

    run = aws.secretsmanager.secret("db").rotations[-1]
    assert run.steps == ["createSecret", "setSecret"]
    assert run.error == "setSecret failed: RuntimeError: setSecret broke on purpose"
    assert password(sm) == database.password == "initial-pw-1"
    stages = sm.describe_secret(SecretId="db")["VersionIdsToStages"]
    assert stages[TOKEN] == ["AWSPENDING"]
    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.rotate_secret(SecretId="db")
    assert error_of(excinfo)[1] == "A previous rotation isn't complete. That rotation will be reattempted."


def test_a_failed_create_step_leaves_an_empty_pending_version(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    make_secret("db")

    sm.rotate_secret(
        SecretId="db", RotationLambdaARN=rotation_function(fail_at="createSecret"), ClientRequestToken=TOKEN
    )

    # DescribeSecret shows the labelled version; ListSecretVersionIds only versions with a value.
    assert sm.describe_secret(SecretId="db")["VersionIdsToStages"][TOKEN] == ["AWSPENDING"]
    assert TOKEN not in [v["VersionId"] for v in sm.list_secret_version_ids(SecretId="db")["Versions"]]


def test_cancel_rotate_secret_stops_the_schedule_and_names_the_unfinished_version(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    make_secret("db")
    sm.rotate_secret(
        SecretId="db",
        RotationLambdaARN=rotation_function(fail_at="testSecret"),
        RotationRules={"AutomaticallyAfterDays": 1},
        ClientRequestToken=TOKEN,
    )

    answer = sm.cancel_rotate_secret(SecretId="db")

    assert answer["VersionId"] == TOKEN
    described = sm.describe_secret(SecretId="db")
    assert described["RotationEnabled"] is False
    assert "NextRotationDate" not in described
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 1}  # kept, as AWS shows the old schedule
    calls = len(aws.lambdas.invocations)
    aws.clock.advance(days=3)
    assert len(aws.lambdas.invocations) == calls
    # Clean up as AWS advises, and rotation can start again.
    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSPENDING", RemoveFromVersionId=TOKEN)
    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function())
    assert password(sm) != "initial-pw-1"


def test_scheduled_retry_of_a_failed_rotation_uses_the_same_token(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register, database: FakeDatabase
) -> None:
    make_secret("db")
    sm.rotate_secret(
        SecretId="db",
        RotationLambdaARN=rotation_function(fail_at="setSecret", failures=1),
        RotationRules={"AutomaticallyAfterDays": 1},
        ClientRequestToken=TOKEN,
    )
    assert not aws.secretsmanager.secret("db").rotations[-1].succeeded

    aws.clock.advance(days=2)

    runs = aws.secretsmanager.secret("db").rotations
    assert [r.token for r in runs[:2]] == [TOKEN, TOKEN]
    assert runs[1].succeeded
    assert password(sm) == database.password


def test_rotate_secret_without_a_function_is_refused(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.rotate_secret(SecretId="db")
    assert error_of(excinfo)[1] == "No Lambda rotation function ARN is associated with this secret."


def test_an_unregistered_function_is_refused_when_configured(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.rotate_secret(SecretId="db", RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:ghost")
    assert "aws.lambdas.register" in error_of(excinfo)[1]


def test_both_schedule_kinds_are_refused(sm: Any, make_secret: MakeSecret, rotation_function: Register) -> None:
    make_secret("db")

    with pytest.raises(sm.exceptions.InvalidParameterException):
        sm.rotate_secret(
            SecretId="db",
            RotationLambdaARN=rotation_function(),
            RotationRules={"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(3 days)"},
        )
    assert "RotationEnabled" not in sm.describe_secret(SecretId="db")


def test_a_manual_put_counts_as_a_rotation_for_automatically_after_days(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    aws.clock.freeze("2026-05-01T09:30:00Z")
    make_secret("db")
    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function(), RotationRules={"AutomaticallyAfterDays": 7})
    aws.clock.advance(days=3)

    sm.put_secret_value(SecretId="db", SecretString=json.dumps({"username": "app", "password": "manual-pw-2"}))

    assert sm.describe_secret(SecretId="db")["NextRotationDate"] == datetime(2026, 5, 11, 23, 59, 59, tzinfo=UTC)


def test_a_retried_put_is_not_another_manual_rotation(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    """A retry with the same token and value does nothing (AWS), so the schedule does not move either."""
    aws.clock.freeze("2026-05-01T09:30:00Z")
    make_secret("db")
    sm.rotate_secret(SecretId="db", RotationLambdaARN=rotation_function(), RotationRules={"AutomaticallyAfterDays": 7})
    aws.clock.advance(days=3)
    value = json.dumps({"username": "app", "password": "manual-pw-2"})
    sm.put_secret_value(SecretId="db", SecretString=value, ClientRequestToken=TOKEN)
    before = sm.describe_secret(SecretId="db")

    aws.clock.advance(days=2)
    sm.put_secret_value(SecretId="db", SecretString=value, ClientRequestToken=TOKEN)

    after = sm.describe_secret(SecretId="db")
    assert after["NextRotationDate"] == before["NextRotationDate"] == datetime(2026, 5, 11, 23, 59, 59, tzinfo=UTC)
    assert after["LastChangedDate"] == before["LastChangedDate"]


def test_a_failed_scheduled_rotation_leaves_next_rotation_date_in_the_past(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register
) -> None:
    """AWS: "If rotation is unsuccessful, this date may be in the past" - what overdue-rotation alarms check."""
    aws.clock.freeze("2026-05-01T09:30:00Z")
    make_secret("db")
    sm.rotate_secret(
        SecretId="db",
        RotationLambdaARN=rotation_function(fail_at="setSecret", failures=1),
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )

    aws.clock.advance(days=8)  # the window of May 8 opened, and its rotation failed

    described = sm.describe_secret(SecretId="db")
    assert described["NextRotationDate"] == datetime(2026, 5, 8, 23, 59, 59, tzinfo=UTC)
    assert described["NextRotationDate"] < aws.clock.now_dt()
    assert "LastRotatedDate" not in described

    aws.clock.advance(days=7)  # the next window reattempts it, and it succeeds

    described = sm.describe_secret(SecretId="db")
    assert described["LastRotatedDate"] == datetime(2026, 5, 15, tzinfo=UTC)
    assert described["NextRotationDate"] == datetime(2026, 5, 22, 23, 59, 59, tzinfo=UTC)
