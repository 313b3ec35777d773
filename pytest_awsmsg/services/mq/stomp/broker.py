"""The ActiveMQ broker behind one Amazon MQ broker: destinations, messages, subscriptions, dispatch.

Sans-IO and protocol-neutral: a session hands it messages and acks and gets
deliveries back through :class:`Consumer.deliver`. What it does is what an
ActiveMQ 5.17/5.18 broker with Amazon MQ's default configuration does for
STOMP clients (each point checked against a real 5.17 broker with
``benchmarks/differential/stomp_vs_activemq.py`` where marked *checked*):

- a queue dispatches each message to one consumer, round-robin: after a
  dispatch the consumer moves to the end of the list; a consumer whose
  prefetch (unacknowledged messages) is full, or whose selector does not
  match, is skipped;
- a topic copies each message to every subscription whose selector matches
  (a durable one keeps them while its client is away, non-persistent ones
  too, until the broker restarts: *checked*);
- messages a client did not acknowledge when its subscription or connection
  ends go back to their destination in their original order, with
  ``redelivered:true`` and a redelivery counter one higher, without limit:
  the broker applies no ``maximumRedeliveries`` to STOMP consumers (that
  policy lives in the JMS client);
- a NACK is a *poison ack*: the message goes to ``ActiveMQ.DLQ`` at once
  (with ``dlqDeliveryFailureCause``) if persistent, and is discarded if not
  (the default dead-letter strategy's ``processNonPersistent=false``);
- a message whose ``expires`` time passes before dispatch goes the same way
  (``processExpired=true``), in virtual time;
- STOMP messages are non-persistent unless sent with ``persistent:true``;
  a restart (reboot, a single-instance broker's AZ coming back) keeps only
  persistent messages and durable subscriptions.
"""

from __future__ import annotations

import base64
import bisect
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ....core.clock import Timer
from ....core.ids import IdSource
from .selectors import Selector, Value

if TYPE_CHECKING:
    from ....core.cloud import Cloud
    from ..models import Broker

DLQ = "ActiveMQ.DLQ"
#: ActiveMQ's default prefetch sizes (ActiveMQPrefetchPolicy) as its STOMP transport applies them.
QUEUE_PREFETCH = 1000
TOPIC_PREFETCH = 32766
DURABLE_TOPIC_PREFETCH = 100
PREFIXES = {"/queue/": "queue", "/topic/": "topic"}


def parse_destination(name: str) -> tuple[str, str]:
    """``/queue/orders`` -> ("queue", "orders"). Any other name is a queue of that name (*checked*:
    ActiveMQ 5.17 delivers a SEND to ``orders`` as ``/queue/orders``, and to ``/foo/x`` as ``/queue//foo/x``)."""
    for prefix, kind in PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return kind, name[len(prefix) :]
    return "queue", name


@dataclass(eq=False)
class Message:
    """One message as the broker holds it; ``headers`` are what the producer set beyond the standard ones."""

    id: str
    kind: str  # queue or topic
    destination: str  # the name without its /queue/ or /topic/ prefix
    body: bytes
    headers: dict[str, str]
    persistent: bool
    priority: int
    timestamp: int  # ms
    expires: int  # ms since the epoch, 0: never
    seq: int  # arrival order in the broker
    sized: bool  # sent with content-length (a BytesMessage), else text
    redeliveries: int = 0
    original: str | None = None  # where a dead letter was first sent (/queue/x)
    timer: Timer | None = field(default=None, repr=False)

    @property
    def stomp_destination(self) -> str:
        return f"/{self.kind}/{self.destination}"

    def copy(self) -> Message:
        """A topic subscription's own copy: acks and redeliveries are per subscription."""
        return Message(**{**self.__dict__, "headers": dict(self.headers), "timer": None})

    def selector_values(self) -> dict[str, Value]:
        values: dict[str, Value] = dict(self.headers)
        values.update(
            JMSMessageID=self.id,
            JMSPriority=self.priority,
            JMSTimestamp=self.timestamp,
            JMSExpiration=self.expires,
            JMSDeliveryMode="PERSISTENT" if self.persistent else "NON_PERSISTENT",
            JMSType=self.headers.get("type"),
            JMSCorrelationID=self.headers.get("correlation-id"),
            JMSRedelivered=self.redeliveries > 0,
            JMSXDeliveryCount=self.redeliveries + 1,
        )
        return values


class Delivery(Protocol):
    """Where a consumer's messages go (a STOMP session)."""

    def deliver(self, consumer: Consumer, message: Message) -> None: ...


@dataclass(eq=False)
class Consumer:
    """A subscription: on a queue, a consumer; on a topic, a subscriber with its own pending copies."""

    kind: str
    destination: str
    id: str | None  # the SUBSCRIBE's id header
    ack: str  # auto, client, client-individual
    prefetch: int
    selector: Selector | None
    delivery: Delivery | None  # None: a durable subscription whose client is away
    durable: tuple[str, str] | None = None  # (client-id, subscription name)
    unacked: dict[str, Message] = field(default_factory=dict)  # message id -> message, dispatch order
    pending: list[Message] = field(default_factory=list)  # topic subscriptions only

    def has_room(self) -> bool:
        return self.delivery is not None and (self.ack == "auto" or len(self.unacked) < self.prefetch)

    def wants(self, message: Message) -> bool:
        return self.selector is None or self.selector.matches(message.selector_values())


@dataclass(eq=False)
class Queue:
    name: str
    messages: list[Message] = field(default_factory=list)  # not yet dispatched, in order
    consumers: list[Consumer] = field(default_factory=list)  # rotation order


@dataclass(eq=False)
class Topic:
    name: str
    consumers: list[Consumer] = field(default_factory=list)


class ActiveMqState:
    """One broker's ActiveMQ: its destinations and subscriptions, kept across reboots and failovers."""

    def __init__(self, broker: Broker, cloud: Cloud) -> None:
        self.broker = broker
        self.cloud = cloud
        self.ids = IdSource(f"{cloud.seed}/mq/{broker.id}/activemq")
        self.queues: dict[str, Queue] = {}
        self.topics: dict[str, Topic] = {}
        self.durable: dict[tuple[str, str], Consumer] = {}
        self.sessions: list[Any] = []  # open STOMP sessions, for views and client-id checks
        self.scheduled: list[Message] = []
        self._seq = 0
        self._start()

    def _start(self) -> None:
        """A JVM start: a new id prefix (ActiveMQ's IdGenerator: host, port, start time)."""
        self.started = self.cloud.clock.now_ms()
        self.port = self.ids.randint(32768, 60999)
        self.connections_made = 0
        self.acks_made = 0

    # -- ids -----------------------------------------------------------------------------

    def connection_id(self, instance: int | None) -> str:
        """ID:<host>-<port>-<start ms>-1:<n>, as ActiveMQ names a connection."""
        self.connections_made += 1
        host = self.broker.host(instance)
        return f"ID:{host}-{self.port}-{self.started}-1:{self.connections_made}"

    def ack_id(self, instance: int | None) -> str:
        """A STOMP 1.2 ``ack`` header: ActiveMQ numbers them broker-wide from a second id generator."""
        self.acks_made += 1
        return f"ID:{self.broker.host(instance)}-{self.port}-{self.started}-2:{self.acks_made}"

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- destinations --------------------------------------------------------------------

    def queue(self, name: str) -> Queue:
        found = self.queues.get(name)
        if found is None:
            found = self.queues[name] = Queue(name)
        return found

    def topic(self, name: str) -> Topic:
        found = self.topics.get(name)
        if found is None:
            found = self.topics[name] = Topic(name)
        return found

    def scheduler_support(self) -> bool:
        """Whether the broker's configuration enables ActiveMQ's scheduler (``<broker schedulerSupport="true">``)."""
        ref = self.broker.configuration
        if not ref:
            return False
        for store in self.cloud.service("mq").stores().values():
            config = store.configurations.get(ref.get("Id"))
            if config is None:
                continue
            revision = next((r for r in config.revisions if r.number == ref.get("Revision")), config.latest)
            try:
                root = ElementTree.fromstring(base64.b64decode(revision.data))
            except (ElementTree.ParseError, ValueError):
                return False
            return str(root.get("schedulerSupport", "false")).lower() == "true"
        return False

    # -- sending -------------------------------------------------------------------------

    def send(self, message: Message, delay_ms: int = 0) -> None:
        """A producer's message arrives (a transaction's at its commit)."""
        if delay_ms > 0 and self.scheduler_support():
            self.scheduled.append(message)

            def due() -> None:
                if message in self.scheduled:
                    self.scheduled.remove(message)
                    self.route(message)

            self.cloud.clock.call_at(self.cloud.clock.now() + delay_ms / 1000, due, f"activemq scheduled {message.id}")
            return
        self.route(message)

    def route(self, message: Message) -> None:
        if message.kind == "queue":
            self._enqueue(self.queue(message.destination), message)
            self.dispatch_queue(self.queue(message.destination))
            return
        topic = self.topics.get(message.destination)
        for consumer in list(topic.consumers if topic else []):
            if consumer.wants(message):
                copy = message.copy()
                consumer.pending.append(copy)
                self._watch_expiry(copy, consumer)
                self.dispatch_consumer(consumer)

    def _enqueue(self, queue: Queue, message: Message) -> None:
        bisect.insort(queue.messages, message, key=lambda m: m.seq)  # after equal seqs, as a stable sort put it
        self._watch_expiry(message, None)

    def _watch_expiry(self, message: Message, consumer: Consumer | None) -> None:
        if not message.expires or message.timer is not None:
            return

        def expire() -> None:
            message.timer = None
            holder = consumer.pending if consumer is not None else self.queue(message.destination).messages
            if message in holder:
                holder.remove(message)
                self.dead_letter(message, _expired_cause(message))

        message.timer = self.cloud.clock.call_at(message.expires / 1000, expire, f"activemq expiry {message.id}")

    def _expired(self, message: Message) -> bool:
        return bool(message.expires) and self.cloud.clock.now_ms() >= message.expires

    def dead_letter(self, message: Message, cause: str | None) -> None:
        """ActiveMQ's dead-letter strategy: persistent messages to ActiveMQ.DLQ, others discarded (*checked*).

        The dead letter keeps its id and timestamp, never expires, and carries ``original-destination``,
        ``originalExpiration`` and, when it expired, ``dlqDeliveryFailureCause`` (a NACK's has none)."""
        if message.timer is not None:
            message.timer.cancel()
            message.timer = None
        if not message.persistent or (message.kind == "queue" and message.destination == DLQ):
            return
        dead = message.copy()
        dead.original = message.original or message.stomp_destination
        dead.kind, dead.destination, dead.expires = "queue", DLQ, 0
        if cause is not None:
            dead.headers["dlqDeliveryFailureCause"] = cause
        dead.headers["originalExpiration"] = str(message.expires)
        dead.seq = self.next_seq()
        self.route(dead)

    # -- dispatch ------------------------------------------------------------------------

    def dispatch_queue(self, queue: Queue) -> None:
        """Hand pending messages to consumers, round-robin, in order."""
        for message in list(queue.messages):
            if not queue.consumers:
                return
            if self._expired(message):
                queue.messages.remove(message)
                self.dead_letter(message, _expired_cause(message))
                continue
            for consumer in list(queue.consumers):
                if consumer.has_room() and consumer.wants(message):
                    queue.messages.remove(message)
                    queue.consumers.remove(consumer)
                    queue.consumers.append(consumer)
                    self._hand(consumer, message)
                    break

    def dispatch_consumer(self, consumer: Consumer) -> None:
        if consumer.kind == "queue":
            self.dispatch_queue(self.queue(consumer.destination))
            return
        while consumer.pending and consumer.has_room():
            message = consumer.pending.pop(0)
            if self._expired(message):
                self.dead_letter(message, _expired_cause(message))
                continue
            self._hand(consumer, message)

    def _hand(self, consumer: Consumer, message: Message) -> None:
        if message.timer is not None:
            message.timer.cancel()
            message.timer = None
        if consumer.ack != "auto":
            consumer.unacked[message.id] = message
        assert consumer.delivery is not None
        consumer.delivery.deliver(consumer, message)

    # -- subscriptions -------------------------------------------------------------------

    def subscribe(self, consumer: Consumer, *, dispatch: bool = True) -> Consumer:
        """Add a consumer (or bring a durable subscription back to its client); the one now active."""
        if consumer.durable is not None:
            existing = self.durable.get(consumer.durable)
            if existing is not None and _same_subscription(existing, consumer):
                existing.delivery, existing.id, existing.ack = consumer.delivery, consumer.id, consumer.ack
                existing.prefetch = consumer.prefetch
                if dispatch:
                    self.dispatch_consumer(existing)
                return existing
            if existing is not None:  # a changed durable subscription starts again, as in JMS
                self._remove(existing)
            self.durable[consumer.durable] = consumer
        holder = self.queue(consumer.destination) if consumer.kind == "queue" else self.topic(consumer.destination)
        holder.consumers.append(consumer)
        if dispatch:
            self.dispatch_consumer(consumer)
        return consumer

    def close(self, consumer: Consumer, *, remove_durable: bool = False) -> None:
        """The subscription ends: unacknowledged messages go back; a durable one waits for its client."""
        self.release(consumer)
        if consumer.durable is not None and not remove_durable:
            consumer.delivery = None
            return
        self._remove(consumer)

    def _remove(self, consumer: Consumer) -> None:
        if consumer.durable is not None:
            self.durable.pop(consumer.durable, None)
        holder = (
            self.queues.get(consumer.destination) if consumer.kind == "queue" else self.topics.get(consumer.destination)
        )
        if holder is not None and consumer in holder.consumers:
            holder.consumers.remove(consumer)
        if consumer.kind == "queue":
            self.dispatch_queue(self.queue(consumer.destination))

    def release(self, consumer: Consumer) -> None:
        """Unacknowledged messages go back where they came from, marked redelivered."""
        returned, consumer.unacked = list(consumer.unacked.values()), {}
        for message in returned:
            message.redeliveries += 1
        if consumer.kind == "queue":
            queue = self.queue(consumer.destination)
            if consumer in queue.consumers:
                queue.consumers.remove(consumer)
            for message in returned:
                self._enqueue(queue, message)
            self.dispatch_queue(queue)
        elif consumer.durable is not None:
            consumer.pending[:0] = returned
            for message in returned:
                self._watch_expiry(message, consumer)

    # -- acknowledgements ----------------------------------------------------------------

    def acked(self, consumer: Consumer, message_ids: list[str]) -> None:
        for message_id in message_ids:
            consumer.unacked.pop(message_id, None)
        self.dispatch_consumer(consumer)

    def poisoned(self, consumer: Consumer, message_id: str) -> None:
        message = consumer.unacked.pop(message_id, None)
        if message is not None:
            self.dead_letter(message, None)
        self.dispatch_consumer(consumer)

    # -- life ----------------------------------------------------------------------------

    def restarted(self) -> None:
        """The broker came back: only persistent messages and durable subscriptions survive."""
        for queue in self.queues.values():
            queue.consumers.clear()
            queue.messages = [m for m in queue.messages if m.persistent]
        for topic in self.topics.values():
            topic.consumers = [c for c in topic.consumers if c.durable is not None]
        for consumer in self.durable.values():
            consumer.delivery = None
            consumer.pending = [m for m in consumer.pending if m.persistent]
        self.scheduled = [m for m in self.scheduled if m.persistent]
        self.sessions.clear()
        self._start()

    def messages(self) -> Iterator[Message]:
        for queue in self.queues.values():
            yield from queue.messages


def _same_subscription(old: Consumer, new: Consumer) -> bool:
    """A durable subscription resumes only unchanged (same topic, same selector); else it starts again."""
    old_selector = old.selector.text if old.selector else None
    new_selector = new.selector.text if new.selector else None
    return old.destination == new.destination and old_selector == new_selector


def _expired_cause(message: Message) -> str:
    return f"java.lang.Throwable: Message Expired. Expiration:{message.expires}"
