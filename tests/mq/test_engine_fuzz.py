"""Fuzzing both broker engines' sessions: no input crashes the broker, its errors are the protocol's.

Each engine's session is driven sans-IO through a fake transport with seeded,
deterministic inputs: valid conversations mutated byte-wise (truncated, bits
flipped, ranges duplicated or dropped, junk inserted, headers garbled, lengths
made huge), random bytes, and valid frames in odd orders (frames before the
handshake, acknowledgements of unknown ids, methods on closed channels, frames
after a close). Every case must end with the session either answering with the
protocol's error (a STOMP ERROR frame; an AMQP Connection.Close or Channel.Close
with a reply code) and closing, or carrying on; nothing may escape
``data_received`` or ``connection_lost``, nothing may be noted as a kit failure,
and afterwards a fresh connection still publishes and consumes on the same
broker state.

A failing case names its seed and index: ``_stomp_case(Random(f"{SEED}/stomp/{i}"))``
rebuilds its input.
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest
from pamqp import body, commands, frame, header, heartbeat

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.mq.amqp import AmqpSession, RabbitBroker
from pytest_awsmsg.services.mq.amqp.framing import PROTOCOL_HEADER
from pytest_awsmsg.services.mq.models import Broker
from pytest_awsmsg.services.mq.stomp import ActiveMqState, StompSession
from pytest_awsmsg.services.mq.stomp.frames import Decoder, FrameError

from .brokers import PASSWORD, USER, FakeLink, FakeTransport, model_of, running_broker

SEED = 20261206
CASES = int(os.environ.get("FUZZ_CASES", "250"))  # per engine; about a second each on an idle machine


def _model(aws: Cloud, engine: str) -> Broker:
    return model_of(aws, running_broker(aws, engine, name=f"fuzz-{engine.lower()}")["BrokerId"])


def _feed(session: Any, data: bytes, rng: random.Random) -> None:
    """``data`` in random chunks, as TCP may cut it."""
    pos = 0
    while pos < len(data):
        step = rng.choice((1, 3, 17, 64, 512, len(data)))
        session.data_received(data[pos : pos + step])
        pos += step


# -- byte-level mutations, shared by both engines -------------------------------------------------


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not buf:
            buf += rng.randbytes(8)
        kind = rng.randrange(6)
        at = rng.randrange(len(buf))
        if kind == 0:  # truncated
            del buf[at:]
        elif kind == 1:  # a bit flipped
            buf[at] ^= 1 << rng.randrange(8)
        elif kind == 2:  # a byte replaced
            buf[at] = rng.choice((0, 0x0A, 0x0D, 0x3A, 0x5C, 0xCE, 0xFF, rng.randrange(256)))
        elif kind == 3:  # a range duplicated
            end = min(len(buf), at + rng.randint(1, 64))
            buf[at:at] = buf[at:end]
        elif kind == 4:  # a range dropped
            del buf[at : at + rng.randint(1, 16)]
        else:  # junk inserted
            buf[at:at] = rng.randbytes(rng.randint(1, 24))
    return bytes(buf)


def _odd_order(frames: list[bytes], rng: random.Random) -> list[bytes]:
    """Valid frames out of order: shuffled, repeated, some dropped (the handshake, often)."""
    picked = [f for f in frames if rng.random() < 0.8]
    picked += rng.choices(frames, k=rng.randint(0, 4))
    rng.shuffle(picked)
    return picked


# -- STOMP -----------------------------------------------------------------------------------------


def _stomp(command: str, headers: dict[str, str] | None = None, payload: bytes = b"") -> bytes:
    head = "".join(f"{k}:{v}\n" for k, v in (headers or {}).items())
    return f"{command}\n{head}\n".encode() + payload + b"\0"


def _stomp_conversation(rng: random.Random) -> list[bytes]:
    """A valid conversation with a varied cast: versions, ack modes, transactions, topics, selectors."""
    version = rng.choice(("1.0", "1.1", "1.2"))
    queue = f"/queue/fuzz.{rng.randrange(3)}"
    topic = f"/topic/fuzz.{rng.randrange(2)}"
    ack = rng.choice(("auto", "client", "client-individual"))
    connect = {"accept-version": version, "host": "/", "login": USER, "passcode": PASSWORD}
    if rng.random() < 0.3:
        connect["heart-beat"] = rng.choice(("0,0", "1000,0", "10,10"))
    if rng.random() < 0.3:
        connect["client-id"] = f"fuzzer-{rng.randrange(3)}"
    subscribe = {"destination": queue, "id": "s1", "ack": ack}
    if rng.random() < 0.4:
        subscribe["selector"] = rng.choice(("n > 1", "color = 'red' AND n BETWEEN 1 AND 5", "k IS NULL", "s LIKE 'a%'"))
    if rng.random() < 0.3:
        subscribe["activemq.prefetchSize"] = str(rng.randrange(3))
    durable = {"destination": topic, "id": "d1", "activemq.subscriptionName": "sub"}
    send = {"destination": queue, "n": str(rng.randrange(5)), "color": "red", "receipt": "r-send"}
    if rng.random() < 0.3:
        send["expires"] = str(rng.randrange(10_000))
    if rng.random() < 0.3:
        send["AMQ_SCHEDULED_DELAY"] = str(rng.randrange(5_000))
    payload = rng.randbytes(rng.randint(0, 40))
    sized = {**send, "content-length": str(len(payload))}
    ack_id = {"id": "1", "message-id": "ID:fuzz-1", "subscription": "s1"}
    return [
        _stomp(rng.choice(("CONNECT", "STOMP")), connect),
        _stomp("SUBSCRIBE", subscribe),
        _stomp("SUBSCRIBE", durable),
        _stomp("SEND", send, b"hello"),
        _stomp("SEND", sized, payload),
        _stomp("SEND", {"destination": topic}, b"to a topic"),
        _stomp("BEGIN", {"transaction": "t1"}),
        _stomp("SEND", {"destination": queue, "transaction": "t1"}, b"in a transaction"),
        _stomp("ACK", {**ack_id, "transaction": "t1"}),
        _stomp(rng.choice(("COMMIT", "ABORT")), {"transaction": "t1"}),
        _stomp("ACK", ack_id),
        _stomp("NACK", ack_id),
        _stomp("UNSUBSCRIBE", {"id": "s1"}),
        _stomp("UNSUBSCRIBE", {"id": "d1", "activemq.subscriptionName": "sub"}),
        _stomp("DISCONNECT", {"receipt": "bye"}),
    ]


def _stomp_garbled(frames: list[bytes], rng: random.Random) -> list[bytes]:
    """One frame's headers broken: no colon, bad escapes, odd lengths, oversized lines, too many headers."""
    out = list(frames)
    at = rng.randrange(1, len(out))
    command, _, rest = out[at].partition(b"\n")
    breakage = rng.choice(
        (
            b"no colon here\n",
            b"bad:escape\\q\n",
            b"trailing:backslash\\\n",
            b"content-length:-1\n",
            b"content-length:not a number\n",
            b"content-length:99999999999999999999\n",
            b"content-length:104857601\n",
            b"content-length:3\n",
            b"priority:high\n",
            b"expires:soon\n",
            b"activemq.prefetchSize:many\n",
            b"selector:(((((((((((a\n",
            b"selector:" + b"(" * 3000 + b"a = 1" + b")" * 3000 + b"\n",
            b"selector:a = 1 AND " * 400 + b"b = 2\n",
            b"selector:a IN ()\n",
            b"selector:n / 0 = 1\n",
            b"selector:a LIKE 'x' ESCAPE 'yy'\n",
            b"heart-beat:1,2,3\n",
            b"heart-beat:-1,-1\n",
            b"accept-version:9.9\n",
            b"transaction:\n",
            b"id:\n",
            b"x:" + b"y" * (10 * 1024 + 1) + b"\n",
            b"".join(b"h%d:v\n" % i for i in range(1001)),
            b"\xff\xfe:\xc3\x28\n",
            b"\r\r\n",
        )
    )
    out[at] = command + b"\n" + breakage + rest
    return out


def _stomp_case(rng: random.Random) -> bytes:
    frames = _stomp_conversation(rng)
    kind = rng.randrange(6)
    if kind == 0:  # random bytes, sometimes after a good CONNECT
        prefix = frames[0] if rng.random() < 0.5 else b""
        return prefix + rng.randbytes(rng.randint(1, 300))
    if kind == 1:
        return b"".join(_odd_order(frames, rng))
    if kind == 2:
        return b"".join(_stomp_garbled(frames, rng))
    if kind == 3:  # unknown or oversized commands, frames after DISCONNECT
        odd = rng.choice((b"HELLO", b"send", b"C" * 1100, b"MESSAGE", b"ERROR", b"CONNECTED", b""))
        return frames[0] + _stomp(odd.decode(), {"destination": "/queue/x"}) + b"".join(frames[1:])
    mutated = b"".join(frames[:1]) + _mutate(b"".join(frames[1:]), rng)
    return _mutate(mutated, rng) if kind == 4 else mutated


class StompEngine:
    name = "stomp"
    case = staticmethod(_stomp_case)

    def __init__(self, aws: Cloud) -> None:
        self.aws = aws
        self.state = ActiveMqState(_model(aws, "ACTIVEMQ"), aws)
        self.peers = 0

    def session(self) -> tuple[StompSession, FakeTransport, FakeLink]:
        self.peers += 1
        transport = FakeTransport(f"127.0.0.1:{40000 + self.peers}")
        link = FakeLink(self.state.broker, 1, self.aws, self.state)
        return StompSession(link, transport), transport, link

    def check(self, transport: FakeTransport, link: FakeLink) -> None:
        out = bytes(transport.out)
        assert not out or out.endswith(b"\x00\n"), f"a partial frame written: {out[-200:]!r}"
        decoder = Decoder()
        decoder.version = "1.0"  # values stay escaped: the frames only have to be whole
        try:
            commands = [f.command for f in decoder.feed(out)]
        except FrameError:
            # A frame echoing a client's NUL (an ERROR naming a bad selector, a MESSAGE property) cannot
            # be read back: the engine keeps NULs inside header lines (ActiveMQ ends the frame there).
            commands = [part.split(b"\n", 1)[0].decode() for part in re.split(rb"\x00\n(?=[A-Z]+\n)", out) if part]
        assert set(commands) <= {"CONNECTED", "MESSAGE", "RECEIPT", "ERROR"}, commands
        if transport.closed:
            said_goodbye = any(line.startswith("DISCONNECT") for line in link.lines)
            assert said_goodbye or commands[-1:] == ["ERROR"], "closed without an ERROR frame"

    def usable(self, n: int) -> None:
        session, transport, _ = self.session()
        queue = f"/queue/usable.{n}"
        for data in (
            _stomp("CONNECT", {"accept-version": "1.2", "host": "/", "login": USER, "passcode": PASSWORD}),
            _stomp("SEND", {"destination": queue}, b"still works"),
            _stomp("SUBSCRIBE", {"destination": queue, "id": "u"}),
        ):
            session.data_received(data)
        decoder = Decoder()
        decoder.version = "1.2"
        got = [(f.command, f.body) for f in decoder.feed(bytes(transport.out))]
        assert got == [("CONNECTED", b""), ("MESSAGE", b"still works")], got
        session.connection_lost()


# -- AMQP 0-9-1 ------------------------------------------------------------------------------------


def _m(channel: int, method: Any) -> bytes:
    return bytes(frame.marshal(method, channel))


def _publish(channel: int, exchange: str, key: str, payload: bytes, **properties: Any) -> bytes:
    return (
        _m(channel, commands.Basic.Publish(exchange=exchange, routing_key=key, mandatory=True))
        + _m(channel, header.ContentHeader(0, len(payload), commands.Basic.Properties(**properties)))
        + (_m(channel, body.ContentBody(payload)) if payload else b"")
    )


def _amqp_handshake(rng: random.Random | None = None) -> list[bytes]:
    capabilities: dict[str, Any] = {"authentication_failure_close": True, "publisher_confirms": True}
    tune = commands.Connection.TuneOk(2047, 131072, 0)
    if rng is not None and rng.random() < 0.2:
        tune = commands.Connection.TuneOk(rng.choice((0, 9, 5000)), rng.choice((0, 4096, 1 << 20)), 60)
    return [
        PROTOCOL_HEADER,
        _m(0, commands.Connection.StartOk({"capabilities": capabilities}, "PLAIN", f"\0{USER}\0{PASSWORD}")),
        _m(0, tune),
        _m(0, commands.Connection.Open("/")),
    ]


def _amqp_conversation(rng: random.Random) -> list[bytes]:
    queue = f"fuzz.{rng.randrange(3)}"
    arguments: dict[str, Any] = rng.choice(
        (
            {},
            {"x-message-ttl": rng.randrange(1000)},
            {"x-dead-letter-exchange": "dlx", "x-max-length": 2},
            {"x-queue-type": "quorum"},
            {"x-expires": 0},
            {"x-message-ttl": "soon"},
        )
    )
    ch = rng.choice((1, 1, 2))
    payload = rng.randbytes(rng.randint(0, 40))
    tag = rng.choice((1, 2, 0, 99, 2**62))
    return [
        *_amqp_handshake(rng),
        _m(ch, commands.Channel.Open()),
        _m(ch, rng.choice((commands.Confirm.Select(), commands.Tx.Select(), commands.Basic.Qos(0, 1, False)))),
        _m(ch, commands.Exchange.Declare(exchange="dlx", exchange_type=rng.choice(("direct", "fanout", "topic")))),
        _m(ch, commands.Exchange.Declare(exchange="ex", exchange_type=rng.choice(("headers", "topic", "nonsense")))),
        _m(ch, commands.Queue.Declare(queue=queue, durable=rng.random() < 0.5, arguments=arguments)),
        _m(ch, commands.Queue.Bind(queue=queue, exchange="ex", routing_key="#")),
        _publish(ch, "", queue, payload, expiration=rng.choice((None, "0", "100", "never"))),
        _publish(ch, "ex", "k", b"via an exchange", headers={"a": 1}),
        _publish(ch, "missing", "k", b"no such exchange"),
        _m(ch, commands.Basic.Consume(queue=queue, consumer_tag="c1")),
        _m(ch, commands.Basic.Get(queue=queue)),
        _m(ch, commands.Basic.Ack(delivery_tag=tag, multiple=rng.random() < 0.3)),
        _m(ch, commands.Basic.Nack(delivery_tag=tag, requeue=rng.random() < 0.5)),
        _m(ch, commands.Basic.Reject(delivery_tag=tag, requeue=False)),
        _m(ch, commands.Basic.Recover(requeue=True)),
        _m(ch, commands.Tx.Commit()),
        _m(ch, commands.Basic.Cancel(consumer_tag="c1")),
        _m(ch, commands.Queue.Purge(queue=queue)),
        _m(ch, commands.Queue.Unbind(queue=queue, exchange="ex", routing_key="#")),
        _m(ch, commands.Queue.Delete(queue=queue, if_unused=rng.random() < 0.5)),
        _m(ch, commands.Exchange.Delete(exchange="ex")),
        _m(ch, commands.Channel.Close(200, "bye", 0, 0)),
        _m(ch, commands.Basic.Ack(delivery_tag=1)),  # on the channel just closed
        _m(ch, commands.Channel.CloseOk()),
        _m(0, heartbeat.Heartbeat()),
        _m(0, commands.Connection.Close(200, "bye", 0, 0)),
        _m(1, commands.Channel.Open()),  # after the close
    ]


def _amqp_framing(frames: list[bytes], rng: random.Random) -> list[bytes]:
    """One frame's envelope broken: type, channel, size (huge), end marker, or a method id nobody knows."""
    out = list(frames)
    at = rng.randrange(1, len(out))
    raw = bytearray(out[at])
    kind = rng.randrange(6)
    if kind == 0:
        raw[0] = rng.choice((0, 4, 9, 255))
    elif kind == 1:
        raw[1:3] = rng.choice((b"\xff\xff", b"\x00\x00", b"\x08\x00"))
    elif kind == 2:
        raw[3:7] = rng.choice((b"\xff\xff\xff\xff", b"\x7f\xff\xff\xf0", b"\x00\x02\x00\x00", b"\x00\x00\x00\x00"))
    elif kind == 3:
        raw[-1] = rng.randrange(256)
    elif kind == 4 and len(raw) >= 11:
        raw[7:11] = rng.choice((b"\x00\x3c\x00\xff", b"\xff\xff\xff\xff", b"\x00\x0a\x00\x0b", b"\x00\x14\x00\x28"))
    else:
        out.insert(at, PROTOCOL_HEADER)
    out[at] = bytes(raw)
    return out


def _amqp_case(rng: random.Random) -> bytes:
    frames = _amqp_conversation(rng)
    kind = rng.randrange(6)
    if kind == 0:
        prefix = b"".join(frames[:4]) if rng.random() < 0.6 else (PROTOCOL_HEADER if rng.random() < 0.5 else b"")
        return prefix + rng.randbytes(rng.randint(1, 300))
    if kind == 1:  # the header first (else nothing else is read), then valid frames in odd orders
        return PROTOCOL_HEADER + b"".join(_odd_order(frames[1:], rng))
    if kind == 2:
        return b"".join(_amqp_framing(frames, rng))
    if kind == 3:  # methods a client never sends, content without a publish
        odd = rng.choice(
            (
                commands.Basic.Deliver("c", 1, False, "", "q"),
                commands.Connection.Start(0, 9, {}, "PLAIN", "en_US"),
                commands.Queue.DeclareOk("q", 0, 0),
                header.ContentHeader(0, 5, commands.Basic.Properties()),
                body.ContentBody(b"stray"),
            )
        )
        at = rng.randrange(1, len(frames))
        return b"".join(frames[:at]) + _m(rng.choice((0, 1)), odd) + b"".join(frames[at:])
    mutated = b"".join(frames[:4]) + _mutate(b"".join(frames[4:]), rng)
    return _mutate(mutated, rng) if kind == 4 else mutated


def _amqp_frames(data: bytes) -> list[tuple[int, Any]]:
    """Everything the broker wrote, decoded; a partial or undecodable frame fails the test."""
    out: list[tuple[int, Any]] = []
    while data:
        used, channel, value = frame.unmarshal(data)
        assert used, f"undecodable output: {data[:100]!r}"
        out.append((channel, value))
        data = data[used:]
    return out


class AmqpEngine:
    name = "amqp"
    case = staticmethod(_amqp_case)

    def __init__(self, aws: Cloud) -> None:
        self.aws = aws
        self.state = RabbitBroker(_model(aws, "RABBITMQ"), aws)
        self.peers = 0

    def session(self) -> tuple[AmqpSession, FakeTransport, FakeLink]:
        self.peers += 1
        transport = FakeTransport(f"127.0.0.1:{40000 + self.peers}")
        link = FakeLink(self.state.broker, None, self.aws, self.state)
        return AmqpSession(link, transport), transport, link  # type: ignore[arg-type]

    def check(self, transport: FakeTransport, link: FakeLink) -> None:
        if bytes(transport.out) == PROTOCOL_HEADER:
            assert transport.closed, "a refused protocol header must hang up"
            return
        written = _amqp_frames(bytes(transport.out))
        for _, method in written:
            if isinstance(method, commands.Channel.Close):
                assert (method.reply_code or 0) >= 300, method
        if transport.closed:
            last = written[-1][1] if written else None
            if isinstance(last, commands.Connection.Close):
                assert (last.reply_code or 0) >= 300, last
            else:
                assert isinstance(last, commands.Connection.CloseOk | commands.Connection.Start | None), last

    def usable(self, n: int) -> None:
        session, transport, _ = self.session()
        queue = f"usable.{n}"
        for data in (
            *_amqp_handshake(),
            _m(1, commands.Channel.Open()),
            _m(1, commands.Queue.Declare(queue=queue)),
            _publish(1, "", queue, b"still works"),
            _m(1, commands.Basic.Get(queue=queue, no_ack=True)),
        ):
            session.data_received(data)
        written = [v for _, v in _amqp_frames(bytes(transport.out))]
        assert [type(v).__name__ for v in written][-3:] == ["GetOk", "ContentHeader", "ContentBody"], written
        assert written[-1].value == b"still works"
        session.connection_lost()


@pytest.mark.parametrize("engine_type", [StompEngine, AmqpEngine], ids=["stomp", "amqp"])
def test_no_input_crashes_an_engine(aws: Cloud, engine_type: Callable[[Cloud], Any]) -> None:
    engine = engine_type(aws)
    for i in range(CASES):
        rng = random.Random(f"{SEED}/{engine.name}/{i}")
        data = engine.case(rng)
        session, transport, link = engine.session()
        where = f"{engine.name} case {i}: {data[:300]!r}"
        try:
            _feed(session, data, rng)
            assert not aws.kit_failures, aws.kit_failures[0].format()
            engine.check(transport, link)
            if transport.closed:  # the client keeps talking to a closed connection: ignored
                before = len(transport.out)
                session.data_received(data[:64] or b"x")
                assert len(transport.out) == before, "the session wrote after it closed"
            session.connection_lost()
            session.connection_lost()  # the wire may report a loss the session caused itself
            assert not transport.late, f"written after close: {transport.late[:200]!r}"
            assert not aws.kit_failures, aws.kit_failures[0].format()
            if i % 25 == 24:
                engine.usable(i)
        except BaseException as error:
            aws.kit_failures.clear()  # reported here, with the case that caused it
            raise AssertionError(f"{where}\n{type(error).__name__}: {error}") from error
    engine.usable(CASES)


def _named(raw: bytes, *names: str) -> bytes:
    """A client frame carrying names pamqp refuses to encode: built with stand-ins of the same length."""
    for name in names:
        stand_in = b"Z" * len(name.encode())
        assert raw.count(stand_in) == 1
        raw = raw.replace(stand_in, name.encode())
    return raw


def _z(name: str) -> str:
    return "Z" * len(name.encode())


def test_names_pamqp_would_refuse_are_echoed_as_rabbitmq_echoes_them(aws: Cloud) -> None:
    """RabbitMQ takes any UTF-8 name (checked against 3.10); pamqp's spec regex must not crash the broker."""
    engine = AmqpEngine(aws)
    session, transport, _ = engine.session()
    long_name = "é" * 120  # 240 bytes: a reply text naming it whole is longer than a shortstr
    for data in (
        *_amqp_handshake(),
        _m(1, commands.Channel.Open()),
        _named(_m(1, commands.Exchange.Declare(exchange=_z("ex-é"), exchange_type="fanout")), "ex-é"),
        _named(_m(1, commands.Queue.Declare(queue=_z("é-queue"))), "é-queue"),
        _named(_m(1, commands.Queue.Declare(queue=_z("bad\x05name"))), "bad\x05name"),
        _named(_m(1, commands.Queue.Bind(queue=_z("é-queue"), exchange="Z" * 5)), "é-queue", "ex-é"),
        _named(_publish(1, _z("ex-é"), "clé", b"one"), "ex-é"),
        _named(_m(1, commands.Basic.Get(queue=_z("é-queue"), no_ack=True)), "é-queue"),
        _named(
            _m(1, commands.Basic.Consume(queue=_z("bad\x05name"), consumer_tag="tag-é", no_ack=True)), "bad\x05name"
        ),
        _publish(1, "", "bad\x05name", b"two"),
        _named(_m(1, commands.Exchange.Declare(exchange=_z("nowhere-é"), exchange_type="direct")), "nowhere-é"),
        _named(_publish(1, _z("nowhere-é"), "k", b"three"), "nowhere-é"),  # mandatory, unroutable: returned
        _named(_m(1, commands.Basic.Get(queue=_z(long_name))), long_name),
    ):
        session.data_received(data)
    assert not aws.kit_failures, aws.kit_failures[0].format()
    written = [v for _, v in _amqp_frames(bytes(transport.out))]
    named = [(type(v).__name__, getattr(v, "queue", None) or getattr(v, "exchange", None)) for v in written]
    for expected in [
        ("DeclareOk", "é-queue"),
        ("DeclareOk", "bad\x05name"),
        ("GetOk", "ex-é"),
        ("Return", "nowhere-é"),
    ]:
        assert expected in named
    deliver = next(v for v in written if isinstance(v, commands.Basic.Deliver))
    assert deliver.routing_key == "bad\x05name"
    consumed = next(v for v in written if isinstance(v, commands.Basic.ConsumeOk))
    assert consumed.consumer_tag == "tag-é"
    closed = written[-1]
    assert isinstance(closed, commands.Channel.Close), closed
    assert closed.reply_code == 404
    assert closed.reply_text.startswith("NOT_FOUND - no queue 'ééé")
    assert len(closed.reply_text.encode()) <= 255


@pytest.mark.parametrize(
    "selector",
    [
        "(" * 3000 + "a = 1" + ")" * 3000,  # parsing recurses per parenthesis
        "NOT " * 2000 + "a = 1",
        "a=1 AND " * 1270 + "a=1",  # parses flat, evaluates one level per AND: just under 10 KiB
    ],
    ids=["parentheses", "nots", "and-chain"],
)
def test_a_selector_nested_too_deeply_is_refused_not_a_crash(aws: Cloud, selector: str) -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default; importing jsonata raises it to 10,000 for the process
    try:
        _subscribe_with(aws, selector)
    finally:
        sys.setrecursionlimit(limit)


def _subscribe_with(aws: Cloud, selector: str) -> None:
    engine = StompEngine(aws)
    session, transport, _ = engine.session()
    connect = {"accept-version": "1.2", "host": "/", "login": USER, "passcode": PASSWORD}
    for data in (
        _stomp("CONNECT", connect),
        _stomp("SUBSCRIBE", {"destination": "/queue/deep", "id": "s1", "selector": selector}),
        _stomp("SEND", {"destination": "/queue/deep", "a": "1"}, b"deep"),
    ):
        session.data_received(data)
    assert not aws.kit_failures, aws.kit_failures[0].format()
    decoder = Decoder()
    decoder.version = "1.2"
    connected, error = decoder.feed(bytes(transport.out))
    assert [connected.command, error.command] == ["CONNECTED", "ERROR"]
    assert error.body.startswith(b"javax.jms.InvalidSelectorException: ")
    assert not transport.closed  # as any selector that does not parse: the connection carries on
    engine.usable(0)


def test_max_length_bytes_drops_the_oldest_messages(aws: Cloud) -> None:
    """x-max-length-bytes counts ready bodies: the oldest go first (the check ``_full`` makes per publish)."""
    engine = AmqpEngine(aws)
    session, transport, _ = engine.session()
    limited = commands.Queue.Declare(queue="small", arguments={"x-max-length-bytes": 10})
    for data in (
        *_amqp_handshake(),
        _m(1, commands.Channel.Open()),
        _m(1, limited),
        *(_publish(1, "", "small", payload) for payload in (b"1111", b"2222", b"3333")),
        _m(1, commands.Queue.Declare(queue="small", passive=True)),
        _m(1, commands.Basic.Get(queue="small", no_ack=True)),
    ):
        session.data_received(data)
    written = [v for _, v in _amqp_frames(bytes(transport.out))]
    counted = [v.message_count for v in written if isinstance(v, commands.Queue.DeclareOk)]
    assert counted == [0, 2]
    assert written[-1].value == b"2222"
