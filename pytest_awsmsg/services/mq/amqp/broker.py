"""One RabbitMQ broker's vhost ``/``: declaring, binding, routing, queueing, dead-lettering, expiring.

Behaviour follows RabbitMQ 3.x (classic queues; quorum queues are accepted and
behave the same here). Time is the cloud's: message TTL, ``expiration`` and
``x-expires`` fire from clock timers, so a test advances the clock instead of
sleeping. Like RabbitMQ, a message expires when it reaches the head of its
queue: one with a short ``expiration`` behind a longer-lived one waits.
"""

from __future__ import annotations

import base64
import bisect
import itertools
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from ....core.ids import IdSource
from .errors import AmqpError, not_found, precondition
from .model import EXCHANGE_TYPES, Binding, Consumer, Exchange, Message, Properties, Queue, predeclared

if TYPE_CHECKING:
    from ....core.cloud import Cloud
    from ..models import Broker

_QUEUE_TYPES = ("classic", "quorum", "stream")
_OVERFLOW = ("drop-head", "reject-publish", "reject-publish-dlx")


class Flushable(Protocol):
    def flush(self) -> None: ...


class RabbitBroker:
    """The engine's state for one broker (``BrokerView.engine_state("amqp")``)."""

    def __init__(self, broker: Broker, cloud: Cloud) -> None:
        self.broker = broker
        self.cloud = cloud
        self.ids = IdSource(f"{cloud.seed}/mq/{broker.id}")
        self.exchanges: dict[str, Exchange] = predeclared()
        self.queues: dict[str, Queue] = {}
        self._seq = itertools.count(1)
        self.dirty: dict[int, Flushable] = {}  # sessions with frames to write, flushed after each event

    # -- names ----------------------------------------------------------------------

    def generated_name(self, prefix: str) -> str:
        """``amq.gen-...`` / ``amq.ctag-...``: RabbitMQ's 16 random bytes in URL-safe base64, seeded."""
        return prefix + base64.urlsafe_b64encode(self.ids.token_bytes(16)).decode().rstrip("=")

    # -- exchanges --------------------------------------------------------------------------

    def exchange(self, name: str, method: Any = None) -> Exchange:
        found = self.exchanges.get(name)
        if found is None:
            raise not_found("exchange", name, method)
        return found

    def declare_exchange(self, method: Any) -> None:
        name, kind = method.exchange, method.exchange_type
        if method.passive:
            self.exchange(name, method)
            return
        if kind not in EXCHANGE_TYPES:
            raise AmqpError("COMMAND_INVALID", f"unknown exchange type '{kind}'", method)
        if name == "":
            raise AmqpError("ACCESS_REFUSED", "operation not permitted on the default exchange", method)
        wanted = Exchange(name, kind, method.durable, method.auto_delete, method.internal, dict(method.arguments or {}))
        found = self.exchanges.get(name)
        if found is None:
            # RabbitMQ refuses to create amq.* exchanges; declaring an existing one is an ordinary redeclare.
            if name.startswith("amq."):
                raise AmqpError("ACCESS_REFUSED", f"exchange name '{name}' contains reserved prefix 'amq.*'", method)
            self.exchanges[name] = wanted
            return
        for arg, mine, theirs in (
            ("type", found.type, kind),
            ("durable", found.durable, wanted.durable),
            ("auto_delete", found.auto_delete, wanted.auto_delete),
            ("internal", found.internal, wanted.internal),
        ):
            if mine != theirs:
                raise precondition(
                    f"inequivalent arg '{arg}' for exchange '{name}' in vhost '/': "
                    f"received {_show(theirs)} but current is {_show(mine)}",
                    method,
                )

    def delete_exchange(self, name: str, if_unused: bool, method: Any) -> None:
        if name == "":
            raise AmqpError("ACCESS_REFUSED", "operation not permitted on the default exchange", method)
        if name.startswith("amq.") and name in self.exchanges:
            raise AmqpError("ACCESS_REFUSED", f"deletion of system exchange '{name}' in vhost '/' not allowed", method)
        found = self.exchanges.get(name)
        if found is None:
            return  # RabbitMQ 3.x: deleting what is not there succeeds
        if if_unused and (found.bindings or self._bound_from(name)):
            raise precondition(f"exchange '{name}' in vhost '/' in use", method)
        del self.exchanges[name]
        for exchange in list(self.exchanges.values()):
            self._drop_bindings(exchange, lambda b: b.to_exchange and b.destination == name)

    def _bound_from(self, name: str) -> bool:
        return any(b.to_exchange and b.destination == name for e in self.exchanges.values() for b in e.bindings)

    def bind(
        self, source: str, destination: str, to_exchange: bool, key: str, args: dict[str, Any], method: Any
    ) -> None:
        if source == "" or (to_exchange and destination == ""):
            raise AmqpError("ACCESS_REFUSED", "operation not permitted on the default exchange", method)
        exchange = self.exchange(source, method)
        if to_exchange:
            self.exchange(destination, method)
        elif destination not in self.queues:
            raise not_found("queue", destination, method)
        binding = Binding(destination, to_exchange, key, tuple(sorted(args.items(), key=lambda kv: kv[0])))
        if binding not in exchange.bindings:
            exchange.bindings.append(binding)

    def unbind(
        self, source: str, destination: str, to_exchange: bool, key: str, args: dict[str, Any], method: Any
    ) -> None:
        if source == "" or (to_exchange and destination == ""):
            raise AmqpError("ACCESS_REFUSED", "operation not permitted on the default exchange", method)
        exchange = self.exchange(source, method)
        if not to_exchange and destination not in self.queues:
            raise not_found("queue", destination, method)
        binding = Binding(destination, to_exchange, key, tuple(sorted(args.items(), key=lambda kv: kv[0])))
        self._drop_bindings(exchange, lambda b: b == binding)

    def _drop_bindings(self, exchange: Exchange, which: Callable[[Binding], bool]) -> None:
        before = len(exchange.bindings)
        exchange.bindings = [b for b in exchange.bindings if not which(b)]
        if exchange.auto_delete and before and not exchange.bindings and exchange.name in self.exchanges:
            del self.exchanges[exchange.name]
            for other in list(self.exchanges.values()):
                self._drop_bindings(other, lambda b: b.to_exchange and b.destination == exchange.name)

    # -- queues -------------------------------------------------------------------------------

    def queue(self, name: str, owner: object, method: Any = None) -> Queue:
        """The queue, if this connection may use it (404 when absent, 405 when another's exclusive)."""
        found = self.queues.get(name)
        if found is None:
            raise not_found("queue", name, method)
        if found.owner is not None and found.owner is not owner:
            raise AmqpError(
                "RESOURCE_LOCKED",
                f"cannot obtain exclusive access to locked queue '{name}' in vhost '/'. It could be originally "
                "declared on another connection or the exclusive property value does not match that of the "
                "original declaration.",
                method,
            )
        return found

    def declare_queue(self, method: Any, owner: object) -> Queue:
        name = method.queue or self.generated_name("amq.gen-")
        if method.passive:
            found = self.queue(name, owner, method)
            self.touch(found)
            return found
        if name.startswith("amq.") and method.queue:
            raise AmqpError("ACCESS_REFUSED", f"queue name '{name}' contains reserved prefix 'amq.*'", method)
        arguments = dict(method.arguments or {})
        if name in self.queues:
            existing = self.queue(name, owner, method)
            self._equivalent(existing, method, arguments)
            self.touch(existing)
            return existing
        _validate_arguments(name, method, arguments)
        queue = Queue(name, method.durable, method.auto_delete, arguments, owner if method.exclusive else None)
        self.queues[name] = queue
        self.exchanges[""].bindings.append(Binding(name, False, name, ()))
        self.touch(queue)
        return queue

    def _equivalent(self, queue: Queue, method: Any, arguments: dict[str, Any]) -> None:
        for arg, mine, theirs in (
            ("durable", queue.durable, method.durable),
            ("auto_delete", queue.auto_delete, method.auto_delete),
        ):
            if mine != theirs:
                raise precondition(
                    f"inequivalent arg '{arg}' for queue '{queue.name}' in vhost '/': "
                    f"received {_show(theirs)} but current is {_show(mine)}",
                    method,
                )
        for arg in sorted(set(arguments) | set(queue.arguments)):
            given, held = arguments.get(arg), queue.arguments.get(arg)
            if arg in _COMPARED and _canonical(arg, given) != _canonical(arg, held):
                # RabbitMQ names the types only when one side lacks the argument.
                both = given is not None and held is not None
                received, current = (f"'{given}'", f"'{held}'") if both else (_typed(given), _typed(held))
                raise precondition(
                    f"inequivalent arg '{arg}' for queue '{queue.name}' in vhost '/': "
                    f"received {received} but current is {current}",
                    method,
                )

    def delete_queue(self, queue: Queue, *, if_unused: bool = False, if_empty: bool = False, method: Any = None) -> int:
        if if_unused and queue.consumers:
            raise precondition(f"queue '{queue.name}' in vhost '/' in use", method)
        if if_empty and queue.messages:
            raise precondition(f"queue '{queue.name}' in vhost '/' not empty", method)
        return self.remove_queue(queue)

    def remove_queue(self, queue: Queue) -> int:
        """Forget the queue, its bindings and messages; its consumers are told (consumer_cancel_notify)."""
        if self.queues.get(queue.name) is not queue:
            return 0
        del self.queues[queue.name]
        count = len(queue.messages)
        queue.messages.clear()
        for timer in (queue.ttl_timer, queue.expiry_timer):
            if timer is not None:
                timer.cancel()
        for consumer in list(queue.consumers):
            consumer.channel.cancelled(consumer)
        queue.consumers.clear()
        for exchange in list(self.exchanges.values()):
            self._drop_bindings(exchange, lambda b: not b.to_exchange and b.destination == queue.name)
        return count

    def purge(self, queue: Queue) -> int:
        count = len(queue.messages)
        queue.messages.clear()
        self._arm_ttl(queue)
        return count

    def touch(self, queue: Queue) -> None:
        """The queue was used: its ``x-expires`` countdown starts again."""
        if queue.expiry_timer is not None:
            queue.expiry_timer.cancel()
            queue.expiry_timer = None
        expires = queue.argument("x-expires")
        if isinstance(expires, int) and not isinstance(expires, bool) and not queue.consumers:
            queue.expiry_timer = self.cloud.clock.call_later(
                expires / 1000, lambda: self._expire_queue(queue), f"amqp x-expires {queue.name}"
            )

    def _expire_queue(self, queue: Queue) -> None:
        if not queue.consumers:
            self.remove_queue(queue)
            self.flush()

    # -- consumers ---------------------------------------------------------------------------

    def add_consumer(self, consumer: Consumer, method: Any) -> None:
        queue = consumer.queue
        if any(c.exclusive for c in queue.consumers) or (consumer.exclusive and queue.consumers):
            raise AmqpError("ACCESS_REFUSED", f"queue '{queue.name}' in vhost '/' in exclusive use", method)
        queue.consumers.append(consumer)
        queue.had_consumers = True
        self.touch(queue)
        self.dispatch(queue)

    def remove_consumer(self, consumer: Consumer) -> None:
        queue = consumer.queue
        if consumer in queue.consumers:
            queue.consumers.remove(consumer)
            if queue.auto_delete and not queue.consumers:
                self.remove_queue(queue)
            else:
                self.touch(queue)

    # -- messages ---------------------------------------------------------------------------

    def route(self, exchange: Exchange, routing_key: str, headers: dict[str, Any]) -> list[Queue]:
        """The queues a message reaches from this exchange (following exchange-to-exchange bindings)."""
        found: dict[str, Queue] = {}
        seen = {exchange.name}
        pending = [exchange]
        while pending:
            current = pending.pop(0)
            if current.name == "":
                queue = self.queues.get(routing_key)
                if queue is not None:
                    found.setdefault(queue.name, queue)
                continue
            for binding in current.matches(routing_key, headers):
                if binding.to_exchange:
                    target = self.exchanges.get(binding.destination)
                    if target is not None and target.name not in seen:
                        seen.add(target.name)
                        pending.append(target)
                elif binding.destination in self.queues:
                    found.setdefault(binding.destination, self.queues[binding.destination])
        return list(found.values())

    def publish(self, exchange: Exchange, routing_key: str, properties: Properties, body: bytes) -> tuple[int, bool]:
        """Route and enqueue: (how many queues took it, whether one refused it: reject-publish)."""
        queues = self.route(exchange, routing_key, dict(properties.headers or {}))
        now = self.cloud.clock.now()
        per_message = _expiration(properties)
        refused = False
        seq = next(self._seq)
        for queue in queues:
            message = Message(seq, exchange.name, routing_key, properties, body)
            message.expires_at = _expires_at(now, queue.argument("x-message-ttl"), per_message)
            refused |= not self.enqueue(queue, message)
        return len(queues), refused

    def enqueue(self, queue: Queue, message: Message) -> bool:
        """Add a message at the tail; False when the queue's max-length refuses it."""
        overflow = queue.argument("x-overflow") or "drop-head"
        if overflow != "drop-head" and self._full(queue, extra=message):
            if overflow == "reject-publish-dlx":
                self.dead_letter(queue, message, "maxlen")
            return False
        queue.messages.append(message)
        self.dispatch(queue)
        while self._full(queue) and queue.messages and overflow == "drop-head":
            self.dead_letter(queue, queue.messages.pop(0), "maxlen")
        self.expire(queue)
        return True

    def _full(self, queue: Queue, extra: Message | None = None) -> bool:
        limit, limit_bytes = queue.argument("x-max-length"), queue.argument("x-max-length-bytes")
        if isinstance(limit, int) and len(queue.messages) + (extra is not None) > limit:
            return True
        if not isinstance(limit_bytes, int):
            return False  # summing the ready bodies on every publish made a burst quadratic
        return queue.ready_bytes + (len(extra.body) if extra is not None else 0) > limit_bytes

    def requeue(self, queue: Queue, messages: Iterable[Message]) -> None:
        """Put messages back where they were (by arrival), marked redelivered."""
        if self.queues.get(queue.name) is not queue:
            return  # the queue was deleted meanwhile: the messages go with it
        for message in messages:
            message.redelivered = True
            bisect.insort(queue.messages, message, key=lambda m: m.seq)
        self.dispatch(queue)
        self.expire(queue)

    def take(self, queue: Queue) -> Message | None:
        """The head message for basic.get (expired ones first leave)."""
        self.expire(queue)
        self.touch(queue)
        if not queue.messages:
            return None
        message = queue.messages.pop(0)
        self._arm_ttl(queue)
        return message

    def dispatch(self, queue: Queue) -> None:
        """Hand ready messages to consumers with room, round robin, as RabbitMQ does."""
        while queue.messages and queue.consumers:
            for _ in range(len(queue.consumers)):
                consumer = queue.consumers[0]
                queue.consumers.append(queue.consumers.pop(0))
                if consumer.channel.has_room(consumer):
                    break
            else:
                break
            self._drop_expired_head(queue)
            if not queue.messages:
                break
            consumer.channel.deliver(consumer, queue, queue.messages.pop(0))
        self._arm_ttl(queue)

    # -- expiry and dead-lettering -------------------------------------------------------------

    def expire(self, queue: Queue) -> None:
        self._drop_expired_head(queue)
        self._arm_ttl(queue)

    def _drop_expired_head(self, queue: Queue) -> None:
        now = self.cloud.clock.now()
        while queue.messages and queue.messages[0].expires_at is not None and queue.messages[0].expires_at <= now:
            self.dead_letter(queue, queue.messages.pop(0), "expired")

    def _arm_ttl(self, queue: Queue) -> None:
        """A timer for when the head message expires (the head only, as RabbitMQ)."""
        due = queue.messages[0].expires_at if queue.messages else None
        timer = queue.ttl_timer
        if timer is not None and (due is None or timer.due != due or timer.cancelled):
            timer.cancel()
            queue.ttl_timer = timer = None
        if due is not None and timer is None and self.queues.get(queue.name) is queue:
            queue.ttl_timer = self.cloud.clock.call_at(due, lambda: self._ttl_fired(queue), f"amqp ttl {queue.name}")

    def _ttl_fired(self, queue: Queue) -> None:
        queue.ttl_timer = None
        self.expire(queue)
        self.flush()

    def dead_letter(self, queue: Queue, message: Message, reason: str) -> None:
        """Republish to the queue's dead-letter exchange with an ``x-death`` entry (or drop it)."""
        dlx_name = queue.argument("x-dead-letter-exchange")
        exchange = self.exchanges.get(dlx_name) if isinstance(dlx_name, str) else None
        if exchange is None:
            return
        dead = message.copy()
        properties = dead.properties
        headers: dict[str, Any] = dict(properties.headers or {})
        previous = headers.get("x-death")
        deaths = [dict(d) for d in previous if isinstance(d, dict)] if isinstance(previous, list) else []
        routing_keys = [message.routing_key, *_cc(headers)]
        same = next((d for d in deaths if d.get("queue") == queue.name and d.get("reason") == reason), None)
        if same is not None:
            deaths.remove(same)
            same["count"] = int(same.get("count", 0)) + 1
            same["time"] = _whole_seconds(self.cloud.clock.now())
            deaths.insert(0, same)
        else:
            entry: dict[str, Any] = {
                "count": 1,
                "reason": reason,
                "queue": queue.name,
                "time": _whole_seconds(self.cloud.clock.now()),
                "exchange": message.exchange,
                "routing-keys": routing_keys,
            }
            if properties.expiration is not None:
                entry["original-expiration"] = properties.expiration
            deaths.insert(0, entry)
        properties.expiration = None
        headers["x-death"] = deaths
        headers.setdefault("x-first-death-reason", reason)
        headers.setdefault("x-first-death-queue", queue.name)
        headers.setdefault("x-first-death-exchange", message.exchange)
        properties.headers = headers
        routing_key = queue.argument("x-dead-letter-routing-key")
        key = routing_key if isinstance(routing_key, str) else message.routing_key
        now = self.cloud.clock.now()
        for target in self.route(exchange, key, headers):
            if _cycles(target.name, deaths):
                continue  # RabbitMQ drops a message that would go round a cycle with no rejection in it
            copy = Message(next(self._seq), exchange.name, key, dead.properties, dead.body)
            copy.expires_at = _expires_at(now, target.argument("x-message-ttl"), None)
            self.enqueue(target, copy)

    # -- the broker's life -------------------------------------------------------------------

    def restarted(self) -> None:
        """After a reboot: non-durable queues and exchanges are gone, durable queues keep persistent messages."""
        for queue in list(self.queues.values()):
            if not queue.durable or queue.exclusive:
                self.remove_queue(queue)
            else:
                queue.messages = [m for m in queue.messages if m.persistent]
                queue.consumers.clear()
                self._arm_ttl(queue)
        for name, exchange in list(self.exchanges.items()):
            if not exchange.durable:
                del self.exchanges[name]
        for exchange in self.exchanges.values():
            exchange.bindings = [
                b
                for b in exchange.bindings
                if (b.destination in self.exchanges if b.to_exchange else b.destination in self.queues)
            ]

    def flush(self) -> None:
        """Write what every session has waiting (after a publish, a timer, a closed channel...)."""
        while self.dirty:
            _, session = self.dirty.popitem()
            session.flush()


# -- helpers --------------------------------------------------------------------------------------

# Arguments RabbitMQ compares when a queue is declared again.
_COMPARED = (
    "x-message-ttl",
    "x-expires",
    "x-max-length",
    "x-max-length-bytes",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-overflow",
    "x-queue-type",
    "x-max-priority",
)


def _canonical(arg: str, value: Any) -> Any:
    if arg == "x-queue-type" and value in (None, "classic"):
        return "classic"  # classic is what a queue without the argument is
    return value


def _show(value: Any) -> str:
    return f"'{str(value).lower()}'" if isinstance(value, bool) else f"'{value}'"


def _typed(value: Any) -> str:
    if value is None:
        return "none"
    kind = _kind(value)
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    return f"the value '{shown}' of type '{kind}'"


def _validate_arguments(name: str, method: Any, arguments: dict[str, Any]) -> None:
    def invalid(arg: str, why: str) -> AmqpError:
        return precondition(f"invalid arg '{arg}' for queue '{name}' in vhost '/': {why}", method)

    for arg, minimum in (("x-message-ttl", 0), ("x-expires", 1), ("x-max-length", 0), ("x-max-length-bytes", 0)):
        value = arguments.get(arg)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid(arg, f'"expected integer, got {_kind(value)}"')
        if value < minimum:
            raise invalid(arg, "{value_zero,0}" if value == 0 else f"{{value_negative,{value}}}")
    for arg in ("x-dead-letter-exchange", "x-dead-letter-routing-key"):
        value = arguments.get(arg)
        if value is not None and not isinstance(value, str):
            raise precondition(f"invalid type '{_kind(value)}' for arg '{arg}' in queue '{name}' in vhost '/'", method)
    for arg in ("x-overflow", "x-queue-type"):
        value = arguments.get(arg)
        if value is not None and not isinstance(value, str):
            raise invalid(arg, f"{{unacceptable_type,{_kind(value)}}}")
    if "x-dead-letter-routing-key" in arguments and "x-dead-letter-exchange" not in arguments:
        raise invalid("x-dead-letter-routing-key", "routing_key_but_no_dlx_defined")
    overflow = arguments.get("x-overflow")
    if overflow is not None and overflow not in _OVERFLOW:
        raise invalid("x-overflow", "invalid_overflow")
    kind = arguments.get("x-queue-type", "classic")
    if kind not in _QUEUE_TYPES:
        raise invalid("x-queue-type", f"\"unsupported queue type '{kind}'\"")
    if kind in ("quorum", "stream"):
        for flag, bad in (
            ("non-durable", not method.durable),
            ("exclusive-owner", method.exclusive),
            ("auto-delete", method.auto_delete),
        ):
            if bad:
                raise precondition(f"invalid property '{flag}' for queue '{name}' in vhost '/'", method)


def _kind(value: Any) -> str:
    """The AMQP field type RabbitMQ names in errors (ints as pika and most clients encode them)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "signedint" if -(2**31) <= value < 2**31 else "long"
    if isinstance(value, str):
        return "longstr"
    if isinstance(value, float):
        return "double"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _expiration(properties: Properties) -> int | None:
    """A message's ``expiration`` in milliseconds (validated when it was published)."""
    value = properties.expiration
    return None if value is None else int(value)


def _expires_at(now: float, queue_ttl: Any, per_message: int | None) -> float | None:
    ttls = [t for t in (queue_ttl if isinstance(queue_ttl, int) else None, per_message) if t is not None]
    return now + min(ttls) / 1000 if ttls else None


def _whole_seconds(now: float) -> datetime:
    return datetime.fromtimestamp(int(now), tz=timezone.utc).replace(tzinfo=None)


def _cc(headers: dict[str, Any]) -> list[str]:
    found = headers.get("CC")
    return [str(k) for k in found] if isinstance(found, list) else []


def _cycles(target: str, deaths: list[dict[str, Any]]) -> bool:
    """Whether dead-lettering into ``target`` closes a cycle that no client rejection broke."""
    queues = [d.get("queue") for d in deaths]
    return target in queues and all(d.get("reason") != "rejected" for d in deaths)
