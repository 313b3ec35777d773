"""Running brokers for data-plane tests: made through boto3, reached at the endpoints AWS lists,
or driven sans-IO through a fake transport and link (engine and fuzz tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.registry import service_model
from pytest_awsmsg.services.mq.models import Broker

USER = "admin"
PASSWORD = "correct-horse-battery"

# Older botocore models (1.34.89) require what Amazon MQ now defaults.
_REQUIRED = service_model("mq").operation_model("CreateBroker").input_shape.required_members


def running_broker(
    aws: Cloud,
    engine: str = "ACTIVEMQ",
    *,
    name: str = "orders",
    mode: str = "SINGLE_INSTANCE",
    region: str = "us-east-1",
    users: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Create a broker through boto3, let its creation take its (virtual) time; DescribeBroker's answer.

    ``overrides`` are more CreateBroker members (``EngineVersion``, ``Configuration``...).
    """
    mq = boto3.client("mq", region_name=region)
    defaults = {"EngineVersion": "5.18" if engine == "ACTIVEMQ" else "3.13", "AutoMinorVersionUpgrade": True}
    broker_id = mq.create_broker(
        BrokerName=name,
        DeploymentMode=mode,
        EngineType=engine,
        HostInstanceType="mq.t3.micro" if mode == "SINGLE_INSTANCE" else "mq.m5.large",
        PubliclyAccessible=False,
        Users=users or [{"Username": USER, "Password": PASSWORD, "ConsoleAccess": True}],
        **{**{member: value for member, value in defaults.items() if member in _REQUIRED}, **overrides},
    )["BrokerId"]
    aws.clock.advance(minutes=20)
    described: dict[str, Any] = mq.describe_broker(BrokerId=broker_id)
    assert described["BrokerState"] == "RUNNING"
    return described


def endpoint(described: dict[str, Any], scheme: str, instance: int = 0) -> tuple[str, int]:
    """(host, port) of the endpoint with this scheme (``stomp+ssl``, ``amqps``) of one broker instance."""
    for url in described["BrokerInstances"][instance]["Endpoints"]:
        parts = urlsplit(url)
        if parts.scheme == scheme:
            assert parts.hostname is not None
            assert parts.port is not None
            return parts.hostname, parts.port
    raise AssertionError(f"no {scheme} endpoint in {described['BrokerInstances'][instance]['Endpoints']}")


def model_of(aws: Cloud, broker_id: str) -> Broker:
    """The kit's model object of a broker, for engine states built by hand."""
    for store in aws.service("mq").stores().values():
        if broker_id in store.brokers:
            found: Broker = store.brokers[broker_id]
            return found
    raise AssertionError(f"broker {broker_id} is not in any store")


@dataclass
class FakeTransport:
    """What a session wrote, and whether it closed; writes after a close are kept apart in ``late``."""

    peer: str = "127.0.0.1:40000"
    out: bytearray = field(default_factory=bytearray)
    closed: bool = False
    late: bytes = b""  # a session must write nothing after its close

    def write(self, data: bytes) -> None:
        if self.closed:
            self.late += data
        self.out += data

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeLink:
    """A session's view of its broker, without the wire: logins checked against the broker's users."""

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
