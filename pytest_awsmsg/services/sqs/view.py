"""Looking into queues from a test, and the production quirks.

``aws.sqs.queue("orders")`` is a snapshot for assertions: reading it never
receives, expires or otherwise changes a message. ``aws.sqs.quirks(...)``
makes standard queues behave like the distributed system they are (a message
delivered twice, messages out of order), seeded from the cloud's ids so a run
repeats exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...core.quirks import check_rate
from .models import Message, Queue, Quirks
from .shared import SqsBase


def _dt(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=timezone.utc)


def _plain(value: dict[str, Any]) -> Any:
    if value.get("StringValue") is not None:
        text = str(value["StringValue"])
        if str(value.get("DataType", "")).startswith("Number"):
            try:
                return int(text)
            except ValueError:
                return float(text)
        return text
    return value.get("BinaryValue")


@dataclass(frozen=True)
class MessageView:
    """One message as a test sees it; ``attributes`` are the message attributes as plain values."""

    body: str
    state: str  # "visible", "in-flight" or "delayed"
    message_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    receive_count: int = 0
    group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    sent_at: datetime | None = None
    visible_at: datetime | None = None
    trace_header: str | None = None
    dead_letter_source_arn: str | None = None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def __repr__(self) -> str:
        extra = f", group={self.group_id!r}" if self.group_id else ""
        extra += f", attributes={self.attributes!r}" if self.attributes else ""
        return f"<{self.state} {self.body!r} received={self.receive_count}{extra}>"


@dataclass(frozen=True)
class QueueView:
    """A snapshot of one queue: its attributes, messages (oldest first) and tags."""

    name: str
    url: str
    arn: str
    fifo: bool
    attributes: dict[str, str]
    messages: list[MessageView]
    tags: dict[str, str]

    @property
    def bodies(self) -> list[str]:
        return [m.body for m in self.messages]

    def in_state(self, state: str) -> list[MessageView]:
        return [m for m in self.messages if m.state == state]

    @property
    def visible(self) -> list[MessageView]:
        return self.in_state("visible")

    @property
    def in_flight(self) -> list[MessageView]:
        return self.in_state("in-flight")

    @property
    def delayed(self) -> list[MessageView]:
        return self.in_state("delayed")

    def __len__(self) -> int:
        return len(self.messages)

    def __repr__(self) -> str:
        lines = [f"<QueueView {self.name}: {len(self.messages)} message(s)"]
        lines += [f"  {m!r}" for m in self.messages]
        return "\n".join(lines) + ">"


class ViewMixin(SqsBase):
    def queue(self, name: str, *, region: str | None = None, account_id: str | None = None) -> QueueView:
        """A snapshot of the queue ``name`` for assertions; it never changes the queue."""
        with self.cloud.lock:
            store = self._stores.get((account_id or self.cloud.account_id, region or self.cloud.region))
            found = store.queues.get(name) if store else None
            if found is None:
                where = f"{account_id or self.cloud.account_id}/{region or self.cloud.region}"
                known = sorted(store.queues) if store else []
                raise KeyError(f"No SQS queue {name!r} in {where}; queues there: {known}")
            return self.snapshot(found)

    def queues(self) -> list[QueueView]:
        """Snapshots of every queue, in every account and region."""
        with self.cloud.lock:
            return [self.snapshot(q) for s in self._stores.values() for q in s.queues.values()]

    def snapshot(self, queue: Queue) -> QueueView:
        now = self.cloud.clock.now()
        limit = now - queue.retention
        live = [m for m in queue.messages.values() if m.sent_at > limit]
        counts = {"visible": 0, "in-flight": 0, "delayed": 0}
        views = []
        for message in live:
            view = self._message_view(message, now)
            counts[view.state] += 1
            views.append(view)
        attributes = queue.reported_attributes(counts["visible"], counts["in-flight"], counts["delayed"])
        return QueueView(queue.name, queue.url, queue.arn, queue.fifo, attributes, views, dict(queue.tags))

    @staticmethod
    def _message_view(message: Message, now: float) -> MessageView:
        state = message.state(now)
        trace = message.system_attributes.get("AWSTraceHeader")
        return MessageView(
            body=message.body,
            state=state,
            message_id=message.message_id,
            attributes={k: _plain(v) for k, v in message.message_attributes.items()},
            receive_count=message.receive_count,
            group_id=message.group_id,
            deduplication_id=message.deduplication_id,
            sequence_number=message.sequence_number,
            sent_at=_dt(message.sent_at),
            visible_at=None if state == "visible" else _dt(message.visible_at),
            trace_header=str(trace["StringValue"]) if trace else None,
            dead_letter_source_arn=message.dead_letter_source_arn,
        )

    def quirks(self, *, duplicate_rate: float = 0.0, reorder: bool = False, queue: str | None = None) -> None:
        """Make standard queues deliver like production: sometimes twice, not in order.

        ``duplicate_rate`` is the chance that a receive leaves a second copy of
        the message behind (at-least-once delivery); ``reorder`` shuffles which
        visible messages a receive returns. Applies to the standard queue named
        ``queue`` (in any account or region), else to every standard queue;
        FIFO queues keep their guarantees. With no rate and no reorder the
        queue's setting is switched off; with no arguments at all, every one.
        """
        on = check_rate(duplicate_rate) > 0.0 or reorder
        with self.cloud.lock:
            self.quirk_settings.set(queue, Quirks(duplicate_rate, reorder) if on else None)

    def report_sections(self) -> list[tuple[str, str]]:
        """The queues' contents, for a failed test's report."""
        views = self.queues()
        if not views:
            return []
        return [("sqs queues", "\n".join(repr(v) for v in views))]
