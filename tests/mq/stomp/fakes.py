"""A STOMP session without sockets: a fake transport and link around a broker made through boto3."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.registry import service_model
from pytest_awsmsg.services.mq.models import Broker
from pytest_awsmsg.services.mq.stomp import ActiveMqState, StompSession
from pytest_awsmsg.services.mq.stomp.frames import Decoder, Frame

USER, PASSWORD = "admin", "correct-horse-battery"
_REQUIRED = service_model("mq").operation_model("CreateBroker").input_shape.required_members


def make_broker(aws: Cloud, name: str = "orders", **overrides: Any) -> Broker:
    """A RUNNING ActiveMQ broker created through boto3; its model object."""
    aws.mq.set_durations(create=0)
    mq = boto3.client("mq", region_name="us-east-1")
    defaults = {"AutoMinorVersionUpgrade": True}
    params: dict[str, Any] = {
        "BrokerName": name,
        "DeploymentMode": "SINGLE_INSTANCE",
        "EngineType": "ACTIVEMQ",
        "EngineVersion": "5.18",
        "HostInstanceType": "mq.t3.micro",
        "PubliclyAccessible": False,
        "Users": [{"Username": USER, "Password": PASSWORD}],
        **{m: v for m, v in defaults.items() if m in _REQUIRED},
        **overrides,
    }
    broker_id = mq.create_broker(**params)["BrokerId"]
    aws.clock.advance(1)
    for store in aws.service("mq").stores().values():
        if broker_id in store.brokers:
            found: Broker = store.brokers[broker_id]
            return found
    raise AssertionError("the broker is not in any store")


@dataclass
class FakeTransport:
    peer: str = "127.0.0.1:40000"
    out: bytearray = field(default_factory=bytearray)
    closed: bool = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.out += data

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeLink:
    broker: Broker
    instance: int | None
    cloud: Cloud
    state: Any
    lines: list[str] = field(default_factory=list)

    def authenticate(self, username: str, password: str) -> bool:
        user = self.broker.users.get(username)
        return user is not None and user.password == password

    def record(self, summary: str) -> None:
        self.lines.append(summary)


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
