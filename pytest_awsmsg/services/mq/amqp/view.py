"""What a test reads of a RabbitMQ broker: its queues with their messages, its exchanges and bindings.

Snapshots taken under the cloud's lock: a view is what the broker held when
it was read, never a handle into the engine's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ....core.views import NotFound

if TYPE_CHECKING:
    from .broker import RabbitBroker
    from .model import Exchange, Message, Queue


@dataclass(frozen=True)
class MessageView:
    """One message as the broker holds it."""

    body: bytes
    exchange: str
    routing_key: str
    headers: dict[str, Any]
    properties: dict[str, Any]  # the set basic properties by pamqp's names (content_type, delivery_mode...)
    redelivered: bool
    persistent: bool

    @classmethod
    def of(cls, message: Message) -> MessageView:
        properties = {k: v for k, v in message.properties if v not in (None, "")}
        return cls(
            message.body,
            message.exchange,
            message.routing_key,
            message.headers,
            properties,
            message.redelivered,
            message.persistent,
        )


@dataclass(frozen=True)
class QueueView:
    """A queue now: ``messages`` ready (oldest first), ``unacked`` in flight, its ``consumers``' tags."""

    name: str
    durable: bool
    exclusive: bool
    auto_delete: bool
    arguments: dict[str, Any]
    messages: list[MessageView]
    unacked: int
    consumers: list[str]

    @property
    def depth(self) -> int:
        """Ready messages, as RabbitMQ's ``message_count`` (unacknowledged ones not included)."""
        return len(self.messages)

    @classmethod
    def of(cls, queue: Queue) -> QueueView:
        return cls(
            queue.name,
            queue.durable,
            queue.exclusive,
            queue.auto_delete,
            dict(queue.arguments),
            [MessageView.of(m) for m in queue.messages],
            queue.unacked,
            [c.tag for c in queue.consumers],
        )


@dataclass(frozen=True)
class BindingView:
    destination: str
    destination_type: str  # "queue" or "exchange"
    routing_key: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ExchangeView:
    name: str
    type: str
    durable: bool
    auto_delete: bool
    internal: bool
    bindings: list[BindingView]

    @classmethod
    def of(cls, exchange: Exchange) -> ExchangeView:
        bindings = [
            BindingView(b.destination, "exchange" if b.to_exchange else "queue", b.routing_key, b.args())
            for b in exchange.bindings
        ]
        return cls(exchange.name, exchange.type, exchange.durable, exchange.auto_delete, exchange.internal, bindings)


class RabbitMqView:
    """A RabbitMQ broker's vhost ``/`` for asserts (``aws.mq.broker(name).queue(...)`` and friends)."""

    def __init__(self, state: RabbitBroker) -> None:
        self._state = state

    def queue(self, name: str) -> QueueView:
        with self._state.cloud.lock:
            found = self._state.queues.get(name)
            if found is None:
                raise NotFound(f"no queue {name!r} on broker {self._state.broker.name}; queues: {self.queues}")
            return QueueView.of(found)

    def exchange(self, name: str) -> ExchangeView:
        with self._state.cloud.lock:
            found = self._state.exchanges.get(name)
            if found is None:
                raise NotFound(f"no exchange {name!r} on broker {self._state.broker.name}; exchanges: {self.exchanges}")
            return ExchangeView.of(found)

    @property
    def queues(self) -> list[str]:
        with self._state.cloud.lock:
            return sorted(self._state.queues)

    @property
    def exchanges(self) -> list[str]:
        with self._state.cloud.lock:
            return sorted(self._state.exchanges)
