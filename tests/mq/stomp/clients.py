"""stomp.py clients for the tests: connected to a broker made through boto3, at the endpoint AWS lists."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import stomp  # type: ignore[import-untyped]

from ..brokers import PASSWORD, USER, endpoint

# Real time a socket round trip may take on a loaded machine; never used to let virtual time pass.
IO_WAIT = 5.0


class Inbox(stomp.ConnectionListener):  # type: ignore[misc]
    """What a connection received, with waits bounded in real time (socket latency only)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.errors: list[Any] = []
        self.receipts: list[str] = []
        self.disconnected = threading.Event()
        self._changed = threading.Condition()

    def on_message(self, frame: Any) -> None:
        with self._changed:
            self.messages.append(frame)
            self._changed.notify_all()

    def on_error(self, frame: Any) -> None:
        with self._changed:
            self.errors.append(frame)
            self._changed.notify_all()

    def on_receipt(self, frame: Any) -> None:
        with self._changed:
            self.receipts.append(frame.headers["receipt-id"])
            self._changed.notify_all()

    def on_disconnected(self) -> None:
        self.disconnected.set()

    def wait_messages(self, count: int) -> list[Any]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.messages) >= count, timeout=IO_WAIT)
            return list(self.messages)

    def wait_receipt(self, receipt: str) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: receipt in self.receipts, timeout=IO_WAIT), self.receipts

    def wait_error(self) -> Any:
        with self._changed:
            assert self._changed.wait_for(lambda: bool(self.errors), timeout=IO_WAIT)
            return self.errors[0]

    def bodies(self) -> list[str]:
        return [m.body for m in self.messages]


def eventually(predicate: Callable[[], bool]) -> bool:
    """Whether ``predicate`` holds within the socket-latency bound (polled; real time, never virtual)."""
    deadline = time.monotonic() + IO_WAIT
    while not predicate():
        if time.monotonic() > deadline:
            return False
        threading.Event().wait(0.01)
    return True


def connect(
    described: dict[str, Any],
    *,
    version: str = "1.2",
    user: str = USER,
    password: str = PASSWORD,
    instance: int = 0,
    wait: bool = True,
    heartbeats: tuple[int, int] = (0, 0),
    **headers: Any,
) -> tuple[Any, Inbox]:
    """A stomp.py connection of this version over TLS (stock verification) to the broker's stomp+ssl endpoint."""
    address = endpoint(described, "stomp+ssl", instance)
    kind = {"1.0": stomp.Connection10, "1.1": stomp.Connection11, "1.2": stomp.Connection12}[version]
    conn = kind([address]) if version == "1.0" else kind([address], heartbeats=heartbeats)
    conn.set_ssl(for_hosts=[address])
    inbox = Inbox()
    conn.set_listener("inbox", inbox)
    conn.connect(user, password, wait=wait, headers=headers)
    return conn, inbox
