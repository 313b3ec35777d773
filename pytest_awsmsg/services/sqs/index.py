"""A queue's messages, indexed by state so that a receive and the approximate
counters cost the same whether the queue holds one message or 100,000.

A message's state still follows from its timestamps (``Message.state``), as
the process's own time moves too. The index records the state each message
had when the queue last looked (``Message.placed``) and keeps:

* the three counters (visible, in flight, delayed);
* a heap of visible message keys (keys order a queue by arrival);
* a heap of ``(visible_at, key)`` for the invisible, so :meth:`settle` moves
  exactly the messages that became visible since;
* a heap of ``(sent_at, key)`` for retention;
* FIFO queues: each group's messages in order, and a heap of the groups whose
  head is visible, by head key (a group is locked while its head is not).

Heaps are lazy: an entry whose message moved on is skipped when it surfaces,
and a heap twice as long as what it indexes is rebuilt, so stale entries cost
O(1) amortised. When time goes backwards (a test freezes the clock in the
past), the index is rebuilt from the timestamps.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Iterator

from .models import EPSILON, Message

_SLACK = 64  # stale heap entries tolerated beyond twice the live ones


class MessageIndex:
    """The messages of one queue by key, and by state."""

    def __init__(self, fifo: bool) -> None:
        self.fifo = fifo
        self._reset()

    def _reset(self) -> None:
        self.messages: dict[int, Message] = {}
        self.counts = {"visible": 0, "in-flight": 0, "delayed": 0}
        self._visible: list[int] = []
        self._waiting: list[tuple[float, int]] = []
        self._expiry: list[tuple[float, int]] = []
        self._groups: dict[str, OrderedDict[int, Message]] = {}
        self._ready: list[tuple[int, str]] = []
        self._settled_at = float("-inf")

    # -- changes ----------------------------------------------------------------

    def add(self, message: Message, now: float) -> None:
        """Index a message already given its (fresh, largest) key."""
        self.messages[message.key] = message
        heapq.heappush(self._expiry, (message.sent_at, message.key))
        if len(self._expiry) > 2 * len(self.messages) + _SLACK:
            self._expiry = [(m.sent_at, m.key) for m in self.messages.values()]
            heapq.heapify(self._expiry)
        if self.fifo:
            self._groups.setdefault(_group(message), OrderedDict())[message.key] = message
        message.placed = None
        self._place(message, now)

    def remove(self, message: Message) -> None:
        del self.messages[message.key]
        if message.placed is not None:
            self.counts[message.placed] -= 1
            message.placed = None
        if self.fifo:
            group_id = _group(message)
            group = self._groups[group_id]
            was_head = next(iter(group)) == message.key
            del group[message.key]
            if not group:
                del self._groups[group_id]
            elif was_head:
                self.offer(group_id)

    def retime(self, message: Message, visible_at: float, now: float) -> None:
        """Set when a message becomes visible (a receive, a visibility change)."""
        message.visible_at = visible_at
        self._place(message, now)

    def clear(self) -> None:
        self._reset()

    def settle(self, now: float, retention: float) -> None:
        """Drop messages past ``retention`` and make visible what became due by ``now``."""
        if now < self._settled_at - EPSILON:
            self._rebuild(now)
        self._settled_at = max(self._settled_at, now)
        limit = now - retention
        while self._expiry and self._expiry[0][0] <= limit:
            sent_at, key = heapq.heappop(self._expiry)
            message = self.messages.get(key)
            if message is not None and message.sent_at == sent_at:
                self.remove(message)
        while self._waiting and self._waiting[0][0] <= now + EPSILON:
            visible_at, key = heapq.heappop(self._waiting)
            message = self.messages.get(key)
            if message is not None and message.placed != "visible" and message.visible_at == visible_at:
                self._place(message, now)

    # -- queries (after settle) ------------------------------------------------------

    def next_change(self) -> float | None:
        """When the next invisible message becomes visible, if any does."""
        while self._waiting:
            visible_at, key = self._waiting[0]
            message = self.messages.get(key)
            if message is not None and message.placed != "visible" and message.visible_at == visible_at:
                return visible_at
            heapq.heappop(self._waiting)
        return None

    def pop_visible(self, up_to_key: int) -> Message | None:
        """The oldest visible message with a key up to ``up_to_key``, taken out of the index
        (``placed`` is ``None``) until the caller receives it (:meth:`retime`), moves it away
        (:meth:`remove`) or puts it back (:meth:`refile`)."""
        while self._visible and self._visible[0] <= up_to_key:
            message = self.messages.get(heapq.heappop(self._visible))
            if message is not None and message.placed == "visible":
                self.counts["visible"] -= 1
                message.placed = None
                return message
        return None

    def refile(self, message: Message, now: float) -> None:
        """File a message again under the state its timestamps give."""
        self._place(message, now)

    def visible(self, limit: int | None = None) -> list[Message]:
        """The oldest ``limit`` visible messages (all of them by default), oldest first."""
        if limit is None:
            keys = sorted({k for k in self._visible if self._is_visible(k)})
            return [self.messages[k] for k in keys]
        found: list[Message] = []
        while self._visible and len(found) < limit:
            key = heapq.heappop(self._visible)
            if self._is_visible(key) and (not found or found[-1].key != key):
                found.append(self.messages[key])
        for message in found:
            heapq.heappush(self._visible, message.key)
        return found

    def has_ready_group(self) -> bool:
        return self._peek_ready() is not None

    def pop_ready_group(self) -> str | None:
        """The unlocked group with the oldest head, taken off the ready heap (``None`` if none).

        Read it with :meth:`walk`, then :meth:`offer` it again: a receive with a visibility
        timeout of 0 leaves it unlocked."""
        group_id = self._peek_ready()
        if group_id is not None:
            heapq.heappop(self._ready)
        return group_id

    def walk(self, group_id: str) -> Iterator[Message]:
        """A group's messages from its head while they are visible. The caller may receive what
        it iterates but must not remove a message of the group before it is done."""
        for message in self._groups[group_id].values():
            if message.placed != "visible":
                return
            yield message

    def offer(self, group_id: str) -> None:
        """Mark a group ready if it still exists and its head is visible."""
        group = self._groups.get(group_id)
        if group:
            head = next(iter(group.values()))
            if head.placed == "visible":
                heapq.heappush(self._ready, (head.key, group_id))

    # -- internals -------------------------------------------------------------------

    def _place(self, message: Message, now: float) -> None:
        """File a message under the state its timestamps give at ``now``."""
        state = message.state(now)
        before = message.placed
        if before is not None:
            self.counts[before] -= 1
        self.counts[state] += 1
        message.placed = state
        if state == "visible":
            if before != "visible":
                heapq.heappush(self._visible, message.key)
                if len(self._visible) > 2 * self.counts["visible"] + _SLACK:
                    self._visible = sorted({k for k in self._visible if self._is_visible(k)})
                if self.fifo and next(iter(self._groups[_group(message)])) == message.key:
                    self.offer(_group(message))
            return
        heapq.heappush(self._waiting, (message.visible_at, message.key))
        if len(self._waiting) > 2 * (len(self.messages) - self.counts["visible"]) + _SLACK:
            self._waiting = [(m.visible_at, m.key) for m in self.messages.values() if m.placed != "visible"]
            heapq.heapify(self._waiting)

    def _is_visible(self, key: int) -> bool:
        message = self.messages.get(key)
        return message is not None and message.placed == "visible"

    def _peek_ready(self) -> str | None:
        while self._ready:
            key, group_id = self._ready[0]
            group = self._groups.get(group_id)
            if group is not None and next(iter(group)) == key and group[key].placed == "visible":
                return group_id
            heapq.heappop(self._ready)
        return None

    def _rebuild(self, now: float) -> None:
        """Every message re-filed from its timestamps: time went backwards."""
        messages = list(self.messages.values())
        expiry = self._expiry
        self.clear()
        self._expiry = expiry
        for message in messages:
            self.messages[message.key] = message
            if self.fifo:
                self._groups.setdefault(_group(message), OrderedDict())[message.key] = message
            message.placed = None
            self._place(message, now)


def _group(message: Message) -> str:
    return message.group_id or ""
