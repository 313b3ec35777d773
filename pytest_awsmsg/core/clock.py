"""Virtual time: one clock and one scheduler per cloud.

Cloud time is the process's time plus an offset. The process's time is
whatever freezegun or time-machine make it, so a test that already drives time
that way moves the cloud too; :meth:`Clock.advance`, long polls and botocore's
retry backoff grow the offset instead of sleeping. :meth:`Clock.freeze` gives
the code under test and the cloud one frozen timeline.

:meth:`Clock.patch_sleep` makes ``time.sleep`` (and ``asyncio.sleep``) in the
code under test move virtual time, so polling loops finish at once. Sleeping
code expects its own clock to move too, so in that mode the cloud and the
process share one timeline: a sleep moves whatever already drives the
process's time (the test's freezegun or time-machine, or the cloud's own
freeze), and if nothing does, the mode freezes it at cloud time on entry.

Scheduled callbacks fire in a deterministic order (due time, then the order in
which they were scheduled) whenever anything moves time, and lazily before
every call the cloud answers, since the process's own time moves on its own.
While a callback runs, :meth:`Clock.now` reads its due time, so what it stamps
does not depend on when the call that noticed it happened to arrive.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

# Bounds every "run until nothing is left" loop: a callback that keeps
# rescheduling itself must not hang a test.
MAX_EVENTS_PER_RUN = 1_000_000


class Timer:
    """A scheduled callback; :meth:`cancel` stops it from firing."""

    __slots__ = ("callback", "cancelled", "due", "label", "seq")

    def __init__(self, due: float, seq: int, callback: Callable[[], None], label: str) -> None:
        self.due = due
        self.seq = seq
        self.callback = callback
        self.cancelled = False
        self.label = label

    def __lt__(self, other: Timer) -> bool:
        return (self.due, self.seq) < (other.due, other.seq)

    def cancel(self) -> None:
        self.cancelled = True

    def __repr__(self) -> str:
        return f"Timer(due={self.due:.3f}, {self.label or self.callback!r})"


def to_timestamp(when: datetime | float | int | str) -> float:
    """Seconds since the epoch for a datetime, an ISO 8601 string or a number."""
    if isinstance(when, (int, float)):
        return float(when)
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if when.tzinfo is None:
        # Naive datetimes are UTC, as they are for freezegun and time-machine.
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


class Clock:
    """The cloud's clock: reads time, moves it, and fires what became due."""

    def __init__(self, lock: threading.RLock | None = None) -> None:
        self._lock = lock or threading.RLock()
        self._offset = 0.0
        # Called with (timer label, exception) when a callback raises; the
        # cloud notes it as a kit failure (containment.py) and time goes on.
        self.on_error: Callable[[str, Exception], None] | None = None
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        # thread id -> due time of the timer it is firing: that thread reads the
        # timer's due time; others (the lock is released while user code runs)
        # read the clock.
        self._firing: dict[int, float] = {}
        self._freezer: Any = None  # freezegun's factory while frozen
        self.slept = 0.0  # virtual seconds botocore and the code under test slept
        self._virtual_sleep = 0  # depth of patch_sleep()
        self._froze_for_sleep = False

    # -- reading time -------------------------------------------------------

    def now(self) -> float:
        """Cloud time, in seconds since the epoch."""
        if self._firing:
            at = self._firing.get(threading.get_ident())
            if at is not None:
                return at
        return time.time() + self._offset

    def now_dt(self) -> datetime:
        """Cloud time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def now_ms(self) -> int:
        """Cloud time in whole milliseconds, as AWS stamps messages."""
        return int(self.now() * 1000)

    @property
    def firing(self) -> bool:
        """Whether the calling thread is inside a timer's callback (time cannot move there)."""
        return bool(self._firing) and threading.get_ident() in self._firing

    @property
    def frozen(self) -> bool:
        return self._freezer is not None

    # -- moving time --------------------------------------------------------

    def advance(
        self,
        seconds: float = 0.0,
        *,
        minutes: float = 0.0,
        hours: float = 0.0,
        days: float = 0.0,
    ) -> None:
        """Move time forward, firing everything that falls due on the way."""
        delta = seconds + 60 * minutes + 3600 * hours + 86400 * days
        if delta < 0:
            raise ValueError("advance() moves time forward; use travel_to() to go back")
        with self._lock:
            self.run_until(self.now() + delta)

    def travel_to(self, when: datetime | float | str) -> None:
        """Jump to an instant. Forward fires what falls due; back fires nothing."""
        target = to_timestamp(when)
        with self._lock:
            if target >= self.now():
                self.run_until(target)
            else:
                self._set(target)

    def sleep(self, seconds: float) -> None:
        """What a sleep becomes while the cloud is active: virtual time passes."""
        if seconds > 0:
            with self._lock:
                self.slept += seconds
                self.run_until(self.now() + seconds)

    @contextmanager
    def patch_sleep(self) -> Iterator[Clock]:
        """Inside, ``time.sleep`` and ``asyncio.sleep`` move this clock instead of waiting.

        Patches the attributes of the ``time`` and ``asyncio`` modules, so code
        that did ``from time import sleep`` at import time keeps the real one.
        The code under test and the cloud share one timeline meanwhile (see
        the module docstring). Meant for polling loops in the test's thread:
        a worker thread that sleeps in a loop would spin virtual time on.
        """
        with self._lock:
            if self._freezer is None and _process_time_mover() is None:
                # Sleeping code must see its own clock move; freeze now, not
                # at the first sleep, so the deadline it computes before
                # sleeping is on the same timeline.
                self.freeze()
                self._froze_for_sleep = True
            self._virtual_sleep += 1
            _sleep_patch.enter(self)
        try:
            yield self
        finally:
            with self._lock:
                self._virtual_sleep -= 1
                _sleep_patch.exit(self)
                if self._froze_for_sleep and not self._virtual_sleep:
                    self._froze_for_sleep = False
                    self.unfreeze()  # only what this mode froze

    def run_until(self, target: float) -> None:
        """Fire events due up to ``target`` in order, then stand at ``target``."""
        with self._lock:
            for _ in range(MAX_EVENTS_PER_RUN):
                timer = self._pop_due(target)
                if timer is None:
                    break
                if timer.due > self.now():
                    self._set(timer.due)
                # Callbacks read exactly their due time, so chains of timers
                # do not drift with the real time their processing takes.
                self._fire(timer, at=timer.due)
            if target > self.now():
                self._set(target)

    def run_due(self) -> None:
        """Fire what the passing of real (or frozen) time made due, without moving it."""
        if not self._heap or self._heap[0].due > self.now():
            return
        with self._lock:
            now = self.now()
            for _ in range(MAX_EVENTS_PER_RUN):
                timer = self._pop_due(now)
                if timer is None:
                    break
                self._fire(timer, at=timer.due)

    def run_until_idle(self, max_seconds: float = 366 * 86400.0) -> None:
        """Fire every scheduled event, moving time as far as the last one.

        Bounded by ``max_seconds`` of virtual time, so a periodic event (a
        rotation schedule) does not make it run forever.
        """
        with self._lock:
            limit = self.now() + max_seconds
            nxt = self.next_due()
            while nxt is not None and nxt <= limit:
                self.run_until(nxt)
                nxt = self.next_due()

    def freeze(self, at: datetime | float | str | None = None) -> None:
        """Freeze the process's time (freezegun) at ``at``, or at cloud time now.

        From then on the code under test reads the same instant as the cloud,
        and moving the clock moves that frozen instant.
        """
        import freezegun  # opt-in: starting freezegun walks every loaded module

        with self._lock:
            start = self.now() if at is None else to_timestamp(at)
            self.unfreeze()
            # asyncio's event loop keeps real monotonic time (freezegun >= 1.3):
            # with it frozen, a loop.call_later() or a wait_for() timeout in
            # the code under test would never fire.
            options: dict[str, Any] = {"real_asyncio": True} if _supports_real_asyncio(freezegun) else {}
            # pytest's own stopwatch stays real, or --durations and the
            # junit report would show epoch-sized test times.
            options["ignore"] = ["_pytest.timing"]
            self._freezer_ctx = freezegun.freeze_time(
                datetime.fromtimestamp(start, tz=timezone.utc).replace(tzinfo=None), **options
            )
            self._freezer = self._freezer_ctx.start()
            self._offset = 0.0

    def unfreeze(self) -> None:
        """Let the process's time run again; the cloud keeps its own time."""
        with self._lock:
            if self._freezer is None:
                return
            cloud_now = self.now()
            self._freezer_ctx.stop()
            self._freezer = None
            self._offset = cloud_now - time.time()

    # -- scheduling ---------------------------------------------------------

    def call_at(self, due: float, callback: Callable[[], None], label: str = "") -> Timer:
        with self._lock:
            timer = Timer(due, next(self._seq), callback, label)
            heapq.heappush(self._heap, timer)
            return timer

    def call_later(self, delay: float, callback: Callable[[], None], label: str = "") -> Timer:
        return self.call_at(self.now() + delay, callback, label)

    def next_due(self) -> float | None:
        """When the next live event is due, or ``None``."""
        with self._lock:
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            return self._heap[0].due if self._heap else None

    @property
    def pending(self) -> list[Timer]:
        """Live scheduled events in firing order (a copy, for inspection)."""
        with self._lock:
            return sorted(t for t in self._heap if not t.cancelled)

    # -- internals ----------------------------------------------------------

    def _pop_due(self, limit: float) -> Timer | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        if self._heap and self._heap[0].due <= limit:
            return heapq.heappop(self._heap)
        return None

    def _fire(self, timer: Timer, at: float) -> None:
        me = threading.get_ident()
        previous = self._firing.get(me)
        self._firing[me] = at
        try:
            timer.callback()
        except Exception as error:
            if self.on_error is None:
                raise
            self.on_error(timer.label or repr(timer.callback), error)
        finally:
            if previous is None:
                del self._firing[me]
            else:
                self._firing[me] = previous

    def _set(self, target: float) -> None:
        # In virtual-sleep mode, whatever drives the process's time now (the
        # test may have frozen it after the mode began) moves, and cloud time
        # follows it.
        mover = _process_time_mover() if self._virtual_sleep else None
        if self._freezer is not None and (mover is None or mover == self._freezer.tick):
            self._freezer.move_to(datetime.fromtimestamp(target, tz=timezone.utc).replace(tzinfo=None))
        elif mover is not None:
            mover(target - self.now())
        else:
            self._offset += target - self.now()

    def __repr__(self) -> str:
        return f"Clock({self.now_dt().isoformat()}, {len(self.pending)} pending)"


class _SleepPatch:
    """``time.sleep`` and ``asyncio.sleep`` while clocks are in virtual-sleep mode.

    One patch for the process, installed by the first clock to enter the mode
    and removed by the last to leave, whatever order they leave in (two
    activations on two threads, fixtures torn down out of order); a sleep
    moves the clock that entered last. Saving and restoring per clock would
    leave a finished cloud's sleep installed for good when exits interleave.
    """

    def __init__(self) -> None:
        self._clocks: list[Clock] = []
        self._real: tuple[Any, Any] | None = None

    def enter(self, clock: Clock) -> None:
        with _SLEEP_LOCK:
            if not self._clocks:
                self._real = (time.sleep, asyncio.sleep)
                time.sleep = self._sleep  # type: ignore[assignment]
                asyncio.sleep = self._async_sleep
            self._clocks.append(clock)

    def exit(self, clock: Clock) -> None:
        with _SLEEP_LOCK:
            self._clocks.remove(clock)
            if not self._clocks and self._real is not None:
                time.sleep, asyncio.sleep = self._real
                self._real = None

    def _sleep(self, seconds: float) -> None:
        clocks = self._clocks
        if clocks:
            clocks[-1].sleep(seconds)
        elif self._real is not None:  # pragma: no cover - a sleep racing the last exit
            self._real[0](seconds)

    async def _async_sleep(self, delay: float, result: Any = None) -> Any:
        self._sleep(delay)
        real_async_sleep = self._real[1] if self._real is not None else asyncio.sleep
        return await real_async_sleep(0, result)


_SLEEP_LOCK = threading.Lock()
_sleep_patch = _SleepPatch()


def _supports_real_asyncio(freezegun: Any) -> bool:
    import inspect

    return "real_asyncio" in inspect.signature(freezegun.freeze_time).parameters


def _process_time_mover() -> Callable[[float], Any] | None:
    """How to move the process's time if the test froze it with time-machine or freezegun.

    Looked up at each move, not once: the test may start or stop freezing at
    any point. Neither library is imported here; only one already in use counts.
    """
    time_machine = sys.modules.get("time_machine")
    travellers = getattr(time_machine, "traveller_stack", None)
    if travellers:
        return travellers[-1].shift  # type: ignore[no-any-return]
    freezegun_api = sys.modules.get("freezegun.api")
    factories = getattr(freezegun_api, "freeze_factories", None)
    if factories:
        return factories[-1].tick  # type: ignore[no-any-return]
    return None


def seconds(delta: timedelta | float) -> float:
    """Accept a timedelta wherever seconds are expected."""
    return delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
