"""Wait states: the four forms, as timers on the cloud's clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import choice, errors
from .errors import StatesError
from .interpreter import Visit
from .models import dumps
from .query import QUERY_EVALUATION_ERROR

if TYPE_CHECKING:
    from .interpreter import Interpreter


def run_wait(interp: Interpreter, v: Visit) -> None:
    """Seconds, Timestamp, SecondsPath or TimestampPath: a timer on the clock, then the exit."""
    data = interp.input_path(v, v.input)
    state = v.state
    now = interp.cloud.clock.now()
    if "Seconds" in state:
        seconds = interp.number(v, "Seconds")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            # Only an expression can get here (a literal is checked at creation).
            raise StatesError(
                QUERY_EVALUATION_ERROR, f"The Seconds field must evaluate to a non-negative integer: {_shown(seconds)}"
            )
        due = now + seconds
    elif "Timestamp" in state:
        value = interp.number(v, "Timestamp")
        stamp = choice.parse_timestamp(value)
        if stamp is None:
            raise StatesError(
                QUERY_EVALUATION_ERROR, f"The Timestamp field must evaluate to an ISO-8601 timestamp: {_shown(value)}"
            )
        due = stamp.timestamp()
    elif "SecondsPath" in state:
        path = state["SecondsPath"]
        seconds = interp.select(path, data, v)
        # AWS's wording (the value must be a long, and not negative).
        if not isinstance(seconds, int) or isinstance(seconds, bool):
            raise StatesError(
                errors.RUNTIME,
                f"The SecondsPath parameter cannot be parsed as a long value: {path} == {_shown(seconds)}",
            )
        if seconds < 0:
            raise StatesError(
                errors.RUNTIME, f"The SecondsPath parameter references a negative value: {path} == {seconds}"
            )
        due = now + seconds
    else:
        path = state["TimestampPath"]
        value = interp.select(path, data, v)
        stamp = choice.parse_timestamp(value)
        if stamp is None:
            raise StatesError(
                errors.RUNTIME,
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
                f"format string: {path} == {_shown(value)}",
            )
        due = stamp.timestamp()
    if v.jsonata:
        output, assigned = interp.settle(v, state, v.input)
    else:
        assigned = interp.assign(v, state.get("Assign"), data)
        output = interp.output_path(v, data)
    if due <= now:
        interp.exit(v, output, assigned=assigned)
    else:
        interp.later(v.thread, due, lambda: interp.exit(v, output, assigned=assigned), f"sfn wait {v.name}")


def _shown(value: object) -> str:
    """A value as AWS prints it in these messages: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else dumps(value)
