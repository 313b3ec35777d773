"""Threads and the cloud: who may move virtual time, and who may hold the lock.

The rule (DESIGN.md, "Who moves time"): only the test moves virtual time. A
wait (an SQS long poll, a ``GetActivityTask``, an SWF poll, a broker
consumer) moves the clock only when it runs on the test's own thread, or when
every thread that uses the cloud is waiting too. Otherwise it waits in real
time for something to change, and a wait on another thread gives up after
:data:`BACKGROUND_REAL_WAIT` real seconds without moving time: a background
consumer polling an empty queue cannot race the clock ahead of the test (and
expire the test's messages), and a ``join()`` on it never hangs.

A thread counts as busy for :data:`QUIET_AFTER` real seconds after its last
call, so the test's long poll gives a producer thread that is between two
calls the chance to send before the poll jumps to its end.

The cloud's lock is never held while user code runs (:meth:`Participants.run_user_code`):
a Lambda stand-in may start threads that call AWS and wait for them.

Threads that used a cloud and are still alive when it ends are stragglers:
the test that started them gets a warning naming them, and their later calls
fail (see :mod:`pytest_awsmsg._hook`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .clock import Clock

T = TypeVar("T")

#: Real seconds a thread counts as busy after its last call to the cloud.
QUIET_AFTER = 0.2
#: Real seconds a wait off the test's thread lasts at most while it may not move time.
BACKGROUND_REAL_WAIT = 0.5
#: Real seconds between re-checks of a wait that may not move time yet.
_SLICE = 0.02
#: Threads the kit itself runs (servers, brokers) are named with this prefix:
#: they serve the cloud rather than use it, so they never count as stragglers.
KIT_THREAD_PREFIX = "awsmsg-"
_EPSILON = 1e-9


def _real_monotonic() -> tuple[Callable[[], float]]:
    """The process's real monotonic clock, even while freezegun (the test's or the cloud's) froze ``time``.

    In a tuple: freezegun replaces every module attribute that *is* a real
    time function, so a plain module global would be frozen too.
    """
    import sys

    real = getattr(sys.modules.get("freezegun.api"), "real_monotonic", None)
    return (real if real is not None else time.monotonic,)


_REAL_CLOCK = _real_monotonic()


def _monotonic() -> float:
    return _REAL_CLOCK[0]()


class StragglerThreadWarning(UserWarning):
    """A thread that used the cloud was still running when the cloud ended."""


class Participants:
    """The threads using one cloud, and the waits they are in."""

    def __init__(self, lock: threading.RLock, clock: Clock) -> None:
        self._lock = lock
        self._clock = clock
        #: Notified whenever the cloud's state may have changed (every call, every move of time).
        self.changed = threading.Condition(lock)
        self.owner: threading.Thread = threading.current_thread()
        self._present_at_start: set[threading.Thread] = set(threading.enumerate())
        self._last_seen: dict[threading.Thread, float] = {}
        self._waiting: dict[threading.Thread, float] = {}  # thread -> virtual deadline
        # Waiters woken by a change that have not re-checked their predicate
        # yet: until they do, they may be about to act, so time must not move.
        self._woken: set[threading.Thread] = set()

    def adopt_owner(self) -> None:
        """The calling thread is the test's: it moves time (called when the cloud is activated)."""
        self.owner = threading.current_thread()
        self._present_at_start = set(threading.enumerate())

    # -- activity -------------------------------------------------------------

    def seen(self) -> None:
        """The calling thread used the cloud just now (called under the lock)."""
        self._last_seen[threading.current_thread()] = _monotonic()

    def notify(self) -> None:
        """Wake every wait to re-check its predicate (called under the lock)."""
        self._woken.update(self._waiting)
        self.changed.notify_all()

    # -- waiting ---------------------------------------------------------------

    def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float,
        *,
        next_change: Callable[[], float | None] | None = None,
        stand_at_deadline: bool = True,
    ) -> bool:
        """Wait until ``predicate()`` holds or ``timeout`` virtual seconds pass.

        Called with the cloud's lock held (from inside an operation); the lock
        is released while waiting. ``next_change`` tells when the predicate
        may turn true without any call or timer (a message whose visibility
        timeout ends): time moves no further than that in one step. Returns
        the predicate's last value. With ``stand_at_deadline=False`` the wait
        ends where nothing more is due instead of moving time to its deadline
        (a test helper waiting "until done, at most a year").
        """
        me = threading.current_thread()
        deadline = self._clock.now() + max(0.0, timeout)
        gave_up_at = _monotonic() + BACKGROUND_REAL_WAIT
        while True:
            self._woken.discard(me)
            if not self._clock.firing:
                self._clock.run_due()  # what is due now may be what the wait is for
            if predicate():
                return True
            now = self._clock.now()
            if now + _EPSILON >= deadline:
                return False
            if self._clock.firing:
                return False  # time cannot move inside a firing timer: answer now
            if self._may_move_time(me):
                upcoming = [*self._waiting.values(), *_opt(self._clock.next_due())]
                if next_change is not None:
                    upcoming += _opt(next_change())
                # Only instants ahead count, so every step moves time and no wait spins.
                target = min([deadline, *(t for t in upcoming if t > now + _EPSILON)])
                if target >= deadline and not stand_at_deadline:
                    return predicate()
                self._clock.run_until(target)
                self.notify()
                continue
            if me is not self.owner and _monotonic() >= gave_up_at:
                return predicate()  # a background wait ends without moving time
            self._waiting[me] = deadline
            try:
                self.changed.wait(_SLICE)
            finally:
                del self._waiting[me]

    def _may_move_time(self, me: threading.Thread) -> bool:
        if me is not self.owner and self.owner not in self._waiting:
            return False
        quiet_since = _monotonic() - QUIET_AFTER
        for thread, last in list(self._last_seen.items()):
            if thread in self._woken and thread is not me:
                return False  # woken by a change and not yet back: what it waits for may have come
            if thread is me or thread in self._waiting:
                continue
            if not thread.is_alive():
                del self._last_seen[thread]
                continue
            if last > quiet_since:
                return False  # busy between two calls: it may be about to change something
        return True

    # -- user code -------------------------------------------------------------

    def run_user_code(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call user code (a Lambda stand-in, an HTTP handler) without holding the cloud's lock.

        The code may call AWS from this or any other thread, and wait for
        those threads, without deadlocking; the caller's hold on the lock,
        however deep, is restored afterwards.
        """
        lock: Any = self._lock
        if not lock._is_owned():
            return func(*args, **kwargs)
        state = lock._release_save()
        try:
            return func(*args, **kwargs)
        finally:
            lock._acquire_restore(state)

    # -- the end -----------------------------------------------------------------

    def stragglers(self) -> list[threading.Thread]:
        """Threads started during the cloud that used it and are still running."""
        return [
            thread
            for thread in self._last_seen
            if thread is not self.owner
            and thread not in self._present_at_start
            and thread.is_alive()
            and not thread.name.startswith(KIT_THREAD_PREFIX)
        ]


def _opt(value: float | None) -> list[float]:
    return [] if value is None else [value]
