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

An async client's call (aiobotocore) runs on a kit thread in strict turns
with its event loop (:meth:`Participants.run_in_turns`): while the call waits,
the loop runs its other tasks, so a producer task on the same loop can send
what a long poll waits for; the wait moves virtual time only when the loop
has nothing else to run (the way ``looptime`` tells an idle loop), and the
turns keep the order of calls, and so the ids, the same on every run.

Threads that used a cloud and are still alive when it ends are stragglers:
the test that started them gets a warning naming them, and their later calls
fail (see :mod:`pytest_awsmsg._hook`).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
import weakref
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
        # Kit threads running an async client's call -> (the loop's thread they act for, their turns).
        self._delegates: dict[threading.Thread, tuple[threading.Thread, _Turns]] = {}

    def adopt_owner(self) -> None:
        """The calling thread is the test's: it moves time (called when the cloud is activated)."""
        self.owner = threading.current_thread()
        self._present_at_start = set(threading.enumerate())

    # -- activity -------------------------------------------------------------

    def acting(self) -> threading.Thread:
        """The thread a call counts as: the calling thread, or the event loop's an async call runs for."""
        me = threading.current_thread()
        delegate = self._delegates.get(me)
        return me if delegate is None else delegate[0]

    def seen(self) -> None:
        """The calling thread used the cloud just now (called under the lock)."""
        self._last_seen[self.acting()] = _monotonic()

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
        if me in self._delegates:
            return self._wait_in_turns(predicate, deadline, gave_up_at, next_change, stand_at_deadline)
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
                if not self._step(now, deadline, next_change, stand_at_deadline):
                    return predicate()
                continue
            if me is not self.owner and _monotonic() >= gave_up_at:
                return predicate()  # a background wait ends without moving time
            self._waiting[me] = deadline
            try:
                self.changed.wait(_SLICE)
            finally:
                del self._waiting[me]

    def _step(
        self, now: float, deadline: float, next_change: Callable[[], float | None] | None, stand_at_deadline: bool
    ) -> bool:
        """Move time to the next instant anything may change (at most ``deadline``); False: the wait ends here."""
        upcoming = [*self._waiting.values(), *_opt(self._clock.next_due())]
        if next_change is not None:
            upcoming += _opt(next_change())
        # Only instants ahead count, so every step moves time and no wait spins.
        target = min([deadline, *(t for t in upcoming if t > now + _EPSILON)])
        if target >= deadline and not stand_at_deadline:
            return False
        self._clock.run_until(target)
        self.notify()
        return True

    def _wait_in_turns(
        self,
        predicate: Callable[[], bool],
        deadline: float,
        gave_up_at: float,
        next_change: Callable[[], float | None] | None,
        stand_at_deadline: bool,
    ) -> bool:
        """:meth:`wait_for` for an async client's call: between checks the turn goes back to the event loop."""
        principal, turns = self._delegates[threading.current_thread()]
        loop_idle = False
        while True:
            if not self._clock.firing:
                self._clock.run_due()
            if predicate():
                return True
            now = self._clock.now()
            if now + _EPSILON >= deadline or self._clock.firing:
                return False
            if loop_idle and self._may_move_time(principal):
                # One step, then the loop's turn again: what the step fired may wake its tasks.
                turns.moved = True
                loop_idle = False
                if not self._step(now, deadline, next_change, stand_at_deadline):
                    return predicate()
                continue
            if principal is not self.owner and _monotonic() >= gave_up_at:
                return predicate()  # as any background wait: it ends without moving time
            loop_idle = self._park(turns)
            if turns.abandoned:
                return False

    def _park(self, turns: _Turns) -> bool:
        """Give the turn to the event loop, without the cloud's lock, until it gives it back."""
        lock: Any = self._lock
        state = lock._release_save()
        try:
            return turns.to_loop()
        finally:
            lock._acquire_restore(state)

    async def run_in_turns(self, call: Callable[[], T]) -> T:
        """Run an async client's ``call`` on a kit thread, taking turns with the running event loop.

        The loop's thread waits while the call runs, so calls happen in the
        order the loop makes them (same seed, same ids); when the call waits
        (a long poll), the loop runs its other tasks between the wait's checks,
        and lets the wait move virtual time only once it has nothing else to
        run: no ready callback and no timer due within :data:`QUIET_AFTER`, or
        busy for :data:`BACKGROUND_REAL_WAIT` on end (a task spinning forever
        is not waiting for the poll).
        """
        lock: Any = self._lock
        if lock._is_owned():
            return call()  # the loop's thread holds the cloud: the call cannot take turns with it
        loop = asyncio.get_running_loop()
        turns = _Turns()
        principal = threading.current_thread()
        _WORKERS.submit(lambda: turns.run(call, self._delegates, principal))
        turns.wait_for_call()
        busy_since: float | None = None
        try:
            while not turns.finished:
                await _yield(loop)
                idle = _loop_idle(loop)
                if idle:
                    busy_since = None
                else:
                    busy_since = busy_since if busy_since is not None else _monotonic()
                    idle = _monotonic() - busy_since >= BACKGROUND_REAL_WAIT
                turns.moved = False
                turns.to_call(idle)
                if idle and not turns.moved and not turns.finished:
                    await _real_sleep(loop, _SLICE)  # other threads are busy: give them real time
        except BaseException:
            # The awaiting task was cancelled (asyncio.wait_for's timeout): the client hung up,
            # so the wait ends where it is, and the call finishes before the task does.
            turns.abandoned = True
            turns.to_call(False)
            raise
        return turns.result()  # type: ignore[no-any-return]

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


class _Turns:
    """Strict turns between an event loop's thread and the kit thread running one of its calls."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._loops_turn = False
        self._loop_idle = False
        self.moved = False  # the call moved virtual time in its last turn
        self.abandoned = False  # the awaiting task was cancelled: stop waiting
        self.finished = False
        self._value: Any = None
        self._error: BaseException | None = None

    # -- the call's side ----------------------------------------------------------

    def run(self, call: Callable[[], Any], delegates: dict[threading.Thread, Any], principal: threading.Thread) -> None:
        delegates[threading.current_thread()] = (principal, self)
        try:
            self._value = call()
        except BaseException as error:  # handed to the loop, raised there
            self._error = error
        finally:
            delegates.pop(threading.current_thread(), None)
            with self._cond:
                self.finished = True
                self._loops_turn = True
                self._cond.notify_all()

    def to_loop(self) -> bool:
        """Park: the loop's turn until it gives the turn back; whether the loop was idle then."""
        with self._cond:
            self._loops_turn = True
            self._cond.notify_all()
            while self._loops_turn:
                self._cond.wait()
            return self._loop_idle

    # -- the loop's side ----------------------------------------------------------

    def wait_for_call(self) -> None:
        """Block the loop's thread until the call parks or finishes."""
        with self._cond:
            while not self._loops_turn:
                self._cond.wait()

    def to_call(self, loop_idle: bool) -> None:
        """The call's turn to check again (moving time if ``loop_idle``); back when it parks or finishes."""
        with self._cond:
            if self.finished:
                return
            self._loop_idle = loop_idle
            self._loops_turn = False
            self._cond.notify_all()
            while not self._loops_turn:
                self._cond.wait()

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._value


class _WorkerPool:
    """Kit threads that run async clients' calls, kept a while for the next call (starting one costs)."""

    IDLE_SECONDS = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[queue.SimpleQueue[Callable[[], None]]] = []

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            jobs = self._idle.pop() if self._idle else None
        if jobs is None:
            jobs = queue.SimpleQueue()
            threading.Thread(target=self._work, args=(jobs,), name=f"{KIT_THREAD_PREFIX}aio-call", daemon=True).start()
        jobs.put(job)

    def _work(self, jobs: queue.SimpleQueue[Callable[[], None]]) -> None:
        while True:
            try:
                job = jobs.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if jobs not in self._idle:
                        continue  # handed a job just now: it is on its way
                    self._idle.remove(jobs)
                return
            job()
            with self._lock:
                self._idle.append(jobs)


_WORKERS = _WorkerPool()

# Timer handles of the kit's own real waits on an event loop: not work the loop has to do.
_OWN_TIMERS: weakref.WeakSet[Any] = weakref.WeakSet()


async def _yield(loop: asyncio.AbstractEventLoop) -> None:
    """Let every other ready callback run once (``sleep(0)``, immune to virtual-sleep patches)."""
    future = loop.create_future()
    loop.call_soon(future.set_result, None)
    await future


async def _real_sleep(loop: asyncio.AbstractEventLoop, seconds: float) -> None:
    future = loop.create_future()
    _OWN_TIMERS.add(loop.call_later(seconds, _resolve, future))
    await future


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _loop_idle(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether the loop has nothing to run now or soon (asyncio's own loops say; others count as idle)."""
    ready = getattr(loop, "_ready", None)
    scheduled = getattr(loop, "_scheduled", None)
    if ready is None or scheduled is None:
        return True  # cannot tell (uvloop): the wait moves time as a plain blocking wait would
    if ready:
        return False
    soon = loop.time() + QUIET_AFTER
    return not any(not h.cancelled() and h.when() <= soon and h not in _OWN_TIMERS for h in scheduled)
