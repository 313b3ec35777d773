"""Rotation schedules: ``AutomaticallyAfterDays``, ``rate()`` and ``cron()`` with a ``Duration``.

AWS rotates "any time during a rotation window" and reports the window's end
as ``NextRotationDate``. The fake must be deterministic, so it always rotates
at the window's *start*; NextRotationDate is the window's end, as AWS reports
it. Windows, all in UTC:

* ``AutomaticallyAfterDays=N`` / ``rate(N days)``: the UTC day N days after the
  last rotation, from midnight; closes at the end of that day (23:59:59) unless
  a Duration closes it earlier.
* ``rate(N hours)``: windows start every N hours from midnight of the last
  rotation's day; each closes after one hour (or Duration).
* ``cron(...)``: windows start at each match of the expression; they close
  after one hour for an hourly schedule, else at the end of the day.

Unsupported cron features (``L``, ``W``, ``#``) are refused when the rule is
set, with a clear message, rather than misfiring later.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import InvalidParameterException
from .models import DAY

HOUR = 3600.0
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}  # noqa: SIM905
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}  # noqa: SIM905


def _midnight(ts: float) -> float:
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return datetime(dt.year, dt.month, dt.day, tzinfo=timezone.utc).timestamp()


@dataclass(frozen=True)
class Schedule:
    """A parsed rotation schedule; :meth:`next_window` says when it rotates next."""

    kind: str  # "days", "hours" or "cron"
    every: int = 0  # days or hours between windows
    duration_hours: int | None = None
    cron: tuple[frozenset[int] | None, ...] = ()
    hourly_cron: bool = False

    def next_window(self, after: float) -> tuple[float, float]:
        """(start, end) of the first window starting after ``after``."""
        if self.kind == "days":
            start = _midnight(after) + self.every * DAY
            return start, self._end(start, daily=True)
        if self.kind == "hours":
            step = self.every * HOUR
            start = _midnight(after) + step
            while start <= after:
                start += step
            return start, self._end(start, daily=False)
        start = self._next_cron(after)
        return start, self._end(start, daily=not self.hourly_cron)

    def _end(self, start: float, *, daily: bool) -> float:
        if self.duration_hours is not None:
            return start + self.duration_hours * HOUR
        if daily:
            return _midnight(start) + DAY - 1
        return start + HOUR

    def _next_cron(self, after: float) -> float:
        minutes, hours, doms, months, dows, years = self.cron
        day = datetime.fromtimestamp(_midnight(after), tz=timezone.utc)
        for _ in range(366 * 10):  # a schedule that never matches in ten years is refused
            aws_dow = (day.weekday() + 1) % 7 + 1
            if (
                (years is None or day.year in years)
                and (months is None or day.month in months)
                and (doms is None or day.day in doms)
                and (dows is None or aws_dow in dows)
            ):
                for hour in sorted(hours) if hours is not None else range(24):
                    for minute in sorted(minutes) if minutes is not None else range(60):
                        at = day.timestamp() + hour * HOUR + minute * 60
                        if at > after:
                            return at
            day += timedelta(days=1)
        raise InvalidParameterException("The schedule expression never matches a date in the next ten years.")


def parse_rules(rules: dict[str, object]) -> Schedule:
    """Validate RotationRules as RotateSecret does and return the schedule."""
    days = rules.get("AutomaticallyAfterDays")
    expression = rules.get("ScheduleExpression")
    duration = rules.get("Duration")
    if days is not None and expression is not None:
        raise InvalidParameterException(
            "You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules."
        )
    if days is None and expression is None:
        raise InvalidParameterException("RotationRules must contain AutomaticallyAfterDays or ScheduleExpression.")
    hours = _duration(duration)
    if days is not None:
        every = int(str(days))
        # The model's range for AutomaticallyAfterDays; botocore checks only the minimum.
        if not 1 <= every <= 1000:
            raise InvalidParameterException("AutomaticallyAfterDays must be between 1 and 1000 days.")
        schedule = Schedule("days", every=every, duration_hours=hours)
    else:
        schedule = _expression(str(expression).strip(), hours)
    _check_window(schedule)
    return schedule


def _duration(duration: object) -> int | None:
    if duration is None:
        return None
    match = re.fullmatch(r"(\d+)h", str(duration))
    if not match or not 1 <= int(match.group(1)) <= 24:
        raise InvalidParameterException(f"Invalid Duration: {duration}. Use a whole number of hours, e.g. 3h.")
    return int(match.group(1))


def _expression(expression: str, hours: int | None) -> Schedule:
    rate = _RATE.match(expression)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        if unit.startswith("hour"):
            if count < 4:
                raise InvalidParameterException("The rotation schedule must be at least four hours.")
            if count % 24 == 0:
                return Schedule("days", every=count // 24, duration_hours=hours)
            return Schedule("hours", every=count, duration_hours=hours)
        if not 1 <= count <= 1000:
            raise InvalidParameterException("A rate() expression in days must be between 1 and 1000 days.")
        return Schedule("days", every=count, duration_hours=hours)
    cron = _CRON.match(expression)
    if not cron:
        raise InvalidParameterException(
            f"Invalid ScheduleExpression: {expression}. Use rate(N hours), rate(N days) or cron(...)."
        )
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise InvalidParameterException(
            f"Invalid cron expression: {expression}. A cron expression has six fields: minutes hours "
            "day-of-month month day-of-week year."
        )
    minute, hour, dom, month, dow, year = fields
    if minute != "0":
        # AWS's user guide: "rotation windows always start on the hour", and its table of
        # cron fields says Minutes "Must be 0". Without this, cron(0,30 8 ...) would rotate
        # twice in half an hour, under the four-hour minimum.
        raise InvalidParameterException(
            f"Invalid cron expression: {expression}. Rotation windows start on the hour: the minutes field must be 0."
        )
    # The same older table says Year "Must be *"; the current guide no longer says so, so
    # the fake accepts a year field (it only narrows the schedule).
    if dom != "?" and dow != "?":
        raise InvalidParameterException(
            f"Invalid cron expression: {expression}. Specify either day-of-month or day-of-week, and '?' for the other."
        )
    parsed = (
        _field(minute, 0, 59, {}, expression),
        _field(hour, 0, 23, {}, expression),
        _field(dom, 1, 31, {}, expression),
        _field(month, 1, 12, _MONTHS, expression),
        _field(dow, 1, 7, _DAYS, expression),
        _field(year, 1970, 2199, {}, expression),
    )
    start_hours = parsed[1]
    if start_hours is None:  # every hour
        raise InvalidParameterException("The rotation schedule must be at least four hours.")
    # Several start hours a day make "a schedule in hours" (windows close after an hour).
    # AWS: hourly increments reset each day, so the gap across midnight counts too.
    hourly = len(start_hours) > 1
    if hourly:
        ordered = sorted(start_hours)
        gaps = [b - a for a, b in itertools.pairwise(ordered)] + [24 - ordered[-1] + ordered[0]]
        if min(gaps) < 4:
            raise InvalidParameterException("The rotation schedule must be at least four hours.")
    return Schedule("cron", duration_hours=hours, cron=parsed, hourly_cron=hourly)


def _field(text: str, low: int, high: int, names: dict[str, int], expression: str) -> frozenset[int] | None:
    """One cron field as the set of values it allows; ``None`` for any."""
    if text in ("*", "?"):
        return None
    if any(c in text.upper() for c in "LW#"):
        raise InvalidParameterException(
            f"pytest-awsmsg does not support L, W or # in cron expressions ({expression}); use plain values."
        )
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            step = _number(step_text, {}, expression)
            if step < 1:
                raise InvalidParameterException(f"Invalid cron expression: {expression}.")
        if part in ("*", ""):
            first, last = low, high
        elif "-" in part:
            a, _, b = part.partition("-")
            first, last = _number(a, names, expression), _number(b, names, expression)
        else:
            first = _number(part, names, expression)
            last = high if step > 1 else first
        if not (low <= first <= high and low <= last <= high) or first > last:
            raise InvalidParameterException(f"Invalid cron expression: {expression}.")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _number(text: str, names: dict[str, int], expression: str) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise InvalidParameterException(f"Invalid cron expression: {expression}.")
    return int(text)


def _check_window(schedule: Schedule) -> None:
    """AWS: the window must not extend into the next UTC day or into the next window."""
    hours = schedule.duration_hours
    if hours is None:
        return
    if schedule.kind == "hours" and hours > schedule.every:
        raise InvalidParameterException("The rotation window can't extend into the next rotation window.")
    if schedule.kind == "cron" and schedule.cron[1] is not None:
        if max(schedule.cron[1]) + hours > 24:
            raise InvalidParameterException("The rotation window can't extend into the next UTC day.")
    elif hours > 24:
        raise InvalidParameterException("The rotation window can't extend into the next UTC day.")
