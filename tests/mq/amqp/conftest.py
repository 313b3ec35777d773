"""RabbitMQ brokers made through boto3, reached with real clients (pika) or a raw AMQP socket."""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pika
import pika.exceptions
import pytest
from pamqp import commands, frame, header

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.mq.amqp.framing import PROTOCOL_HEADER

from ..brokers import PASSWORD, USER, endpoint, running_broker

Address = tuple[str, int]


@pytest.fixture
def address(aws: Cloud) -> Address:
    """The ``amqps`` endpoint DescribeBroker lists for a running RabbitMQ broker named ``events``."""
    return endpoint(running_broker(aws, "RABBITMQ", name="events"), "amqps")


def parameters(address: Address, user: str = USER, password: str = PASSWORD, **extra: Any) -> pika.ConnectionParameters:
    host, port = address
    return pika.ConnectionParameters(
        host=host,
        port=port,
        credentials=pika.PlainCredentials(user, password),
        ssl_options=pika.SSLOptions(ssl.create_default_context(), host),
        socket_timeout=5,
        blocked_connection_timeout=5,
        connection_attempts=1,
        **extra,
    )


@pytest.fixture
def connect(address: Address) -> Iterator[Callable[..., pika.BlockingConnection]]:
    """Open pika BlockingConnections to the broker; whatever is still open is closed at the end."""
    opened: list[pika.BlockingConnection] = []

    def open_one(**extra: Any) -> pika.BlockingConnection:
        connection = pika.BlockingConnection(parameters(address, **extra))
        opened.append(connection)
        return connection

    yield open_one
    for connection in opened:
        if connection.is_open:
            with contextlib.suppress(pika.exceptions.AMQPError):  # the broker may have dropped it (reboot)
                connection.close()


@pytest.fixture
def channel(connect: Callable[..., pika.BlockingConnection]) -> Any:
    return connect().channel()


class RawClient:
    """AMQP by hand over TLS, for what a well-behaved client never sends."""

    def __init__(self, address: Address) -> None:
        raw = socket.create_connection(address, timeout=5)
        self.sock = ssl.create_default_context().wrap_socket(raw, server_hostname=address[0])
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_method(self, channel: int, method: Any) -> None:
        self.send(frame.marshal(method, channel))

    def read(self) -> tuple[int, Any] | None:
        """The next frame from the broker, or None once it hung up."""
        while True:
            if len(self.buffer) >= 8:
                try:
                    used, channel, value = frame.unmarshal(self.buffer)
                except Exception:
                    used = 0
                if used:
                    self.buffer = self.buffer[used:]
                    return channel, value
            try:
                data = self.sock.recv(65536)
            except (ConnectionError, ssl.SSLError):
                data = b""
            if not data:
                if self.buffer:
                    rest, self.buffer = self.buffer, b""
                    return -1, rest
                return None
            self.buffer += data

    def expect(self, kind: type) -> Any:
        found = self.read()
        assert found is not None, f"the broker hung up; expected {kind.__name__}"
        assert isinstance(found[1], kind), found
        return found[1]

    def handshake(self, user: str = USER, password: str = PASSWORD, heartbeat: int = 0) -> None:
        self.send(PROTOCOL_HEADER)
        self.expect(commands.Connection.Start)
        self.send_method(0, commands.Connection.StartOk({}, "PLAIN", f"\0{user}\0{password}"))
        tune = self.expect(commands.Connection.Tune)
        self.send_method(0, commands.Connection.TuneOk(tune.channel_max, tune.frame_max, heartbeat))
        self.send_method(0, commands.Connection.Open("/"))
        self.expect(commands.Connection.OpenOk)

    def hung_up(self) -> bool:
        while (found := self.read()) is not None:
            if found[0] == -1:
                return False
        return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(address: Address) -> Iterator[RawClient]:
    client = RawClient(address)
    yield client
    client.close()


def content_header(size: int, **properties: Any) -> header.ContentHeader:
    return header.ContentHeader(0, size, commands.Basic.Properties(**properties))
