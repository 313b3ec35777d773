"""One AMQP 0-9-1 connection to a RabbitMQ broker, sans-IO: bytes in, frames out.

The handshake is RabbitMQ's (protocol header, Start with its capabilities and
the PLAIN and AMQPLAIN mechanisms, Tune, Open of vhost ``/``); errors are its
reply codes and texts. Nothing here raises out of :meth:`data_received`: a bad
frame closes the channel or the connection with the code RabbitMQ uses.

Heartbeats: the broker proposes RabbitMQ's 60 seconds, answers each client
heartbeat with one of its own and never times a client out. The kit's time is
virtual and a test may hold a connection idle for a long stretch of real time
between two clock moves; a broker that timed clients out in real time (or
sent heartbeats on a real timer) would drop them for nothing, while a client
that sends heartbeats still sees traffic from the broker.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pamqp import body, commands, decode, header, heartbeat

from ....core.containment import note
from .broker import RabbitBroker
from .errors import AmqpError, precondition
from .framing import PROTOCOL_HEADER, FrameReader, Inbound, Method, content, encode, short, unchecked
from .model import Consumer, Message, Queue

if TYPE_CHECKING:
    from ..wire import BrokerLink, Transport

Connection_ = commands.Connection
Channel_ = commands.Channel
Basic = commands.Basic

CHANNEL_MAX = 2047
FRAME_MAX = 131072
HEARTBEAT = 60
MECHANISMS = ("PLAIN", "AMQPLAIN")
_UNLIMITED_FRAME = 2**32


def server_properties(version: str) -> dict[str, Any]:
    """What RabbitMQ 3.x says about itself in Connection.Start."""
    return {
        "capabilities": {
            "publisher_confirms": True,
            "exchange_exchange_bindings": True,
            "basic.nack": True,
            "consumer_cancel_notify": True,
            "connection.blocked": True,
            "consumer_priorities": True,
            "authentication_failure_close": True,
            "per_consumer_qos": True,
            "direct_reply_to": True,
        },
        "cluster_name": "rabbit@localhost",
        "copyright": "Copyright (c) 2007-2024 Broadcom Inc and/or its subsidiaries",
        "information": "Licensed under the MPL 2.0. Website: https://rabbitmq.com",
        "platform": "Erlang/OTP 26.2.5",
        "product": "RabbitMQ",
        "version": version,
    }


class AmqpSession:
    """The broker's side of one client connection (see the module docstring)."""

    def __init__(self, link: BrokerLink, transport: Transport) -> None:
        self.link = link
        self.transport = transport
        self.broker: RabbitBroker = link.state
        self.reader = FrameReader()
        self.phase = "header"  # header, start, tune, open, ready, closing, closed
        self.channels: dict[int, Channel] = {}
        self.frame_max = FRAME_MAX
        self.channel_max = CHANNEL_MAX
        self.client_capabilities: dict[str, Any] = {}
        self.mechanism = "PLAIN"
        self.username: str | None = None
        self.heartbeat = 0  # as negotiated in Tune-Ok: 0, no heartbeats
        self._out: list[bytes] = []
        self._pending_header = b""

    # -- the wire's interface --------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        try:
            if self.phase == "closed":
                return
            if self.phase == "header":
                data = self._header(data)
            for channel, frame in self.reader.feed(data):
                self._frame(channel, frame)
                if self.phase == "closed":
                    break
        except AmqpError as error:
            self.close_connection(error, hang_up=error.name == "FRAME_ERROR" or self.phase != "ready")
        except Exception as error:  # a kit bug: the client hears INTERNAL_ERROR, the test fails at teardown
            note(self.link.cloud.kit_failures, f"amqp session {self.transport.peer}", error)
            self.close_connection(AmqpError("INTERNAL_ERROR", f"{type(error).__name__}: {error}"), hang_up=True)
        finally:
            self.broker.flush()

    def connection_lost(self) -> None:
        self._release()
        self.phase = "closed"
        self.broker.flush()

    # -- output ---------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        """Queue frames; written at the end of the current event (the broker flushes dirty sessions)."""
        if self.phase != "closed":
            self._out.append(data)
            self.broker.dirty[id(self)] = self

    def send_method(self, channel: int, method: Method) -> None:
        self.send(encode(channel, method))

    def flush(self) -> None:
        if self._out:
            data, self._out = b"".join(self._out), []
            self.transport.write(data)

    # -- the handshake -------------------------------------------------------------------------

    def _header(self, data: bytes) -> bytes:
        self._pending_header += data
        if len(self._pending_header) < 8 and PROTOCOL_HEADER.startswith(self._pending_header):
            return b""
        received, rest = self._pending_header[:8], self._pending_header[8:]
        if received != PROTOCOL_HEADER:
            # RabbitMQ answers a header it does not speak with the one it does, then hangs up.
            self.transport.write(PROTOCOL_HEADER)
            self.link.record(f"refused protocol header {received!r}")
            self._hang_up()
            return b""
        self.phase = "start"
        version = self.link.broker.engine_version
        start = Connection_.Start(0, 9, server_properties(version), " ".join(MECHANISMS), "en_US")
        self.send_method(0, start)
        return rest

    def _frame(self, channel: int, frame: Inbound) -> None:
        if isinstance(frame, heartbeat.Heartbeat):
            if self.heartbeat:
                self.send(encode(0, heartbeat.Heartbeat()))
            return
        if channel == 0:
            if not isinstance(frame, Method):
                raise AmqpError("UNEXPECTED_FRAME", "expected method frame, got non method frame instead")
            self._connection_method(frame)
            return
        if self.phase == "closing":
            return  # after Connection.Close, only Close-Ok counts
        if self.phase != "ready":
            raise AmqpError("COMMAND_INVALID", f"channel {channel} used before the connection was opened")
        if channel > self.channel_max:
            raise AmqpError("CHANNEL_ERROR", f"channel number {channel} exceeds the negotiated channel_max")
        found = self.channels.get(channel)
        if found is None:
            if not (isinstance(frame, Method) and frame.name == "Channel.Open"):
                raise AmqpError(
                    "CHANNEL_ERROR", "expected 'channel.open'", frame if isinstance(frame, Method) else None
                )
            self.channels[channel] = Channel(self, channel)
            self.send_method(channel, Channel_.OpenOk())
            self.link.record(f"ch{channel} Channel.Open")
            return
        found.received(frame)

    def _connection_method(self, method: Any) -> None:
        name = method.name
        if name == "Connection.Close":
            self.send_method(0, Connection_.CloseOk())
            self.link.record(f"Connection.Close {method.reply_code} {method.reply_text}")
            self._hang_up()
            return
        if name == "Connection.CloseOk":
            self._hang_up()
            return
        if self.phase == "closing":
            return
        expected = {"start": "Connection.StartOk", "tune": "Connection.TuneOk", "open": "Connection.Open"}.get(
            self.phase
        )
        if name != expected:
            state = "running" if self.phase == "ready" else self.phase
            raise AmqpError("CHANNEL_ERROR", f"unexpected method in connection state {state}", method)
        if name == "Connection.StartOk":
            self._start_ok(method)
        elif name == "Connection.TuneOk":
            self._tune_ok(method)
        else:
            self._open(method)

    def _start_ok(self, method: Any) -> None:
        properties = method.client_properties or {}
        capabilities = properties.get("capabilities")
        self.client_capabilities = capabilities if isinstance(capabilities, dict) else {}
        mechanism = method.mechanism
        if mechanism not in MECHANISMS:
            raise AmqpError("COMMAND_INVALID", f"unknown authentication mechanism '{mechanism}'", method)
        self.mechanism = mechanism
        username, password = _credentials(mechanism, method.response)
        if username is None or password is None or not self.link.authenticate(username, password):
            self.link.record(f"refused login {username!r} ({mechanism})")
            refused = AmqpError(
                "ACCESS_REFUSED",
                f"Login was refused using authentication mechanism {mechanism}. For details see the broker logfile.",
            )
            if self.client_capabilities.get("authentication_failure_close"):
                self.close_connection(refused, hang_up=True)
            else:
                self._hang_up()  # RabbitMQ closes the socket on clients that did not ask to be told
            return
        self.username = username
        self.link.record(f"login {username} ({mechanism})")
        self.phase = "tune"
        self.send_method(0, Connection_.Tune(CHANNEL_MAX, FRAME_MAX, HEARTBEAT))

    def _tune_ok(self, method: Any) -> None:
        frame_max, channel_max = method.frame_max, method.channel_max
        if frame_max != 0 and frame_max < 4096:
            raise AmqpError("NOT_ALLOWED", f"frame_max={frame_max} < 4096 min size", method)
        if frame_max > FRAME_MAX:
            raise AmqpError("NOT_ALLOWED", f"frame_max={frame_max} > {FRAME_MAX} max size", method)
        if channel_max > CHANNEL_MAX:
            raise AmqpError(
                "NOT_ALLOWED",
                f"negotiated channel_max = {channel_max} is higher than the maximum allowed value ({CHANNEL_MAX})",
                method,
            )
        self.frame_max = frame_max or FRAME_MAX
        self.reader.frame_max = frame_max or _UNLIMITED_FRAME
        self.channel_max = channel_max or CHANNEL_MAX
        self.heartbeat = method.heartbeat
        self.phase = "open"

    def _open(self, method: Any) -> None:
        if method.virtual_host != "/":
            raise AmqpError("NOT_ALLOWED", f"vhost {method.virtual_host} not found", method)
        self.phase = "ready"
        self.send_method(0, Connection_.OpenOk())

    # -- closing ---------------------------------------------------------------------------------

    def close_connection(self, error: AmqpError, *, hang_up: bool = False) -> None:
        """Connection.Close with RabbitMQ's code and text; wait for Close-Ok unless the stream is lost."""
        self.link.record(f"closing: {error.code} {error.text}")
        if self.phase in ("header", "closed"):
            self._hang_up()
            return
        self.send_method(0, Connection_.Close(error.code, short(error.text), error.class_id, error.method_id))
        self._release()
        if hang_up:
            self._hang_up()
        else:
            self.phase = "closing"

    def _hang_up(self) -> None:
        self._release()
        self.flush()
        self.phase = "closed"
        self.transport.close()

    def _release(self) -> None:
        """What a closed connection leaves: unacked messages back, consumers gone, exclusive queues deleted."""
        for channel in list(self.channels.values()):
            channel.release()
        self.channels.clear()
        for queue in [q for q in self.broker.queues.values() if q.owner is self]:
            self.broker.remove_queue(queue)


class Delivery:
    __slots__ = ("consumer", "message", "queue")

    def __init__(self, queue: Queue, message: Message, consumer: Consumer | None) -> None:
        self.queue = queue
        self.message = message
        self.consumer = consumer


class Channel:
    """One channel: its consumers, unacknowledged deliveries, confirms, transaction."""

    def __init__(self, session: AmqpSession, number: int) -> None:
        self.session = session
        self.number = number
        self.broker = session.broker
        self.closing = False
        self.next_tag = 1
        self.unacked: dict[int, Delivery] = {}
        self.consumers: dict[str, Consumer] = {}
        self.prefetch = 0  # per consumer, for consumers made after basic.qos
        self.prefetch_global = 0  # shared by the channel's consumers
        self.confirming = False
        self.published = 0
        self.tx: list[Callable[[], None]] | None = None
        self.last_queue: str | None = None
        self._publish: Method | None = None
        self._header: header.ContentHeader | None = None
        self._body: list[bytes] = []
        self._received = 0

    # -- frames ----------------------------------------------------------------------------------

    def received(self, frame: Inbound) -> None:
        if self.closing:
            if isinstance(frame, Method) and frame.name in ("Channel.Close", "Channel.CloseOk"):
                if frame.name == "Channel.Close":
                    self.session.send_method(self.number, Channel_.CloseOk())
                self.session.channels.pop(self.number, None)
            return  # RabbitMQ drops what a client sends on a channel it is closing
        if self._publish is not None:
            self._content(frame)
            return
        if not isinstance(frame, Method):
            raise AmqpError("UNEXPECTED_FRAME", "expected method frame, got non method frame instead")
        if frame.name != "Basic.Publish":
            self.session.link.record(f"ch{self.number} {frame.name}")
        handler = self._handlers().get(frame.name)
        try:
            if handler is None:
                raise AmqpError("COMMAND_INVALID", "unimplemented method", frame)
            handler(frame)
        except AmqpError as error:
            error.on(frame)
            if error.hard:
                raise
            self.fail(error)

    def _content(self, frame: Inbound) -> None:
        if self._header is None:
            if not isinstance(frame, header.ContentHeader):
                raise AmqpError(
                    "UNEXPECTED_FRAME",
                    "expected content header for class 60, got non content header frame instead",
                    self._publish,
                )
            if getattr(frame, "class_id", None) != Basic.frame_id:
                raise AmqpError("FRAME_ERROR", f"content header for class {frame.class_id}, expected class 60")
            self._header = frame
        elif isinstance(frame, body.ContentBody):
            self._body.append(frame.value)
            self._received += len(frame.value)
            if self._received > self._header.body_size:
                raise AmqpError("FRAME_ERROR", "content body is longer than its header announced")
        else:
            raise AmqpError("UNEXPECTED_FRAME", "expected content body, got non content body frame instead")
        if self._received >= self._header.body_size:
            method, properties, data = self._publish, self._header.properties, b"".join(self._body)
            self._publish, self._header, self._body, self._received = None, None, [], 0
            assert method is not None
            try:
                self._published(method, properties, data)
            except AmqpError as error:
                error.on(method)
                if error.hard:
                    raise
                self.fail(error)

    def fail(self, error: AmqpError) -> None:
        """A channel error: Channel.Close with RabbitMQ's code and text; the channel's deliveries go back."""
        self.session.link.record(f"ch{self.number} closing: {error.code} {error.text}")
        self.session.send_method(
            self.number, Channel_.Close(error.code, short(error.text), error.class_id, error.method_id)
        )
        self.release()
        self.closing = True

    def release(self) -> None:
        """Consumers cancelled, unacknowledged messages requeued (in their original order)."""
        for consumer in list(self.consumers.values()):
            self.broker.remove_consumer(consumer)
        self.consumers.clear()
        self._requeue(list(self.unacked))
        self._publish = None

    def _handlers(self) -> dict[str, Callable[[Any], None]]:
        return {
            "Channel.Close": self._close,
            "Channel.CloseOk": lambda m: None,
            "Channel.Flow": self._flow,
            "Channel.Open": self._reopen,
            "Exchange.Declare": self._exchange_declare,
            "Exchange.Delete": self._exchange_delete,
            "Exchange.Bind": self._exchange_bind,
            "Exchange.Unbind": self._exchange_bind,
            "Queue.Declare": self._queue_declare,
            "Queue.Bind": self._queue_bind,
            "Queue.Unbind": self._queue_bind,
            "Queue.Purge": self._queue_purge,
            "Queue.Delete": self._queue_delete,
            "Basic.Qos": self._qos,
            "Basic.Consume": self._consume,
            "Basic.Cancel": self._cancel,
            "Basic.Publish": self._publish_start,
            "Basic.Get": self._get,
            "Basic.Ack": self._ack,
            "Basic.Reject": self._reject,
            "Basic.Nack": self._reject,
            "Basic.Recover": self._recover,
            "Basic.RecoverAsync": self._recover,
            "Confirm.Select": self._confirm_select,
            "Tx.Select": self._tx_select,
            "Tx.Commit": self._tx_commit,
            "Tx.Rollback": self._tx_rollback,
        }

    def reply(self, method: Any, answer: Method) -> None:
        if not getattr(method, "nowait", False):
            self.session.send_method(self.number, answer)

    # -- channel ----------------------------------------------------------------------------------

    def _close(self, method: Any) -> None:
        self.release()
        self.session.send_method(self.number, Channel_.CloseOk())
        self.session.channels.pop(self.number, None)

    def _flow(self, method: Any) -> None:
        if not method.active:
            raise AmqpError("NOT_IMPLEMENTED", "active=false", method)
        self.session.send_method(self.number, Channel_.FlowOk(True))

    def _reopen(self, method: Any) -> None:
        raise AmqpError("CHANNEL_ERROR", "second 'channel.open' seen", method)

    # -- exchanges and queues -------------------------------------------------------------------

    def _exchange_declare(self, method: Any) -> None:
        self.broker.declare_exchange(method)
        self.reply(method, commands.Exchange.DeclareOk())

    def _exchange_delete(self, method: Any) -> None:
        self.broker.delete_exchange(method.exchange, method.if_unused, method)
        self.reply(method, commands.Exchange.DeleteOk())

    def _exchange_bind(self, method: Any) -> None:
        args = dict(method.arguments or {})
        if method.name == "Exchange.Bind":
            self.broker.bind(method.source, method.destination, True, method.routing_key, args, method)
            self.reply(method, commands.Exchange.BindOk())
        else:
            self.broker.unbind(method.source, method.destination, True, method.routing_key, args, method)
            self.reply(method, commands.Exchange.UnbindOk())

    def _queue_name(self, name: str, method: Any) -> str:
        if name:
            return name
        if self.last_queue is None:
            raise AmqpError("NOT_FOUND", "no previously declared queue", method)
        return self.last_queue

    def _queue_declare(self, method: Any) -> None:
        queue = self.broker.declare_queue(method, self.session)
        self.last_queue = queue.name
        self.reply(method, unchecked(commands.Queue.DeclareOk)(queue.name, len(queue.messages), len(queue.consumers)))

    def _queue_bind(self, method: Any) -> None:
        name = self._queue_name(method.queue, method)
        key = method.routing_key if method.queue or method.routing_key else name
        self.broker.queue(name, self.session, method)
        args = dict(method.arguments or {})
        if method.name == "Queue.Bind":
            self.broker.bind(method.exchange, name, False, key, args, method)
            self.reply(method, commands.Queue.BindOk())
        else:
            self.broker.unbind(method.exchange, name, False, key, args, method)
            self.session.send_method(self.number, commands.Queue.UnbindOk())

    def _queue_purge(self, method: Any) -> None:
        queue = self.broker.queue(self._queue_name(method.queue, method), self.session, method)
        self.reply(method, commands.Queue.PurgeOk(self.broker.purge(queue)))

    def _queue_delete(self, method: Any) -> None:
        name = self._queue_name(method.queue, method)
        if name not in self.broker.queues:
            self.reply(method, commands.Queue.DeleteOk(0))  # RabbitMQ 3.x: deleting what is not there succeeds
            return
        queue = self.broker.queue(name, self.session, method)
        count = self.broker.delete_queue(queue, if_unused=method.if_unused, if_empty=method.if_empty, method=method)
        self.reply(method, commands.Queue.DeleteOk(count))

    # -- consuming -------------------------------------------------------------------------------

    def _qos(self, method: Any) -> None:
        if method.prefetch_size:
            raise AmqpError("NOT_IMPLEMENTED", f"prefetch_size!=0 ({method.prefetch_size})", method)
        if method.global_:
            self.prefetch_global = method.prefetch_count
        else:
            self.prefetch = method.prefetch_count
        self.session.send_method(self.number, Basic.QosOk())
        for consumer in list(self.consumers.values()):
            self.broker.dispatch(consumer.queue)

    def _consume(self, method: Any) -> None:
        queue = self.broker.queue(self._queue_name(method.queue, method), self.session, method)
        tag = method.consumer_tag or self.broker.generated_name("amq.ctag-")
        if tag in self.consumers:
            raise AmqpError("NOT_ALLOWED", f"attempt to reuse consumer tag '{tag}'", method)
        consumer = Consumer(tag, queue, self, method.no_ack, method.exclusive, self.prefetch)
        self.reply(method, unchecked(Basic.ConsumeOk)(tag))
        self.broker.add_consumer(consumer, method)
        self.consumers[tag] = consumer

    def _cancel(self, method: Any) -> None:
        consumer = self.consumers.pop(method.consumer_tag, None)
        if consumer is not None:
            self.broker.remove_consumer(consumer)
        self.reply(method, unchecked(Basic.CancelOk)(method.consumer_tag))

    def has_room(self, consumer: Consumer) -> bool:
        if self.closing:
            return False
        if consumer.no_ack:
            return True
        if consumer.prefetch and consumer.unacked >= consumer.prefetch:
            return False
        return not (self.prefetch_global and len(self.unacked) >= self.prefetch_global)

    def deliver(self, consumer: Consumer, queue: Queue, message: Message) -> None:
        tag = self._track(queue, message, consumer, acked=not consumer.no_ack)
        deliver = unchecked(Basic.Deliver)(
            consumer.tag, tag, message.redelivered, message.exchange, message.routing_key
        )
        self.session.send(content(self.number, deliver, message.properties, message.body, self.session.frame_max))

    def cancelled(self, consumer: Consumer) -> None:
        """The queue went away under the consumer: tell the client if it asked (consumer_cancel_notify)."""
        if self.consumers.pop(consumer.tag, None) is None:
            return
        if self.session.client_capabilities.get("consumer_cancel_notify") and not self.closing:
            self.session.send_method(self.number, unchecked(Basic.Cancel)(consumer.tag, True))

    def _track(self, queue: Queue, message: Message, consumer: Consumer | None, *, acked: bool) -> int:
        """The next delivery tag; the delivery waits for its ack unless it was sent with no-ack."""
        tag = self.next_tag
        self.next_tag += 1
        if acked:
            self.unacked[tag] = Delivery(queue, message, consumer)
            queue.unacked += 1
            if consumer is not None:
                consumer.unacked += 1
        return tag

    def _get(self, method: Any) -> None:
        queue = self.broker.queue(self._queue_name(method.queue, method), self.session, method)
        message = self.broker.take(queue)
        if message is None:
            self.session.send_method(self.number, Basic.GetEmpty())
            return
        tag = self._track(queue, message, None, acked=not method.no_ack)
        get_ok = unchecked(Basic.GetOk)(
            tag, message.redelivered, message.exchange, message.routing_key, len(queue.messages)
        )
        self.session.send(content(self.number, get_ok, message.properties, message.body, self.session.frame_max))

    # -- acknowledging ---------------------------------------------------------------------------

    def _settled(self, method: Any) -> list[int]:
        tag, multiple = method.delivery_tag, method.multiple if method.name != "Basic.Reject" else False
        if multiple:
            tags = [t for t in self.unacked if tag == 0 or t <= tag]
            if tag and not tags and tag not in self.unacked:
                raise precondition(f"unknown delivery tag {tag}", method)
            return tags
        if tag not in self.unacked:
            raise precondition(f"unknown delivery tag {tag}", method)
        return [tag]

    def _ack(self, method: Any) -> None:
        tags = self._settled(method)
        self._later(lambda: self._forget(tags))

    def _reject(self, method: Any) -> None:
        tags = self._settled(method)
        if method.requeue:
            self._later(lambda: self._requeue(tags))
        else:
            self._later(lambda: self._dead_letter(tags))

    def _recover(self, method: Any) -> None:
        self._requeue(list(self.unacked))
        if method.name == "Basic.Recover":
            self.session.send_method(self.number, Basic.RecoverOk())

    def _take_back(self, tags: list[int]) -> list[Delivery]:
        taken = []
        for tag in tags:
            delivery = self.unacked.pop(tag, None)
            if delivery is None:
                continue
            delivery.queue.unacked -= 1
            if delivery.consumer is not None:
                delivery.consumer.unacked -= 1
            taken.append(delivery)
        return taken

    def _forget(self, tags: list[int]) -> None:
        self._redispatch(self._take_back(tags))

    def _requeue(self, tags: list[int]) -> None:
        taken = self._take_back(tags)
        by_queue: dict[int, tuple[Queue, list[Message]]] = {}
        for delivery in taken:
            by_queue.setdefault(id(delivery.queue), (delivery.queue, []))[1].append(delivery.message)
        for queue, messages in by_queue.values():
            self.broker.requeue(queue, messages)
        self._redispatch(taken)

    def _dead_letter(self, tags: list[int]) -> None:
        taken = self._take_back(tags)
        for delivery in taken:
            self.broker.dead_letter(delivery.queue, delivery.message, "rejected")
        self._redispatch(taken)

    def _redispatch(self, settled: list[Delivery]) -> None:
        """Room was made: queues of this channel's consumers may deliver again."""
        queues = {id(d.queue): d.queue for d in settled}
        if self.prefetch_global:
            queues.update({id(c.queue): c.queue for c in self.consumers.values()})
        for queue in queues.values():
            if self.broker.queues.get(queue.name) is queue:
                self.broker.dispatch(queue)

    # -- publishing ------------------------------------------------------------------------------

    def _publish_start(self, method: Any) -> None:
        self._publish = method

    def _published(self, method: Any, properties: commands.Basic.Properties, data: bytes) -> None:
        exchange = self.broker.exchange(method.exchange, method)
        if exchange.internal:
            raise AmqpError(
                "ACCESS_REFUSED", f"cannot publish to internal exchange '{exchange.name}' in vhost '/'", method
            )
        _check_expiration(properties.expiration, method)
        if properties.user_id is not None and properties.user_id != self.session.username:
            raise precondition(
                f"user_id property set to '{properties.user_id}' but authenticated user was '{self.session.username}'",
                method,
            )
        if self.confirming:
            self.published += 1
        seq = self.published

        def route() -> None:
            routed, refused = self.broker.publish(exchange, method.routing_key, properties, data)
            if not routed and method.mandatory:
                returned = unchecked(Basic.Return)(312, "NO_ROUTE", method.exchange, method.routing_key)
                self.session.send(content(self.number, returned, properties, data, self.session.frame_max))
            if self.confirming:
                answer = Basic.Nack(seq, False, False) if refused else Basic.Ack(seq, False)
                self.session.send_method(self.number, answer)

        self._later(route)

    def _confirm_select(self, method: Any) -> None:
        if self.tx is not None:
            raise precondition("cannot switch from tx to confirm mode", method)
        self.confirming = True
        self.reply(method, commands.Confirm.SelectOk())

    def _later(self, action: Callable[[], None]) -> None:
        """Now, or at Tx.Commit when the channel is transactional."""
        if self.tx is None:
            action()
        else:
            self.tx.append(action)

    def _tx_select(self, method: Any) -> None:
        if self.confirming:
            raise precondition("cannot switch from confirm to tx mode", method)
        if self.tx is None:
            self.tx = []
        self.session.send_method(self.number, commands.Tx.SelectOk())

    def _tx_commit(self, method: Any) -> None:
        if self.tx is None:
            raise precondition("channel is not transactional", method)
        actions, self.tx = self.tx, []
        for action in actions:
            action()
        self.session.send_method(self.number, commands.Tx.CommitOk())

    def _tx_rollback(self, method: Any) -> None:
        if self.tx is None:
            raise precondition("channel is not transactional", method)
        self.tx = []
        self.session.send_method(self.number, commands.Tx.RollbackOk())


def _check_expiration(value: str | None, method: Any) -> None:
    if value is None:
        return
    if not value.lstrip("-").isdigit():
        raise precondition(f"invalid expiration '{value}': no_integer", method)
    if int(value) < 0:
        raise precondition(f"invalid expiration '{value}': {{value_negative,{int(value)}}}", method)


def _credentials(mechanism: str, response: Any) -> tuple[str | None, str | None]:
    """(username, password) from a StartOk response: PLAIN is ``\\0user\\0password``, AMQPLAIN a table."""
    raw = response.encode() if isinstance(response, str) else bytes(response or b"")
    if mechanism == "PLAIN":
        parts = raw.split(b"\0")
        if len(parts) != 3:
            return None, None
        return parts[1].decode(errors="replace"), parts[2].decode(errors="replace")
    try:
        _, table = decode.field_table(struct.pack(">I", len(raw)) + raw)
    except (ValueError, struct.error, IndexError):
        return None, None
    login, password = table.get("LOGIN"), table.get("PASSWORD")
    return (_text(login), _text(password))


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value if isinstance(value, str) else None
