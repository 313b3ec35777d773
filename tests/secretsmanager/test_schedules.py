"""Rotation schedules: rate() and cron() expressions with a Duration, as NextRotationDate shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]
Register = Callable[..., str]
UTC = timezone.utc
START = "2026-05-01T09:30:00Z"  # a Friday


@pytest.fixture
def configure(aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Register) -> Callable[..., datetime]:
    """Set rules without rotating now; return the NextRotationDate AWS would show."""
    aws.clock.freeze(START)
    make_secret("db")
    function = rotation_function()

    def configure(**rules: Any) -> datetime:
        sm.rotate_secret(SecretId="db", RotationLambdaARN=function, RotationRules=rules, RotateImmediately=False)
        return sm.describe_secret(SecretId="db")["NextRotationDate"]  # type: ignore[no-any-return]

    return configure


@pytest.mark.parametrize(
    ("rules", "next_rotation"),
    [
        ({"ScheduleExpression": "rate(4 hours)"}, datetime(2026, 5, 1, 13, tzinfo=UTC)),
        ({"ScheduleExpression": "rate(12 hours)", "Duration": "2h"}, datetime(2026, 5, 1, 14, tzinfo=UTC)),
        ({"ScheduleExpression": "rate(2 days)"}, datetime(2026, 5, 3, 23, 59, 59, tzinfo=UTC)),
        ({"ScheduleExpression": "rate(2 days)", "Duration": "3h"}, datetime(2026, 5, 3, 3, tzinfo=UTC)),
        # 16:00 on the 1st and 15th of each month, a window to the end of the day.
        ({"ScheduleExpression": "cron(0 16 1,15 * ? *)"}, datetime(2026, 5, 1, 23, 59, 59, tzinfo=UTC)),
        ({"ScheduleExpression": "cron(0 8 ? * MON *)", "Duration": "4h"}, datetime(2026, 5, 4, 12, tzinfo=UTC)),
        ({"ScheduleExpression": "cron(0 */6 * * ? *)"}, datetime(2026, 5, 1, 13, tzinfo=UTC)),
    ],
)
def test_next_rotation_date_is_the_end_of_the_next_window(
    configure: Callable[..., datetime], rules: dict[str, str], next_rotation: datetime
) -> None:
    assert configure(**rules) == next_rotation


def test_a_cron_schedule_rotates_at_each_window_start(aws: Cloud, sm: Any, configure: Callable[..., datetime]) -> None:
    configure(ScheduleExpression="cron(0 8 ? * MON *)", Duration="2h")

    aws.clock.advance(days=14)

    rotated = [r.started for r in aws.secretsmanager.secret("db").rotations if not r.test_only]
    assert [datetime.fromtimestamp(t, tz=UTC) for t in rotated] == [
        datetime(2026, 5, 4, 8, tzinfo=UTC),
        datetime(2026, 5, 11, 8, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ({"ScheduleExpression": "rate(2 hours)"}, "at least four hours"),
        ({"ScheduleExpression": "rate(0 days)"}, "between 1 and 1000 days"),
        ({"ScheduleExpression": "rate(1001 days)"}, "between 1 and 1000 days"),
        ({"ScheduleExpression": "every day"}, "Invalid ScheduleExpression"),
        ({"ScheduleExpression": "cron(0 8 * * MON *)"}, "either day-of-month or day-of-week"),
        ({"ScheduleExpression": "cron(0 8 * *)"}, "six fields"),
        ({"ScheduleExpression": "cron(0 8 L * ? *)"}, "does not support L, W or #"),  # refused loudly
        ({"ScheduleExpression": "cron(30 8 * * ? *)"}, "minutes field must be 0"),  # windows open on the hour
        ({"ScheduleExpression": "cron(0,30 8 * * ? *)"}, "minutes field must be 0"),
        ({"ScheduleExpression": "cron(0 8,10 * * ? *)"}, "at least four hours"),
        ({"ScheduleExpression": "rate(6 hours)", "Duration": "7h"}, "into the next rotation window"),
        ({"ScheduleExpression": "cron(0 22 * * ? *)", "Duration": "4h"}, "into the next UTC day"),
        ({"ScheduleExpression": "rate(1 days)", "Duration": "0h"}, "Invalid Duration"),
    ],
)
def test_invalid_schedules_are_refused(
    sm: Any, configure: Callable[..., datetime], rules: dict[str, Any], reason: str
) -> None:
    with pytest.raises(sm.exceptions.InvalidParameterException) as excinfo:
        configure(**rules)
    assert reason in error_of(excinfo)[1]
    assert "RotationRules" not in sm.describe_secret(SecretId="db")  # a refused schedule is not stored


def test_days_beyond_the_models_range_fail_its_validation(sm: Any, configure: Callable[..., datetime]) -> None:
    with pytest.raises(ClientError) as excinfo:
        configure(AutomaticallyAfterDays=1001)  # botocore checks only the minimum: AWS checks the model's maximum
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'rotationRules.automaticallyAfterDays' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000",
    )


def test_after_a_rotation_aws_reports_the_schedule_in_days_too(sm: Any, configure: Callable[..., datetime]) -> None:
    configure(ScheduleExpression="rate(10 days)")
    assert sm.describe_secret(SecretId="db")["RotationRules"] == {"ScheduleExpression": "rate(10 days)"}

    sm.rotate_secret(SecretId="db")

    assert sm.describe_secret(SecretId="db")["RotationRules"] == {
        "AutomaticallyAfterDays": 10,
        "ScheduleExpression": "rate(10 days)",
    }
