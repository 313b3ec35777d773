"""Wait states: the four forms, as timers on the cloud's clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import choice, errors
from .errors import StatesError
from .interpreter import Visit

if TYPE_CHECKING:
    from .interpreter import Interpreter


def run_wait(interp: Interpreter, v: Visit) -> None:
    """Seconds, Timestamp, SecondsPath or TimestampPath: a timer on the clock, then the exit."""
    data = interp.input_path(v, v.input)
    state = v.state
    now = interp.cloud.clock.now()
    if "Seconds" in state:
        due = now + state["Seconds"]
    elif "Timestamp" in state:
        stamp = choice.parse_timestamp(state["Timestamp"])
        assert stamp is not None
        due = stamp.timestamp()
    elif "SecondsPath" in state:
        seconds = interp.select(state["SecondsPath"], data)
        # Assumed, as AWS's own message says: an integer; a fraction (even 2.0) is refused,
        # as TimeoutSecondsPath refuses one.
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise StatesError(
                errors.RUNTIME,
                f"The SecondsPath parameter does not reference a valid non-negative integer value: {seconds!r}",
            )
        due = now + seconds
    else:
        value = interp.select(state["TimestampPath"], data)
        stamp = choice.parse_timestamp(value)
        if stamp is None:
            raise StatesError(
                errors.RUNTIME,
                f"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
                f"format string: {value!r}",
            )
        due = stamp.timestamp()
    output = interp.output_path(v, data)
    if due <= now:
        interp.exit(v, output)
    else:
        interp.later(v.thread, due, lambda: interp.exit(v, output), f"sfn wait {v.name}")
