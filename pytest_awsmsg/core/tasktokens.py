"""Task tokens and their timers, written once for every service that hands out work.

Step Functions (activity tasks, ``.waitForTaskToken`` callbacks) and SWF
(activity and decision tasks) both give a worker an opaque token and keep
timers on the cloud's clock: an overall timeout and a heartbeat window that
every heartbeat starts again. A :class:`TimedTask` is one such task: named
timers (armed before or after its token is handed out), a token, and a
close that happens once, whichever comes first of an answer or a timer. A
:class:`TaskTokens` book mints tokens from the cloud's id source (same seed,
same tokens), finds the open task a token stands for, and remembers tokens
it handed out after their task closed, so a late answer gets the service's
"this task is over" error rather than its "never heard of it" one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .clock import Clock, Timer

__all__ = ["TaskTokens", "TimedTask"]

T = TypeVar("T")


class TimedTask(Generic[T]):
    """One task a service handed out (or will): its timers, its token, its one close.

    ``payload`` is the service's own record of the task.
    """

    def __init__(self, book: TaskTokens[T], payload: T) -> None:
        self.payload = payload
        self.token: str | None = None
        self.outcome: str | None = None  # why it closed: the service's word ("SUCCEEDED", "TIMED_OUT" ...)
        self._book = book
        self._timers: dict[str, Timer] = {}
        # Heartbeat windows, by kind: (seconds, on_expiry, label), re-armed by heartbeat().
        self._beats: dict[str, tuple[float, Callable[[str], None], str]] = {}

    @property
    def open(self) -> bool:
        return self.outcome is None

    def arm(
        self,
        kind: str,
        seconds: float | None,
        on_expiry: Callable[[str], None],
        label: str,
        *,
        heartbeat: bool = False,
    ) -> Timer | None:
        """Start (or start again) the ``kind`` timer: when it fires the task closes as
        ``TIMED_OUT`` and ``on_expiry(kind)`` runs. ``None`` seconds: no timer (SWF's ``NONE``).

        A ``heartbeat`` timer starts again from now on every :meth:`heartbeat`.
        """
        self.disarm(kind)
        if seconds is None or not self.open:
            return None
        if heartbeat:
            self._beats[kind] = (seconds, on_expiry, label)

        def fire() -> None:
            if self._timers.get(kind) is timer and self.close("TIMED_OUT"):
                on_expiry(kind)

        timer = self._book.clock.call_later(seconds, fire, label)
        self._timers[kind] = timer
        return timer

    def disarm(self, kind: str) -> None:
        """Stop the ``kind`` timer (a task that started no longer waits to start)."""
        timer = self._timers.pop(kind, None)
        if timer is not None:
            timer.cancel()
        self._beats.pop(kind, None)

    def heartbeat(self) -> list[Timer]:
        """The worker is alive: start every heartbeat window again from now (the new timers)."""
        renewed = []
        for kind, (seconds, on_expiry, label) in list(self._beats.items()):
            timer = self.arm(kind, seconds, on_expiry, label, heartbeat=True)
            if timer is not None:
                renewed.append(timer)
        return renewed

    def close(self, outcome: str) -> bool:
        """Close the task once: timers cancelled, token retired. False if it was already closed."""
        if not self.open:
            return False
        self.outcome = outcome
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._beats.clear()
        if self.token is not None:
            self._book._retire(self.token)
        return True

    def __repr__(self) -> str:
        return f"<TimedTask {self.outcome or 'open'} timers={sorted(self._timers)}>"


class TaskTokens(Generic[T]):
    """The tokens one service (or one account and region of it) handed out."""

    def __init__(self, clock: Clock, mint: Callable[[], str]) -> None:
        self.clock = clock
        self._mint = mint
        self._open: dict[str, TimedTask[T]] = {}
        self._spent: set[str] = set()  # handed out, then closed (or never given a task)

    def mint(self) -> str:
        """A fresh token, before the task it will stand for exists (a callback's
        ``$$.Task.Token`` is needed to build the request that carries it)."""
        token = self._mint()
        self._spent.add(token)
        return token

    def task(self, payload: T) -> TimedTask[T]:
        """A new open task with no token yet; its timers may be armed at once."""
        return TimedTask(self, payload)

    def hand_out(self, task: TimedTask[T], token: str | None = None) -> str:
        """Give ``task`` its token (``token`` from :meth:`mint`, else a fresh one)."""
        if token is None:
            token = self.mint()
        task.token = token
        if task.open:
            self._spent.discard(token)
            self._open[token] = task
        return token

    def issue(self, payload: T, token: str | None = None) -> TimedTask[T]:
        """A new task holding a token at once."""
        task = self.task(payload)
        self.hand_out(task, token)
        return task

    def find(self, token: str) -> TimedTask[T] | None:
        """The open task ``token`` stands for, if any."""
        return self._open.get(token)

    def spent(self, token: str) -> bool:
        """Whether ``token`` was handed out and its task is over."""
        return token in self._spent

    def __iter__(self) -> Iterator[TimedTask[T]]:
        """Open tasks holding a token, oldest first."""
        return iter(list(self._open.values()))

    def _retire(self, token: str) -> None:
        if self._open.pop(token, None) is not None:
            self._spent.add(token)
