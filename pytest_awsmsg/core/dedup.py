"""Deduplication windows: ids remembered for a fixed time, then forgotten.

SQS and SNS FIFO deduplication ids and SQS's ReceiveRequestAttemptIds all
live five minutes. Entries are kept in the order they were remembered, which
is the order they expire in while time runs forward, so forgetting stops at
the first live entry instead of scanning the window on every call. Time
travelling back can leave an entry out of order; :meth:`DedupWindow.get`
checks the entry it finds, so the answer stays exact.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class DedupWindow(Generic[K, V]):
    """What was seen under each key in the last ``seconds`` of (virtual) time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K, now: float) -> V | None:
        """What ``key`` was remembered with, if that was less than ``seconds`` ago."""
        self._forget_expired(now)
        found = self._entries.get(key)
        return found[1] if found is not None and found[0] > now else None

    def remember(self, key: K, value: V, now: float) -> None:
        """Remember ``value`` under ``key`` for the window, from ``now`` (replacing any earlier one)."""
        self._entries.pop(key, None)
        self._entries[key] = (now + self.seconds, value)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _forget_expired(self, now: float) -> None:
        entries = self._entries
        while entries:
            oldest = next(iter(entries))
            if entries[oldest][0] > now:
                break
            del entries[oldest]


@dataclass(frozen=True)
class FirstSend:
    """What a FIFO send leaves in the window: a duplicate is answered with the first send's id."""

    message_id: str
    sequence_number: str | None
