"""Differential check of the kit's RabbitMQ engine against a real RabbitMQ (opt-in, not in CI).

Runs the same pika scenarios against a real broker on loopback and against the
kit's (a RabbitMQ broker made through boto3, reached over amqps://), and
reports every scenario where what the client sees differs: reply codes and
texts, redelivered flags, ``x-death`` headers (without their timestamps),
message order, counts. Time-driven scenarios wait in real time against the
real broker and advance the cloud's clock against the kit.

Setup, once (Debian): ``apt-get install rabbitmq-server`` (3.10), then start it
on loopback: ``RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 rabbitmq-server``.
Run: ``python benchmarks/differential/amqp_vs_rabbitmq.py [--url amqp://guest:guest@127.0.0.1:5672/] [-v]``;
exit status 1 when they disagree.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import ssl
import struct
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import boto3
import pika
import pika.exceptions
from pamqp import body as pamqp_body
from pamqp import commands
from pamqp import frame as pamqp_frame

from pytest_awsmsg import fake_aws
from pytest_awsmsg.services.mq.amqp.framing import PROTOCOL_HEADER

Connect = Callable[..., pika.BlockingConnection]
Wait = Callable[[float], None]
Scenario = Callable[[Connect, Wait], list[Any]]

# Where the kit differs on purpose: reported, not counted.
KNOWN: dict[str, str] = {
    "unknown_method": "RabbitMQ 3.10 says nothing to a method of an unknown class; the kit closes with 503",
    "handshake_refusals": "RabbitMQ 3.10 falls silent on these handshake errors; the kit closes with a reason",
    "server_properties": "the kit reports the broker's engine version (3.13 on Amazon MQ), not the local 3.10",
}

SCENARIOS: dict[str, Scenario] = {}


def scenario(function: Scenario) -> Scenario:
    SCENARIOS[function.__name__] = function
    return function


def error(call: Callable[..., object], *args: Any, **kwargs: Any) -> Any:
    """What the broker answered: ``ok``, or (scope, code, text) of the channel or connection it closed."""
    try:
        call(*args, **kwargs)
    except pika.exceptions.ChannelClosedByBroker as closed:
        return ("channel", closed.reply_code, closed.reply_text)
    except pika.exceptions.ConnectionClosedByBroker as closed:
        return ("connection", closed.reply_code, closed.reply_text)
    except pika.exceptions.AMQPError as other:
        return (type(other).__name__, str(other))
    return "ok"


def fresh(connect: Connect, *queues: str, exchanges: tuple[str, ...] = ()) -> Any:
    """A channel, with what the scenario names deleted first (the real broker keeps state between runs)."""
    connection = connect()
    channel = connection.channel()
    for queue in queues:
        channel.queue_delete(queue)
    for exchange in exchanges:
        channel.exchange_delete(exchange)
    return channel


def deaths(properties: Any) -> list[dict[str, Any]]:
    """``x-death`` without timestamps (they are when it happened, here or there)."""
    return [{k: v for k, v in d.items() if k != "time"} for d in (properties.headers or {}).get("x-death", [])]


def header_names(properties: Any) -> list[str]:
    return sorted((properties.headers or {}).keys())


# -- scenarios -------------------------------------------------------------------------------------


@scenario
def server_properties(connect: Connect, wait: Wait) -> list[Any]:
    impl = connect()._impl
    props = impl.server_properties
    return [
        sorted(props),
        sorted(props["capabilities"].items()),
        impl.params.frame_max,
        impl.params.channel_max,
        impl.params.heartbeat,
        props["version"],
    ]


@scenario
def not_found_texts(connect: Connect, wait: Wait) -> list[Any]:
    out = []
    for call in (
        lambda ch: ch.queue_declare("diff-missing", passive=True),
        lambda ch: ch.exchange_declare("diff-missing", passive=True),
        lambda ch: ch.queue_bind("diff-missing", "amq.direct"),
        lambda ch: ch.basic_get("diff-missing"),
        lambda ch: ch.basic_consume("diff-missing", lambda *a: None),
        lambda ch: ch.queue_purge("diff-missing"),
    ):
        channel = fresh(connect, "diff-missing")
        out.append(error(call, channel))
    channel = fresh(connect, "diff-q")
    channel.queue_declare("diff-q")
    out.append(error(lambda: channel.queue_bind("diff-q", "diff-missing-x")))
    channel = fresh(connect)
    channel.basic_publish("diff-missing-x", "k", b"x")
    out.append(error(lambda: channel.basic_get("amq.gen-none")))
    return out


@scenario
def inequivalent_declares(connect: Connect, wait: Wait) -> list[Any]:
    out = []
    channel = fresh(connect, "diff-q", exchanges=("diff-x",))
    channel.exchange_declare("diff-x", "direct")
    out.append(error(lambda: channel.exchange_declare("diff-x", "fanout")))
    channel = fresh(connect)
    out.append(error(lambda: channel.exchange_declare("diff-x", "direct", durable=True)))
    channel = fresh(connect)
    channel.queue_declare("diff-q", durable=True)
    out.append(error(lambda: channel.queue_declare("diff-q")))
    channel = fresh(connect)
    out.append(error(lambda: channel.queue_declare("diff-q", durable=True, auto_delete=True)))
    channel = fresh(connect, "diff-ttl")
    channel.queue_declare("diff-ttl", arguments={"x-message-ttl": 1000})
    out.append(error(lambda: channel.queue_declare("diff-ttl", arguments={"x-message-ttl": 2000})))
    channel = fresh(connect)
    out.append(error(lambda: channel.queue_declare("diff-ttl")))
    channel = fresh(connect)
    out.append(error(lambda: channel.queue_declare("diff-ttl", arguments={"x-message-ttl": 1000, "x-expires": 5000})))
    return out


@scenario
def reserved_names_and_default_exchange(connect: Connect, wait: Wait) -> list[Any]:
    out = []
    for call in (
        lambda ch: ch.exchange_declare("amq.diff", "direct"),
        lambda ch: ch.exchange_declare("amq.direct", "direct", durable=True),
        lambda ch: ch.exchange_declare("amq.direct", passive=True),
        lambda ch: ch.exchange_declare("amq.direct", "fanout", durable=True),
        lambda ch: ch.queue_declare("amq.diff"),
        lambda ch: ch.queue_bind("diff-q", ""),
        lambda ch: ch.exchange_delete("amq.direct"),
        lambda ch: ch.exchange_delete(""),
        lambda ch: ch.exchange_declare("diff-x", "nonsense"),
        lambda ch: ch.exchange_delete("diff-never"),
        lambda ch: ch.queue_delete("diff-never"),
    ):
        channel = fresh(connect)
        channel.queue_declare("diff-q")
        out.append(error(call, channel))
    return out


@scenario
def queue_arguments(connect: Connect, wait: Wait) -> list[Any]:
    out = []
    for name, durable, exclusive, arguments in (
        ("diff-quorum", True, False, {"x-queue-type": "quorum"}),
        ("diff-quorum-transient", False, False, {"x-queue-type": "quorum"}),
        ("diff-quorum-exclusive", True, True, {"x-queue-type": "quorum"}),
        ("diff-bad-type", True, False, {"x-queue-type": "nonsense"}),
        ("diff-neg-ttl", False, False, {"x-message-ttl": -1}),
        ("diff-zero-expires", False, False, {"x-expires": 0}),
        ("diff-str-ttl", False, False, {"x-message-ttl": "soon"}),
        ("diff-overflow", False, False, {"x-overflow": "nonsense"}),
        ("diff-dlrk", False, False, {"x-dead-letter-routing-key": "k"}),
        ("diff-dlx-type", False, False, {"x-dead-letter-exchange": 123}),
        ("diff-len-type", False, False, {"x-max-length": "abc"}),
        ("diff-type-type", True, False, {"x-queue-type": 5}),
        ("diff-stream", True, False, {"x-queue-type": "stream"}),
        ("diff-quorum-auto", True, False, {"x-queue-type": "quorum", "x-expires": 1000}),
    ):
        channel = fresh(connect, name)
        out.append(error(channel.queue_declare, name, durable=durable, exclusive=exclusive, arguments=arguments))
    return out


@scenario
def delete_conditions_and_exclusivity(connect: Connect, wait: Wait) -> list[Any]:
    out = []
    channel = fresh(connect, "diff-q", "diff-excl")
    channel.queue_declare("diff-q")
    channel.basic_publish("", "diff-q", b"x")
    channel.queue_declare("diff-q", passive=True)
    out.append(error(lambda: channel.queue_delete("diff-q", if_empty=True)))
    channel = fresh(connect)
    channel.queue_purge("diff-q")
    channel.basic_consume("diff-q", lambda *a: None)
    other = connect().channel()
    out.append(error(lambda: other.queue_delete("diff-q", if_unused=True)))
    owner = connect().channel()
    owner.queue_declare("diff-excl", exclusive=True)
    stranger = connect().channel()
    out.append(error(lambda: stranger.queue_declare("diff-excl")))
    stranger = connect().channel()
    out.append(error(lambda: stranger.basic_get("diff-excl")))
    stranger = connect().channel()
    out.append(error(lambda: stranger.queue_delete("diff-excl")))
    return out


@scenario
def protocol_misuse(connect: Connect, wait: Wait) -> list[Any]:
    out = []
    channel = fresh(connect, "diff-q")
    channel.queue_declare("diff-q")
    channel.basic_ack(42)
    out.append(error(lambda: channel.queue_declare("diff-q", passive=True)))
    channel = fresh(connect)
    out.append(error(lambda: channel.flow(False)))
    channel = fresh(connect)
    out.append(error(lambda: channel.basic_qos(prefetch_size=10)))
    channel = fresh(connect)
    channel.basic_consume("diff-q", lambda *a: None, consumer_tag="same")
    out.append(error(lambda: channel.basic_consume("diff-q", lambda *a: None, consumer_tag="same")))
    channel = fresh(connect)
    out.append(error(lambda: channel.tx_commit()))
    channel = fresh(connect)
    channel.confirm_delivery()
    out.append(error(lambda: channel.tx_select()))
    channel = fresh(connect)
    channel.basic_publish("", "diff-q", b"x", pika.BasicProperties(expiration="soon"))
    out.append(error(lambda: channel.queue_declare("diff-q", passive=True)))
    channel = fresh(connect)
    channel.basic_publish("", "diff-q", b"x", pika.BasicProperties(expiration="-5"))
    out.append(error(lambda: channel.queue_declare("diff-q", passive=True)))
    channel = fresh(connect)
    channel.basic_publish("", "diff-q", b"x", pika.BasicProperties(user_id="someone-else"))
    out.append(error(lambda: channel.queue_declare("diff-q", passive=True)))
    return out


@scenario
def returns_confirms_and_get(connect: Connect, wait: Wait) -> list[Any]:
    out: list[Any] = []
    channel = fresh(connect, "diff-q", "diff-small")
    channel.confirm_delivery()
    try:
        channel.basic_publish("amq.direct", "nobody", b"lost", mandatory=True)
    except pika.exceptions.UnroutableError as returned:
        (message,) = returned.messages
        out.append((message.method.reply_code, message.method.reply_text, message.method.exchange, message.body))
    channel.queue_declare("diff-small", arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    channel.basic_publish("", "diff-small", b"1")
    out.append(error(lambda: channel.basic_publish("", "diff-small", b"2")))
    channel.queue_declare("diff-q")
    for n in range(3):
        channel.basic_publish("", "diff-q", str(n).encode(), pika.BasicProperties(headers={"n": n}))
    method, properties, body = channel.basic_get("diff-q")
    out.append((method.delivery_tag, method.redelivered, method.message_count, body, properties.headers))
    channel.basic_nack(method.delivery_tag, requeue=True)
    gets = []
    for _ in range(4):
        method, _, body = channel.basic_get("diff-q", auto_ack=True)
        gets.append(None if method is None else (body, method.redelivered, method.message_count))
    out.append(gets)
    return out


@scenario
def dead_letter_on_reject(connect: Connect, wait: Wait) -> list[Any]:
    channel = fresh(connect, "diff-jobs", "diff-dead", exchanges=("diff-dlx", "diff-orders"))
    channel.exchange_declare("diff-dlx", "fanout")
    channel.exchange_declare("diff-orders", "direct")
    channel.queue_declare("diff-dead")
    channel.queue_bind("diff-dead", "diff-dlx")
    channel.queue_declare("diff-jobs", arguments={"x-dead-letter-exchange": "diff-dlx"})
    channel.queue_bind("diff-jobs", "diff-orders", "created")
    channel.confirm_delivery()
    channel.basic_publish(
        "diff-orders", "created", b"bad", pika.BasicProperties(headers={"trace": "t"}, expiration="60000")
    )
    out: list[Any] = []
    for requeue_first in (True, False):
        method = channel.basic_get("diff-jobs")[0]
        channel.basic_reject(method.delivery_tag, requeue=requeue_first)
    wait(0.3)  # RabbitMQ dead-letters asynchronously
    method, properties, body = channel.basic_get("diff-dead", auto_ack=True)
    out.append((method.exchange, method.routing_key, method.redelivered, body, properties.expiration))
    out.append(deaths(properties))
    out.append(header_names(properties))
    out.append({k: v for k, v in properties.headers.items() if k.startswith(("x-first", "x-last"))})
    # A second death in the same queue for the same reason counts up.
    channel.queue_bind("diff-jobs", "diff-dlx")
    channel.queue_unbind("diff-dead", "diff-dlx")
    channel.basic_publish("diff-orders", "created", b"again")
    method = channel.basic_get("diff-jobs")[0]
    channel.basic_reject(method.delivery_tag, requeue=False)
    wait(0.3)
    method, properties, body = channel.basic_get("diff-jobs")
    out.append(deaths(properties))
    channel.basic_reject(method.delivery_tag, requeue=False)
    wait(0.3)
    method, properties, body = channel.basic_get("diff-jobs", auto_ack=True)
    out.append(deaths(properties))
    return out


@scenario
def ttl_and_max_length(connect: Connect, wait: Wait) -> list[Any]:
    channel = fresh(connect, "diff-delay", "diff-work", "diff-head", "diff-recent", "diff-dead")
    channel.queue_declare("diff-work")
    channel.queue_declare("diff-dead")
    channel.queue_declare(
        "diff-delay",
        arguments={"x-message-ttl": 300, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "diff-work"},
    )
    channel.queue_declare(
        "diff-head", arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": "diff-dead"}
    )
    channel.queue_declare(
        "diff-recent",
        arguments={"x-max-length": 2, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": "diff-dead"},
    )
    channel.confirm_delivery()
    channel.basic_publish("", "diff-delay", b"later", pika.BasicProperties(expiration="200"))
    channel.basic_publish("", "diff-head", b"long", pika.BasicProperties(expiration="5000"))
    channel.basic_publish("", "diff-head", b"short", pika.BasicProperties(expiration="100"))
    for n in range(3):
        channel.basic_publish("", "diff-recent", str(n).encode())
    wait(1.0)
    out: list[Any] = []
    method, properties, body = channel.basic_get("diff-work", auto_ack=True)
    out.append(None if method is None else (body, properties.expiration, deaths(properties)))
    out.append(channel.queue_declare("diff-head", passive=True).method.message_count)
    method, properties, body = channel.basic_get("diff-dead", auto_ack=True)
    out.append(None if method is None else (body, deaths(properties)))
    out.append([channel.basic_get("diff-recent", auto_ack=True)[2] for _ in range(3)])
    return out


@scenario
def consumers_prefetch_and_requeue_on_close(connect: Connect, wait: Wait) -> list[Any]:
    connection = connect()
    channel = connection.channel()
    channel.queue_delete("diff-work")
    channel.queue_declare("diff-work")
    channel.confirm_delivery()
    for n in range(5):
        channel.basic_publish("", "diff-work", str(n).encode())
    consumer = connection.channel()
    consumer.basic_qos(prefetch_count=2)
    got: list[Any] = []
    consumer.basic_consume(
        "diff-work",
        lambda ch, m, p, b: got.append((m.consumer_tag, m.delivery_tag, m.redelivered, b)),
        consumer_tag="c1",
    )
    deadline = time.monotonic() + 2
    while len(got) < 2 and time.monotonic() < deadline:
        connection.process_data_events(time_limit=0.05)
    connection.process_data_events(time_limit=0.2)
    out: list[Any] = [list(got)]
    consumer.close()
    again = connection.channel()
    out.append([(again.basic_get("diff-work", auto_ack=True)[0].redelivered) for _ in range(5)])
    return out


# -- raw frames: what a broken client gets -----------------------------------------------------------

RawOpen = Callable[[], socket.socket]
RAW_SCENARIOS: dict[str, Callable[[RawOpen, str, str], list[Any]]] = {}


def raw_scenario(function: Callable[[RawOpen, str, str], list[Any]]) -> Callable[[RawOpen, str, str], list[Any]]:
    RAW_SCENARIOS[function.__name__] = function
    return function


def frames(sock: socket.socket, data: bytes = b"") -> list[Any]:
    """Send ``data``, then read frames until the broker hangs up or falls silent (bounded real wait)."""
    if data:
        with contextlib.suppress(OSError):  # the broker may hang up before it has read everything
            sock.sendall(data)
    out: list[Any] = []
    buffer = b""
    sock.settimeout(1.5)
    while True:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError):
            chunk = b""
        if not chunk:
            # RabbitMQ may keep the socket open a while after Close-Ok, the kit hangs up: the client hears no more.
            out.append("end")
            return out
        buffer += chunk
        while buffer:
            if buffer.startswith(b"AMQP"):
                out.append(("header", buffer[:8]))
                buffer = buffer[8:]
                continue
            try:
                used, _, value = pamqp_frame.unmarshal(buffer)
            except Exception:
                break
            buffer = buffer[used:]
            if isinstance(value, commands.Connection.Close | commands.Channel.Close):
                out.append((value.name, value.reply_code, value.reply_text, value.class_id, value.method_id))
                if isinstance(value, commands.Connection.Close):
                    with contextlib.suppress(OSError):
                        sock.sendall(pamqp_frame.marshal(commands.Connection.CloseOk(), 0))
            elif value.name not in ("Connection.Start", "Connection.Tune", "Connection.OpenOk", "Channel.OpenOk"):
                out.append(value.name)


def handshake(sock: socket.socket, user: str, password: str, channel: bool = True) -> None:
    sock.settimeout(5)
    sock.sendall(PROTOCOL_HEADER)
    _read_until(sock, commands.Connection.Start)
    sock.sendall(pamqp_frame.marshal(commands.Connection.StartOk({}, "PLAIN", f"\0{user}\0{password}"), 0))
    _read_until(sock, commands.Connection.Tune)
    sock.sendall(pamqp_frame.marshal(commands.Connection.TuneOk(2047, 131072, 0), 0))
    sock.sendall(pamqp_frame.marshal(commands.Connection.Open("/"), 0))
    _read_until(sock, commands.Connection.OpenOk)
    if channel:
        sock.sendall(pamqp_frame.marshal(commands.Channel.Open(), 1))
        _read_until(sock, commands.Channel.OpenOk)


def _read_until(sock: socket.socket, kind: type) -> None:
    buffer = b""
    while True:
        buffer += sock.recv(65536)
        while len(buffer) >= 8:
            used, _, value = pamqp_frame.unmarshal(buffer)
            buffer = buffer[used:]
            if isinstance(value, kind):
                return


@raw_scenario
def malformed_frames(open_socket: RawOpen, user: str, password: str) -> list[Any]:
    cases = {
        "bad frame end": struct.pack(">BHI", 1, 1, 4) + b"\x00\x0a\x00\x0b" + b"\x00",
        "unknown frame type": struct.pack(">BHI", 9, 1, 0) + b"\xce",
        "truncated arguments": struct.pack(">BHI", 1, 1, 6) + b"\x00\x32\x00\x0a\x00\x00" + b"\xce",
        "frame too large": struct.pack(">BHI", 3, 1, 200_000) + b"x" * 200_000 + b"\xce",
        "body without publish": pamqp_frame.marshal(pamqp_body.ContentBody(b"x"), 1),
        "method inside content": pamqp_frame.marshal(commands.Basic.Publish(exchange="", routing_key="q"), 1)
        + pamqp_frame.marshal(commands.Basic.Qos(prefetch_count=1), 1),
        "second channel open": pamqp_frame.marshal(commands.Channel.Open(), 1),
        "unopened channel": pamqp_frame.marshal(commands.Queue.Declare(queue="q"), 2),
        "heartbeat on a channel": struct.pack(">BHI", 8, 1, 0) + b"\xce",
        "connection method on a channel": pamqp_frame.marshal(commands.Connection.Open("/"), 1),
        "channel method on channel 0": pamqp_frame.marshal(commands.Queue.Declare(queue="q"), 0),
    }
    out = []
    for name, data in cases.items():
        sock = open_socket()
        handshake(sock, user, password)
        out.append((name, frames(sock, data)))
        sock.close()
    return out


@raw_scenario
def unknown_method(open_socket: RawOpen, user: str, password: str) -> list[Any]:
    sock = open_socket()
    handshake(sock, user, password)
    return [frames(sock, struct.pack(">BHI", 1, 1, 4) + b"\x00\x63\x00\x01" + b"\xce")]


@raw_scenario
def handshake_misuse(open_socket: RawOpen, user: str, password: str) -> list[Any]:
    out = []
    sock = open_socket()
    out.append(("AMQP 1.0 header", frames(sock, b"AMQP\x00\x01\x00\x00")))
    sock = open_socket()
    out.append(("HTTP", frames(sock, b"GET / HTTP/1.1\r\n\r\n")))
    sock = open_socket()
    sock.sendall(PROTOCOL_HEADER)
    _read_until(sock, commands.Connection.Start)
    out.append(
        (
            "wrong password, no capability",
            frames(sock, pamqp_frame.marshal(commands.Connection.StartOk({}, "PLAIN", f"\0{user}\0wrong"), 0)),
        )
    )
    sock = open_socket()
    sock.sendall(PROTOCOL_HEADER)
    _read_until(sock, commands.Connection.Start)
    capable: dict[str, Any] = {"capabilities": {"authentication_failure_close": True}}
    out.append(
        (
            "wrong password",
            frames(sock, pamqp_frame.marshal(commands.Connection.StartOk(capable, "PLAIN", f"\0{user}\0wrong"), 0)),
        )
    )
    sock = open_socket()
    handshake(sock, user, password, channel=False)
    out.append(("heartbeat", frames(sock, struct.pack(">BHI", 8, 0, 0) + b"\xce")))
    return out


@raw_scenario
def handshake_refusals(open_socket: RawOpen, user: str, password: str) -> list[Any]:
    out = []
    capable: dict[str, Any] = {"capabilities": {"authentication_failure_close": True}}
    sock = open_socket()
    sock.sendall(PROTOCOL_HEADER)
    _read_until(sock, commands.Connection.Start)
    out.append(
        (
            "unknown mechanism",
            frames(sock, pamqp_frame.marshal(commands.Connection.StartOk(capable, "EXTERNAL", ""), 0)),
        )
    )
    sock = open_socket()
    sock.sendall(PROTOCOL_HEADER)
    _read_until(sock, commands.Connection.Start)
    out.append(("channel before login", frames(sock, pamqp_frame.marshal(commands.Channel.Open(), 1))))
    sock = open_socket()
    sock.sendall(PROTOCOL_HEADER)
    _read_until(sock, commands.Connection.Start)
    sock.sendall(pamqp_frame.marshal(commands.Connection.StartOk(capable, "PLAIN", f"\0{user}\0{password}"), 0))
    _read_until(sock, commands.Connection.Tune)
    out.append(("tiny frame_max", frames(sock, pamqp_frame.marshal(commands.Connection.TuneOk(2047, 1024, 0), 0))))
    return out


# -- running ------------------------------------------------------------------------------------------


def normalise(value: Any) -> Any:
    """JSON-like values; the logged-in user's name (each broker has its own) as <user>."""
    if isinstance(value, str):
        return value.replace("'guest'", "'<user>'").replace("'app'", "'<user>'")
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, datetime):
        return "<time>"
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


_NAMES = [
    "diff-bad-type",
    "diff-dead",
    "diff-delay",
    "diff-dlrk",
    "diff-dlx",
    "diff-excl",
    "diff-head",
    "diff-jobs",
    "diff-missing",
    "diff-missing-x",
    "diff-neg-ttl",
    "diff-never",
    "diff-orders",
    "diff-overflow",
    "diff-q",
    "diff-quorum",
    "diff-quorum-exclusive",
    "diff-quorum-transient",
    "diff-recent",
    "diff-small",
    "diff-str-ttl",
    "diff-ttl",
    "diff-work",
    "diff-x",
    "diff-zero-expires",
]


def run_real(url: str) -> dict[str, Any]:
    parameters = pika.URLParameters(url)
    opened: list[pika.BlockingConnection] = []

    def connect() -> pika.BlockingConnection:
        connection = pika.BlockingConnection(parameters)
        opened.append(connection)
        return connection

    results = {}
    for name, function in SCENARIOS.items():
        cleanup = connect().channel()  # the real broker keeps what earlier runs and scenarios made
        for leftover in _NAMES:
            cleanup.queue_delete(leftover)
            cleanup.exchange_delete(leftover)
        try:
            results[name] = normalise(function(connect, time.sleep))
        finally:
            for connection in opened:
                if connection.is_open:
                    with contextlib.suppress(pika.exceptions.AMQPError):
                        connection.close()
            opened.clear()

    def open_socket() -> socket.socket:
        return socket.create_connection((parameters.host, parameters.port), timeout=5)

    user, password = parameters.credentials.username, parameters.credentials.password
    for name, raw in RAW_SCENARIOS.items():
        results[name] = normalise(raw(open_socket, user, password))
    return results


def run_kit() -> dict[str, Any]:
    results = {}
    for name in [*SCENARIOS, *RAW_SCENARIOS]:
        with fake_aws() as aws:
            aws.mq.set_durations(create=0)
            mq = boto3.client("mq", region_name="us-east-1")
            broker = mq.create_broker(
                BrokerName="diff",
                EngineType="RABBITMQ",
                EngineVersion="3.13",
                AutoMinorVersionUpgrade=True,
                DeploymentMode="SINGLE_INSTANCE",
                HostInstanceType="mq.m5.large",
                PubliclyAccessible=False,
                Users=[{"Username": "app", "Password": "app-password-1"}],
            )["BrokerId"]
            endpoint = urlsplit(mq.describe_broker(BrokerId=broker)["BrokerInstances"][0]["Endpoints"][0])
            host, port = endpoint.hostname, endpoint.port
            assert host is not None
            assert port is not None
            opened: list[pika.BlockingConnection] = []

            def connect(
                host: str = host, port: int = port, opened: list[pika.BlockingConnection] = opened
            ) -> pika.BlockingConnection:
                connection = pika.BlockingConnection(
                    pika.ConnectionParameters(
                        host=host,
                        port=port,
                        credentials=pika.PlainCredentials("app", "app-password-1"),
                        ssl_options=pika.SSLOptions(ssl.create_default_context(), host),
                    )
                )
                opened.append(connection)
                return connection

            def wait(seconds: float) -> None:
                aws.clock.advance(seconds=seconds)

            def open_socket(host: str = host, port: int = port) -> socket.socket:
                raw = socket.create_connection((host, port), timeout=5)
                return ssl.create_default_context().wrap_socket(raw, server_hostname=host)

            try:
                if name in RAW_SCENARIOS:
                    results[name] = normalise(RAW_SCENARIOS[name](open_socket, "app", "app-password-1"))
                else:
                    results[name] = normalise(SCENARIOS[name](connect, wait))
            finally:
                for connection in opened:
                    if connection.is_open:
                        with contextlib.suppress(pika.exceptions.AMQPError):
                            connection.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every scenario's answers")
    parser.add_argument("-k", dest="only", default="", help="only scenarios whose name contains this")
    args = parser.parse_args()
    for table in (SCENARIOS, RAW_SCENARIOS):
        for name in [n for n in table if args.only not in n]:
            del table[name]
    real, kit = run_real(args.url), run_kit()
    differ = 0
    names = [*SCENARIOS, *RAW_SCENARIOS]
    for name in names:
        same = real[name] == kit[name]
        known = KNOWN.get(name)
        label = "same" if same else ("known" if known else "DIFFERS")
        print(f"{label:8} {name}")
        if not same or args.verbose:
            for index, (mine, theirs) in enumerate(zip(kit[name], real[name], strict=False)):
                if mine != theirs or args.verbose:
                    print(f"    [{index}] rabbitmq: {theirs!r}")
                    print(f"    [{index}] kit:      {mine!r}")
            if known:
                print(f"    ({known})")
        differ += not same and not known
    print(f"{len(names) - differ}/{len(names)} scenarios agree")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
