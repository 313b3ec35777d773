"""One STOMP connection to an ActiveMQ broker: frames in, the broker's answers out (sans-IO).

The session reads frames (:mod:`.frames`), speaks for the connection to the
broker's state (:mod:`.broker`) and writes what ActiveMQ's STOMP transport
writes back. Errors are ERROR frames as ActiveMQ sends them (``message``
header, ``content-type:text/plain``, the Java exception's first line as the
body, ``receipt-id`` when the frame asked for a receipt); a fatal one (a frame
that cannot be read, an unknown command, a refused login) closes the
connection after it, as ActiveMQ does.

Heart-beating: the kit never sends heart-beats (it would need real-time
timers, and the broker's time is virtual), so CONNECTED advertises
``heart-beat:0,<the client's send interval>``: the client expects nothing from
the broker, may send its own, and the broker never times it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .broker import (
    DURABLE_TOPIC_PREFETCH,
    QUEUE_PREFETCH,
    TOPIC_PREFETCH,
    ActiveMqState,
    Consumer,
    Message,
    parse_destination,
)
from .frames import Decoder, Frame, FrameError, encode
from .selectors import Selector, SelectorError

if TYPE_CHECKING:
    from ....core.cloud import Cloud
    from ..models import Broker

VERSIONS = ("1.0", "1.1", "1.2")
ACK_MODES = ("auto", "client", "client-individual")
# Amazon MQ lists engine versions as major.minor (auto minor upgrades); the server header names a patch
# release: the one the control plane's catalog names for each line (catalog._ALIASES).
_PATCH = {"5.17": "5.17.6", "5.18": "5.18.4", "5.19": "5.19.0"}
# Headers a SEND consumes; the others travel with the message as its properties.
_SEND_OWN = {"destination", "transaction", "receipt", "content-length", "persistent", "priority", "expires"}
_PROTOCOL_EXCEPTION = "org.apache.activemq.transport.stomp.ProtocolException"


class Transport(Protocol):
    peer: str

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class Link(Protocol):
    """What the wire tells a session about where it runs (``wire.BrokerLink``)."""

    broker: Broker
    instance: int | None
    cloud: Cloud
    state: Any

    def authenticate(self, username: str, password: str) -> bool: ...

    def record(self, summary: str) -> None: ...


class StompError(Exception):
    """Answered with an ERROR frame; ``fatal`` ones close the connection."""

    def __init__(self, message: str, *, fatal: bool = False, java: str | None = _PROTOCOL_EXCEPTION) -> None:
        super().__init__(message)
        self.fatal = fatal
        self.java = java


@dataclass
class _Transaction:
    sends: list[tuple[Message, int]] = field(default_factory=list)
    acks: list[tuple[str, Consumer, list[str]]] = field(default_factory=list)  # (ACK or NACK, consumer, ids)


class StompSession:
    """The broker's side of one STOMP connection."""

    def __init__(self, link: Link, transport: Transport) -> None:
        self.link = link
        self.transport = transport
        self.state: ActiveMqState = link.state
        self.decoder = Decoder()
        self.version = "1.0"
        self.connected = False
        self.closed = False
        self.connection_id = ""
        self.client_id = ""
        self.username: str | None = None
        self.heart_beat = (0, 0)
        self.consumers: dict[str, Consumer] = {}  # subscription id (or 1.0 destination) -> consumer
        self.transactions: dict[str, _Transaction] = {}
        self.acks: dict[str, tuple[Consumer, str]] = {}  # 1.2 ack id -> (consumer, message id)
        self._produced = 0
        self.subscribed: Consumer | None = None  # dispatched to once the SUBSCRIBE is answered
        self.superseded: list[Consumer] = []  # subscriptions whose id a later SUBSCRIBE reused

    # -- the wire's calls ---------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            frames = self.decoder.feed(data)
        except FrameError as error:
            self._error(StompError(str(error), fatal=True), None)
            return
        for frame in frames:
            if not self._process(frame):
                return

    def _process(self, frame: Frame) -> bool:
        """Handle one frame; whether the connection is still open."""
        receipt = frame.get("receipt")
        try:
            self._handle(frame)
        except StompError as error:
            self._error(error, receipt)  # the ERROR names the receipt; no RECEIPT follows
            return not self.closed
        if receipt is not None and frame.command not in ("CONNECT", "STOMP") and not self.closed:
            self._write(Frame("RECEIPT", [("receipt-id", receipt)]))
            if frame.command == "DISCONNECT":
                self._close()
        if self.subscribed is not None and not self.closed:
            # *checked*: ActiveMQ answers a SUBSCRIBE's receipt before it dispatches what was waiting.
            consumer, self.subscribed = self.subscribed, None
            self.state.dispatch_consumer(consumer)
        return not self.closed

    def connection_lost(self) -> None:
        self.closed = True
        self._end()

    # -- frames -------------------------------------------------------------------------

    def _handle(self, frame: Frame) -> None:
        command = frame.command
        self.link.record(_summary(frame))
        if command in ("CONNECT", "STOMP"):
            self._connect(frame)
            return
        handler = _HANDLERS.get(command)
        if handler is None:
            raise StompError(f"Unknown STOMP action: {command}", fatal=True)
        if not self.connected:
            raise StompError("Not connected.")
        handler(self, frame)

    def _connect(self, frame: Frame) -> None:
        if self.connected:
            raise StompError("Already connected.", fatal=True)
        accepted = [v.strip() for v in (frame.get("accept-version") or "1.0").split(",")]
        common = [v for v in VERSIONS if v in accepted]
        if not common:
            raise StompError(
                f"Invalid Protocol version[{frame.get('accept-version')}], "
                f"supported versions are: [{', '.join(reversed(VERSIONS))}]",
                fatal=True,
            )
        self.version = self.decoder.version = common[-1]
        login, passcode = frame.get("login"), frame.get("passcode")
        if login is None or passcode is None or not self.link.authenticate(login, passcode):
            raise StompError(f"User name [{login}] or password is invalid.", fatal=True, java=None)
        self.username = login
        self.connection_id = self.state.connection_id(self.link.instance)
        client_id = frame.get("client-id") or self.connection_id
        for other in self.state.sessions:
            if other.client_id == client_id:
                raise StompError(
                    f"Broker: {self.link.broker.name} - Client: {client_id} "
                    f"already connected from tcp://{other.transport.peer}",
                    fatal=True,
                    java="javax.jms.InvalidClientIDException",
                )
        self.client_id = client_id
        send_ms = _heart_beat(frame.get("heart-beat"))[0]
        self.heart_beat = (0, send_ms)
        self.connected = True
        self.state.sessions.append(self)
        headers = [("server", f"ActiveMQ/{_server_version(self.link.broker.engine_version)}")]
        headers.append(("heart-beat", f"{self.heart_beat[0]},{self.heart_beat[1]}"))
        headers.append(("session", client_id))
        headers.append(("version", self.version))
        receipt = frame.get("request-id") or frame.get("receipt")
        if receipt is not None:
            headers += [("response-id", receipt), ("receipt-id", receipt)]
        self._write(Frame("CONNECTED", headers))

    def _disconnect(self, frame: Frame) -> None:
        if frame.get("receipt") is None:
            self._close()

    def _send(self, frame: Frame) -> None:
        name = frame.get("destination")
        if not name:
            raise StompError("SEND received without a Destination specified!")
        kind, destination = parse_destination(name)
        self._produced += 1  # *checked*: a SEND refused for its transaction still uses up an id
        transaction = self._transaction(frame)
        state = self.state
        now = state.cloud.clock.now_ms()
        headers = {k: v for k, v in frame.header_dict().items() if k not in _SEND_OWN}
        delay = _int(headers.get("AMQ_SCHEDULED_DELAY"), 0)
        if delay > 0 and state.scheduler_support():
            # *checked*: a scheduled message reaches its consumer with the header spelled this way.
            headers["AMQ-SCHEDULED-DELAY"] = headers.pop("AMQ_SCHEDULED_DELAY")
        message = Message(
            id=f"{self.connection_id}:-1:1:{self._produced}",
            kind=kind,
            destination=destination,
            body=frame.body,
            headers=headers,
            persistent=(frame.get("persistent") or "").lower() == "true",
            priority=min(max(_int(frame.get("priority"), 4), 0), 9),
            timestamp=now,
            expires=max(_int(frame.get("expires"), 0), 0),
            seq=0,
            sized="content-length" in frame,
        )
        if transaction is not None:
            transaction.sends.append((message, delay))
            return
        message.seq = state.next_seq()
        state.send(message, delay)

    def _subscribe(self, frame: Frame) -> None:
        name = frame.get("destination")
        if not name:
            raise StompError("SUBSCRIBE received without a Destination specified!")
        kind, destination = parse_destination(name)
        sub_id = frame.get("id")
        key = sub_id if sub_id is not None else name
        ack = frame.get("ack") or "auto"
        if ack not in ACK_MODES:
            ack = "auto"  # *checked*: ActiveMQ takes an ack mode it does not know as auto
        selector_text = frame.get("selector")
        try:
            selector = Selector(selector_text) if selector_text else None
        except SelectorError:
            # *checked*: the message is the selector itself; the parser's words follow in the stack trace.
            raise StompError(str(selector_text), java="javax.jms.InvalidSelectorException") from None
        durable_name = frame.get("activemq.subscriptionName") or frame.get("durable-subscription-name")
        durable = (self.client_id, durable_name) if durable_name and kind == "topic" else None
        default = QUEUE_PREFETCH if kind == "queue" else DURABLE_TOPIC_PREFETCH if durable else TOPIC_PREFETCH
        prefetch = _int(frame.get("activemq.prefetchSize"), default)
        if prefetch < 1:
            prefetch = 1  # ActiveMQ's STOMP transport has no pull mode; 0 dispatches one at a time
        consumer = Consumer(kind, destination, sub_id, ack, prefetch, selector, self, durable)
        # *checked*: a repeated id is not refused; the newest subscription answers to it.
        self.superseded += [self.consumers[key]] if key in self.consumers else []
        self.consumers[key] = self.subscribed = self.state.subscribe(consumer, dispatch=False)

    def _unsubscribe(self, frame: Frame) -> None:
        durable_name = frame.get("activemq.subscriptionName") or frame.get("durable-subscription-name")
        if durable_name:
            # Removing a durable subscription: only while no consumer uses it (*checked*).
            found = self.state.durable.get((self.client_id, durable_name))
            if found is None:
                raise StompError(
                    f"No durable subscription exists for clientID: {self.client_id} "
                    f"and subscriptionName: {durable_name}",
                    java="javax.jms.InvalidDestinationException",
                )
            if found.delivery is not None:
                raise StompError("Durable consumer is in use", java="javax.jms.JMSException")
            self.state.close(found, remove_durable=True)
            return
        key = frame.get("id") or frame.get("destination")
        consumer = self.consumers.pop(key, None) if key else None
        if consumer is None:
            raise StompError("No subscription matched.")
        self._forget_acks(consumer)
        self.state.close(consumer)

    def _ack(self, frame: Frame) -> None:
        self._acknowledge(frame, "ACK")

    def _nack(self, frame: Frame) -> None:
        if self.version == "1.0":
            raise StompError("NACK received but connection is in v1.0 mode.")
        self._acknowledge(frame, "NACK")

    def _acknowledge(self, frame: Frame, what: str) -> None:
        transaction = self._transaction(frame)
        if self.version == "1.2":
            ack_id = frame.get("id")
            if ack_id is None:
                raise StompError(f"{what} received without a id header to acknowledge!")
            found = self.acks.get(ack_id)
            if found is None:
                # *checked*: ActiveMQ names the message-id header, which a 1.2 ACK does not send.
                raise StompError(f"Unexpected {what} received for message-id [{frame.get('message-id', 'null')}]")
            consumer, message_id = found
        else:
            message_id = frame.get("message-id") or ""
            if not message_id:
                raise StompError(f"{what} received without a message-id to acknowledge!")
            sub_id = frame.get("subscription")
            candidates = [c for k, c in self.consumers.items() if sub_id is None or k == sub_id]
            consumer = next((c for c in candidates if message_id in c.unacked), None)  # type: ignore[assignment]
            if consumer is None:
                raise StompError(f"Unexpected {what} received for message-id [{message_id}]")
        if message_id not in consumer.unacked:
            raise StompError(f"Unexpected {what} received for message-id [{message_id}]")
        ids = [message_id]
        if what == "ACK" and consumer.ack == "client":
            # Client mode acknowledges cumulatively: this message and every one dispatched before it.
            order = list(consumer.unacked)
            ids = order[: order.index(message_id) + 1]
        if transaction is not None:
            transaction.acks.append((what, consumer, ids))
            return
        self._settle(what, consumer, ids)

    def _settle(self, what: str, consumer: Consumer, ids: list[str]) -> None:
        for ack_id in [k for k, (c, m) in self.acks.items() if c is consumer and m in ids]:
            del self.acks[ack_id]
        if what == "ACK":
            self.state.acked(consumer, ids)
        else:
            for message_id in ids:
                self.state.poisoned(consumer, message_id)

    def _begin(self, frame: Frame) -> None:
        name = frame.get("transaction")
        if not name:
            raise StompError("Must specify the transaction you are beginning")
        if name in self.transactions:
            raise StompError(f"The transaction was already started: {name}")
        self.transactions[name] = _Transaction()

    def _commit(self, frame: Frame) -> None:
        transaction = self._ending(frame, "committing")
        for message, delay in transaction.sends:
            message.seq = self.state.next_seq()
            self.state.send(message, delay)
        for what, consumer, ids in transaction.acks:
            live = [i for i in ids if i in consumer.unacked]
            self._settle(what, consumer, live)

    def _abort(self, frame: Frame) -> None:
        # Sends are dropped; acknowledged messages stay with the consumer, unacknowledged again.
        self._ending(frame, "aborting")

    def _ending(self, frame: Frame, verb: str) -> _Transaction:
        name = frame.get("transaction")
        if not name:
            raise StompError(f"Must specify the transaction you are {verb}")
        transaction = self.transactions.pop(name, None)
        if transaction is None:
            raise StompError(f"Invalid transaction id: {name}")
        return transaction

    def _transaction(self, frame: Frame) -> _Transaction | None:
        name = frame.get("transaction")
        if name is None:
            return None
        found = self.transactions.get(name)
        if found is None:
            raise StompError(f"Invalid transaction id: {name}")
        return found

    # -- deliveries ---------------------------------------------------------------------

    def deliver(self, consumer: Consumer, message: Message) -> None:
        """A MESSAGE frame with ActiveMQ's headers, in the order a 5.17 broker writes them (*checked*)."""
        headers = [("content-length", str(len(message.body)))] if message.sized else []
        headers.append(("expires", str(message.expires)))
        headers += list(message.headers.items())
        headers.append(("destination", message.stomp_destination))
        if self.version == "1.2" and consumer.ack != "auto":
            ack_id = self.state.ack_id(self.link.instance)
            self.acks[ack_id] = (consumer, message.id)
            headers.append(("ack", ack_id))
        if consumer.id is not None:
            headers.append(("subscription", consumer.id))
        headers.append(("priority", str(message.priority)))
        if message.redeliveries:
            headers.append(("redelivered", "true"))
        if message.original:
            headers.append(("original-destination", message.original))
        headers.append(("message-id", message.id))
        if message.persistent:
            headers.append(("persistent", "true"))
        headers.append(("timestamp", str(message.timestamp)))
        self._write(Frame("MESSAGE", headers, message.body))

    # -- leaving ------------------------------------------------------------------------

    def _error(self, error: StompError, receipt: str | None) -> None:
        headers = [("content-type", "text/plain")]
        if receipt is not None:
            headers.append(("receipt-id", receipt))
        headers.append(("message", str(error)))
        # ActiveMQ's body is the Java stack trace; the kit writes its first line (a refused login: the message).
        body = (f"{error.java}: {error}\n" if error.java else str(error)).encode()
        self.link.record(f"ERROR {error}")
        self._write(Frame("ERROR", headers, body))
        if error.fatal:
            self._close()

    def _write(self, frame: Frame) -> None:
        self.transport.write(encode(frame, self.version))

    def _close(self) -> None:
        if not self.closed:
            self.closed = True
            self._end()
            self.transport.close()

    def _end(self) -> None:
        """The connection is over: transactions roll back, subscriptions end, unacked messages go back."""
        self.transactions.clear()
        consumers, self.consumers = [*self.superseded, *self.consumers.values()], {}
        self.superseded = []
        self.acks.clear()
        for consumer in consumers:
            self.state.close(consumer)
        if self in self.state.sessions:
            self.state.sessions.remove(self)

    def _forget_acks(self, consumer: Consumer) -> None:
        for ack_id in [k for k, (c, _) in self.acks.items() if c is consumer]:
            del self.acks[ack_id]


_HANDLERS = {
    "SEND": StompSession._send,
    "SUBSCRIBE": StompSession._subscribe,
    "UNSUBSCRIBE": StompSession._unsubscribe,
    "ACK": StompSession._ack,
    "NACK": StompSession._nack,
    "BEGIN": StompSession._begin,
    "COMMIT": StompSession._commit,
    "ABORT": StompSession._abort,
    "DISCONNECT": StompSession._disconnect,
}


def _int(text: str | None, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise StompError(f"Invalid number: {text}") from None


def _heart_beat(text: str | None) -> tuple[int, int]:
    if not text:
        return 0, 0
    parts = text.split(",")
    try:
        send, receive = (int(p.strip()) for p in parts)
    except ValueError:
        raise StompError(f"Heart-beat header is malformed: {text}", fatal=True) from None
    if send < 0 or receive < 0:
        raise StompError(f"Heart-beat header is malformed: {text}", fatal=True)
    return send, receive


def _server_version(engine_version: str) -> str:
    return _PATCH.get(engine_version, engine_version)


def _summary(frame: Frame) -> str:
    target = frame.get("destination") or frame.get("id") or frame.get("message-id") or frame.get("transaction")
    return f"{frame.command} {target}" if target else frame.command
