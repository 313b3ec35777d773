"""What a test reads of an ActiveMQ broker: its queues, topics and their messages.

Reached through ``aws.mq.broker(name).queue("orders")``, ``.topic("events")``
and ``.dlq``; names are without the ``/queue/`` or ``/topic/`` prefix.
Snapshots taken under the cloud's lock, as the RabbitMQ engine's views are:
what the broker held when it was read, never a handle into its state.
"""

from __future__ import annotations

from dataclasses import dataclass

from ....core.views import NotFound
from .broker import DLQ, ActiveMqState, Consumer, Message


@dataclass(frozen=True)
class MessageView:
    """One message as the broker holds it; ``headers`` are the properties its producer set."""

    id: str
    destination: str  # /queue/orders, /topic/events
    body: bytes
    headers: dict[str, str]
    persistent: bool
    priority: int
    timestamp: int
    expires: int
    redeliveries: int  # how often it went back to its destination unacknowledged
    original_destination: str | None  # where a dead letter was sent first

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def redelivered(self) -> bool:
        return self.redeliveries > 0

    @classmethod
    def of(cls, m: Message) -> MessageView:
        return cls(
            m.id,
            m.stomp_destination,
            m.body,
            dict(m.headers),
            m.persistent,
            m.priority,
            m.timestamp,
            m.expires,
            m.redeliveries,
            m.original,
        )


@dataclass(frozen=True)
class QueueView:
    """A queue now: ``messages`` waiting (in dispatch order), ``in_flight`` with consumers, ``consumers``' ids."""

    name: str
    messages: list[MessageView]
    in_flight: list[MessageView]
    consumers: list[str]  # the consumers' SUBSCRIBE ids

    @property
    def depth(self) -> int:
        """ActiveMQ's queue size: waiting plus dispatched and not yet acknowledged."""
        return len(self.messages) + len(self.in_flight)

    @property
    def unacked(self) -> int:
        return len(self.in_flight)


@dataclass(frozen=True)
class SubscriptionView:
    """A topic subscription; a durable one (``client_id``/``name``) keeps messages while its client is away."""

    id: str | None
    client_id: str | None
    name: str | None
    active: bool
    pending: list[MessageView]

    @classmethod
    def of(cls, c: Consumer) -> SubscriptionView:
        client_id, name = c.durable if c.durable else (None, None)
        return cls(c.id, client_id, name, c.delivery is not None, [MessageView.of(m) for m in c.pending])


@dataclass(frozen=True)
class TopicView:
    name: str
    subscriptions: list[SubscriptionView]


class ActiveMqView:
    """One ActiveMQ broker's destinations, for :class:`~pytest_awsmsg.services.mq.view.BrokerView`."""

    def __init__(self, state: ActiveMqState) -> None:
        self._state = state

    @property
    def queues(self) -> list[str]:
        with self._state.cloud.lock:
            return sorted(self._state.queues)

    @property
    def topics(self) -> list[str]:
        with self._state.cloud.lock:
            return sorted(self._state.topics)

    def queue(self, name: str) -> QueueView:
        with self._state.cloud.lock:
            found = self._state.queues.get(name)
            if found is None:
                raise NotFound(f"no queue {name!r} on broker {self._state.broker.name}; queues: {self.queues}")
            return self._queue(name)

    @property
    def dlq(self) -> QueueView:
        """``ActiveMQ.DLQ`` (empty until a message is dead-lettered)."""
        with self._state.cloud.lock:
            return self._queue(DLQ)

    def _queue(self, name: str) -> QueueView:
        found = self._state.queues.get(name)
        if found is None:
            return QueueView(name, [], [], [])
        return QueueView(
            name,
            [MessageView.of(m) for m in found.messages],
            [MessageView.of(m) for c in found.consumers for m in c.unacked.values()],
            [str(c.id) for c in found.consumers],
        )

    def topic(self, name: str) -> TopicView:
        with self._state.cloud.lock:
            found = self._state.topics.get(name)
            if found is None:
                raise NotFound(f"no topic {name!r} on broker {self._state.broker.name}; topics: {self.topics}")
            return TopicView(name, [SubscriptionView.of(c) for c in found.consumers])
