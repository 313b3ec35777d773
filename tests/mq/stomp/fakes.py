"""A STOMP session without sockets: a fake transport and link around a broker made through boto3."""

from __future__ import annotations

from typing import Any

from pytest_awsmsg import Cloud
from pytest_awsmsg.services.mq.models import Broker
from pytest_awsmsg.services.mq.stomp import ActiveMqState, StompSession
from pytest_awsmsg.services.mq.stomp.frames import Decoder, Frame

from ..brokers import PASSWORD, USER, FakeLink, FakeTransport, model_of, running_broker

__all__ = ["PASSWORD", "USER", "Amq", "Client", "make_broker"]


def make_broker(aws: Cloud, name: str = "orders", **overrides: Any) -> Broker:
    """A RUNNING ActiveMQ 5.18 broker created through boto3; its model object."""
    described = running_broker(aws, "ACTIVEMQ", name=name, **{"EngineVersion": "5.18", **overrides})
    return model_of(aws, described["BrokerId"])


class Client:
    """One connection: send raw bytes or frames, read back the frames the broker wrote."""

    def __init__(self, aws: Cloud, broker: Broker, state: ActiveMqState, peer: str = "127.0.0.1:40000") -> None:
        self.transport = FakeTransport(peer)
        self.link = FakeLink(broker, 1, aws, state)
        self.session = StompSession(self.link, self.transport)
        self._decoder = Decoder()
        self._decoder.version = "1.2"

    def raw(self, data: bytes) -> list[Frame]:
        self.session.data_received(data)
        return self.frames()

    def send(self, command: str, body: bytes | str = b"", **headers: str) -> list[Frame]:
        head = "".join(f"{k}:{v}\n" for k, v in headers.items())
        data = body.encode() if isinstance(body, str) else body
        return self.raw(f"{command}\n{head}\n".encode() + data + b"\0")

    def connect(self, version: str = "1.2", **headers: str) -> Frame:
        frames = self.send(
            "CONNECT", **{"accept-version": version, "host": "/", "login": USER, "passcode": PASSWORD, **headers}
        )
        assert [f.command for f in frames] == ["CONNECTED"], frames
        self._decoder.version = version
        return frames[0]

    def frames(self) -> list[Frame]:
        assert not self.transport.late, "written after close"
        data = bytes(self.transport.out)
        self.transport.out.clear()
        return self._decoder.feed(data)

    def lose(self) -> None:
        self.session.connection_lost()


class Amq:
    """A broker's engine state and clients connected to it."""

    def __init__(self, aws: Cloud, **overrides: Any) -> None:
        self.aws = aws
        self.broker = make_broker(aws, **overrides)
        self.state = ActiveMqState(self.broker, aws)
        self._peers = 0

    def client(self, version: str = "1.2", **headers: str) -> Client:
        self._peers += 1
        client = Client(self.aws, self.broker, self.state, f"127.0.0.1:{40000 + self._peers}")
        client.connect(version, **headers)
        return client
