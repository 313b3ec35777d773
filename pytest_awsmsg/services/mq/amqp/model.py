"""A RabbitMQ virtual host's things: messages, queues, exchanges and their bindings, and routing.

Plain data and pure functions; the broker (:mod:`.broker`) moves messages
between them, sessions speak the protocol.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pamqp import commands

if TYPE_CHECKING:
    from ....core.clock import Timer

Properties = commands.Basic.Properties
EXCHANGE_TYPES = ("direct", "fanout", "topic", "headers")


@dataclass
class Message:
    """One message in one queue (a message routed to two queues is two copies)."""

    seq: int  # arrival order in the vhost: requeued messages go back to their place
    exchange: str
    routing_key: str
    properties: Properties
    body: bytes
    expires_at: float | None = None  # cloud time; None: never
    redelivered: bool = False

    @property
    def persistent(self) -> bool:
        return self.properties.delivery_mode == 2

    @property
    def headers(self) -> dict[str, Any]:
        return dict(self.properties.headers or {})

    def copy(self) -> Message:
        clone = copy.copy(self)
        clone.properties = copy.copy(self.properties)
        if self.properties.headers is not None:
            clone.properties.headers = dict(self.properties.headers)
        return clone


class ConsumerPort(Protocol):
    """What a queue needs from the channel behind one of its consumers."""

    def has_room(self, consumer: Consumer) -> bool: ...

    def deliver(self, consumer: Consumer, queue: Queue, message: Message) -> None: ...

    def cancelled(self, consumer: Consumer) -> None: ...


@dataclass(eq=False)
class Consumer:
    tag: str
    queue: Queue
    channel: ConsumerPort
    no_ack: bool
    exclusive: bool
    prefetch: int  # 0: unlimited (the channel's per-consumer basic.qos when it consumed)
    unacked: int = 0


@dataclass(eq=False)
class Queue:
    name: str
    durable: bool
    auto_delete: bool
    arguments: dict[str, Any]
    owner: object | None = None  # the connection of an exclusive queue
    messages: list[Message] = field(default_factory=list)  # ready, in seq order
    consumers: list[Consumer] = field(default_factory=list)
    had_consumers: bool = False
    unacked: int = 0
    ttl_timer: Timer | None = field(default=None, repr=False)
    expiry_timer: Timer | None = field(default=None, repr=False)

    @property
    def exclusive(self) -> bool:
        return self.owner is not None

    def argument(self, name: str) -> Any:
        return self.arguments.get(name)

    @property
    def ready_bytes(self) -> int:
        return sum(len(m.body) for m in self.messages)


@dataclass(frozen=True)
class Binding:
    destination: str
    to_exchange: bool  # an exchange-to-exchange binding (RabbitMQ's extension)
    routing_key: str
    arguments: tuple[tuple[str, Any], ...]

    def args(self) -> dict[str, Any]:
        return dict(self.arguments)


@dataclass(eq=False)
class Exchange:
    name: str
    type: str
    durable: bool
    auto_delete: bool = False
    internal: bool = False
    arguments: dict[str, Any] = field(default_factory=dict)
    bindings: list[Binding] = field(default_factory=list)

    def matches(self, routing_key: str, headers: dict[str, Any]) -> Iterator[Binding]:
        """The bindings a message with this routing key and these headers takes."""
        for binding in self.bindings:
            if _takes(self.type, binding, routing_key, headers):
                yield binding


def _takes(kind: str, binding: Binding, routing_key: str, headers: dict[str, Any]) -> bool:
    if kind == "direct":
        return binding.routing_key == routing_key
    if kind == "topic":
        return topic_matches(binding.routing_key, routing_key)
    if kind == "headers":
        return headers_match(binding.args(), headers)
    return True  # fanout


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching on dot-separated words: ``*`` one word, ``#`` zero or more."""
    return _topic(pattern.split("."), routing_key.split("."))


def _topic(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_topic(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head == "*" or head == words[0]) and _topic(rest, words[1:])


_XMATCH = re.compile(r"^(all|any)(-with-x)?$")


def headers_match(arguments: dict[str, Any], headers: dict[str, Any]) -> bool:
    """A headers-exchange binding: ``x-match`` all (default) or any, ``-with-x`` to count x- keys."""
    match = _XMATCH.match(str(arguments.get("x-match", "all")))
    mode, with_x = (match.group(1), bool(match.group(2))) if match else ("all", False)
    wanted = {k: v for k, v in arguments.items() if k != "x-match" and (with_x or not k.startswith("x-"))}
    if not wanted:
        return mode == "all"

    def has(key: str, value: Any) -> bool:
        # A binding argument without a value (void) matches the key being present.
        return key in headers and (value is None or headers[key] == value)

    results = (has(k, v) for k, v in wanted.items())
    return all(results) if mode == "all" else any(results)


def predeclared() -> dict[str, Exchange]:
    """The exchanges every RabbitMQ vhost has: the default one and ``amq.*``."""
    found = [
        Exchange("", "direct", True),
        Exchange("amq.direct", "direct", True),
        Exchange("amq.fanout", "fanout", True),
        Exchange("amq.topic", "topic", True),
        Exchange("amq.headers", "headers", True),
        Exchange("amq.match", "headers", True),
        Exchange("amq.rabbitmq.trace", "topic", True, internal=True),
    ]
    return {e.name: e for e in found}
