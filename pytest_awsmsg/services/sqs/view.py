"""``aws.sqs``: looking into queues from a test, and the production quirks.

``aws.sqs.queue("orders")`` is a live, read-only view for assertions: each
read shows the queue as it is now, and reading never receives, expires or
otherwise changes a message. ``aws.sqs.quirks(...)`` makes standard queues
behave like the distributed system they are (a message delivered twice,
messages out of order), seeded from the cloud's ids so a run repeats exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...core.quirks import check_rate
from ...core.views import ServiceView, explain
from .common import SqsBase
from .models import Message, Queue, Quirks


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


class QueueView:
    """One queue as it is now: its attributes, messages (oldest first) and tags.

    Live: every read looks at the queue again. Read-only: nothing here
    receives, deletes or expires a message.
    """

    def __init__(self, service: SqsBase, queue: Queue) -> None:
        self._service = service
        self._queue = queue

    @property
    def name(self) -> str:
        return self._queue.name

    @property
    def url(self) -> str:
        return self._queue.url

    @property
    def arn(self) -> str:
        return self._queue.arn

    @property
    def fifo(self) -> bool:
        return self._queue.fifo

    @property
    def region(self) -> str:
        return self._queue.region

    @property
    def account_id(self) -> str:
        return self._queue.account_id

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._queue.tags)

    @property
    def attributes(self) -> dict[str, str]:
        """Every attribute, the Approximate counters included."""
        return self._read()[0]

    @property
    def messages(self) -> list[MessageView]:
        return self._read()[1]

    def _read(self) -> tuple[dict[str, str], list[MessageView]]:
        queue = self._queue
        with self._service.cloud.lock:
            now = self._service.cloud.clock.now()
            limit = now - queue.retention
            counts = {"visible": 0, "in-flight": 0, "delayed": 0}
            views = []
            for message in queue.messages.values():
                if message.sent_at > limit:
                    view = _message_view(message, now)
                    counts[view.state] += 1
                    views.append(view)
            attributes = queue.reported_attributes(counts["visible"], counts["in-flight"], counts["delayed"])
        return attributes, views

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

    def assert_has(
        self, body: str | Callable[[MessageView], bool] | None = None, *, state: str | None = None, **attributes: Any
    ) -> MessageView:
        """The first message with this body (or passing this test), state and message attributes.

        On a miss the AssertionError lists the queue's messages.
        """
        messages = self.messages
        for message in messages:
            if body is not None and not (body(message) if callable(body) else message.body == body):
                continue
            if state is not None and message.state != state:
                continue
            if all(message.attributes.get(k) == v for k, v in attributes.items()):
                return message
        wanted = ", ".join(
            [f"body={body!r}"] * (body is not None)
            + [f"state={state!r}"] * (state is not None)
            + [f"{k}={v!r}" for k, v in attributes.items()]
        )
        raise explain(
            f"No message in SQS queue {self.name} matches {wanted or 'anything'}; it holds {len(messages)}:",
            [repr(m) for m in messages],
        )

    def assert_empty(self) -> None:
        """No message at all (visible, in flight or delayed); on a miss, which there are."""
        messages = self.messages
        if messages:
            raise explain(f"SQS queue {self.name} holds {len(messages)} message(s):", [repr(m) for m in messages])

    def __len__(self) -> int:
        return len(self.messages)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QueueView) and other._queue is self._queue

    def __hash__(self) -> int:
        return id(self._queue)

    def __repr__(self) -> str:
        messages = self.messages
        lines = [f"<QueueView {self.name}: {len(messages)} message(s)"]
        lines += [f"  {m!r}" for m in messages]
        return "\n".join(lines) + ">"


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


class SqsView(ServiceView[SqsBase]):
    """``aws.sqs``: queues for assertions, the production quirks, the in-flight limit."""

    title = "SQS"

    def queue(self, name: str, *, region: str | None = None, account_id: str | None = None) -> QueueView:
        """The queue ``name`` (in the cloud's account and region unless given), live and read-only."""
        found = self._lookup("queue", name, lambda store: store.queues, region=region, account_id=account_id)
        return QueueView(self._service, found)

    def queues(self) -> list[QueueView]:
        """Every queue, in every account and region."""
        with self._cloud.lock:
            return [QueueView(self._service, q) for s in self._service.stores().values() for q in s.queues.values()]

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
        with self._cloud.lock:
            self._service.quirk_settings.set(queue, Quirks(duplicate_rate, reorder) if on else None)

    @property
    def in_flight_limit(self) -> int:
        """Messages a queue may have in flight (AWS: about 120,000); lower it to reach OverLimit."""
        return self._service.in_flight_limit

    @in_flight_limit.setter
    def in_flight_limit(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"in_flight_limit={value!r}: a queue holds at least one message in flight.")
        self._service.in_flight_limit = value


class ViewMixin(SqsBase):
    """What the service itself says to a failed test's report, through its view."""

    view_class = SqsView

    def report_sections(self) -> list[tuple[str, str]]:
        """The queues' contents, for a failed test's report."""
        views = SqsView(self).queues()
        if not views:
            return []
        return [("sqs queues", "\n".join(repr(v) for v in views))]
