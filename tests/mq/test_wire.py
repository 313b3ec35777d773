"""The brokers' wire: AWS names resolving to loopback, TLS a stock client verifies, reachability
(states, AZs, failover, fault rules) — shown with a one-line-per-frame test engine, so these
tests say nothing about STOMP or AMQP (their engines have their own tests)."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud, fake_aws
from pytest_awsmsg.services.mq.models import Broker
from pytest_awsmsg.services.mq.wire import BrokerLink, Transport, register_engine

from .brokers import PASSWORD, USER, endpoint, running_broker

# Ports no real engine of the kit serves, so the test engine clashes with none.
ACTIVEMQ_PORT = 61617  # OpenWire on AWS
RABBITMQ_PORT = 5671


class LineState:
    """Per broker: how often it restarted, and lines kept in memory only."""

    def __init__(self, broker: Broker, cloud: Cloud) -> None:
        self.restarts = 0
        self.kept: list[str] = []

    def restarted(self) -> None:
        self.restarts += 1
        self.kept.clear()


class LineSession:
    """``login user password`` first, then every line is kept and echoed; ``bye`` closes."""

    def __init__(self, link: BrokerLink, transport: Transport) -> None:
        self.link = link
        self.transport = transport
        self.user: str | None = None
        self.lost = False

    def data_received(self, data: bytes) -> None:
        for line in data.decode().splitlines():
            self.link.record(line.split()[0] if line else "(empty)")
            if self.user is None:
                _, user, password = line.split()
                if not self.link.authenticate(user, password):
                    self.transport.write(b"refused\n")
                    self.transport.close()
                    return
                self.user = user
                self.transport.write(f"hello {user} on {self.link.instance}\n".encode())
            elif line == "bye":
                self.transport.close()
            else:
                self.link.state.kept.append(line)
                self.transport.write(f"echo {line}\n".encode())

    def connection_lost(self) -> None:
        self.lost = True


OPENED: list[Client] = []


@pytest.fixture(autouse=True)
def line_engine() -> Iterator[None]:
    undo = [
        register_engine(engine_type=engine, protocol="line", port=port, new_state=LineState, new_session=LineSession)
        for engine, port in (("ACTIVEMQ", ACTIVEMQ_PORT), ("RABBITMQ", RABBITMQ_PORT))
    ]
    yield
    for registration in undo:
        registration()
    while OPENED:
        OPENED.pop().close()


def line_endpoint(described: dict[str, Any], instance: int = 0) -> tuple[str, int]:
    scheme = "ssl" if described["EngineType"] == "ACTIVEMQ" else "amqps"
    return endpoint(described, scheme, instance)


class Client:
    """A stock TLS client: the default context, the AWS host name, nothing kit-specific."""

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext | None = None) -> None:
        raw = socket.create_connection(address, timeout=5)
        self.sock = (context or ssl.create_default_context()).wrap_socket(raw, server_hostname=address[0])
        self.file = self.sock.makefile("rb")
        OPENED.append(self)

    def ask(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\n")
        return self.file.readline().decode().strip()

    def closed(self) -> bool:
        """Whether the broker ended the connection (read returns nothing or the peer reset it)."""
        try:
            return self.file.readline() == b""
        except (ConnectionError, ssl.SSLError):
            return True

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def login(address: tuple[str, int], context: ssl.SSLContext | None = None) -> Client:
    client = Client(address, context)
    assert client.ask(f"login {USER} {PASSWORD}").startswith("hello admin")
    return client


def test_a_stock_tls_client_reaches_the_broker_at_the_name_aws_lists(aws: Cloud) -> None:
    described = running_broker(aws)
    host, port = line_endpoint(described)
    assert host == f"{described['BrokerId']}-1.mq.us-east-1.amazonaws.com"
    assert port == ACTIVEMQ_PORT
    client = login((host, port))
    assert client.ask("order 1") == "echo order 1"
    certificate = client.sock.getpeercert()
    assert certificate is not None
    assert certificate["subjectAltName"] == (("DNS", "*.mq.us-east-1.amazonaws.com"),)
    client.close()
    (connect,) = aws.calls.of("mq", "Connect")
    assert connect.params["Endpoint"] == f"ssl://{host}:{port}"
    assert connect.ok


def test_the_name_resolves_to_loopback_only(aws: Cloud) -> None:
    host, port = line_endpoint(running_broker(aws))
    ((family, _, _, _, sockaddr),) = socket.getaddrinfo(host, port)
    address, served = sockaddr[:2]
    assert family == socket.AF_INET
    assert address == "127.0.0.1"
    assert served != port


def test_the_kit_ca_is_trusted_only_while_a_cloud_is_active_and_is_a_file_too() -> None:
    def trusts_kit_ca() -> bool:
        return any("pytest-awsmsg fake AWS" in str(ca) for ca in ssl.create_default_context().get_ca_certs())

    with fake_aws() as aws:
        address = line_endpoint(running_broker(aws))
        assert trusts_kit_ca()
        own_bundle = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # trusts nothing but what it loads
        own_bundle.load_verify_locations(aws.mq.ca_file)
        login(address, own_bundle).close()
    assert not trusts_kit_ca()


def test_a_wrong_password_is_the_engines_to_refuse(aws: Cloud) -> None:
    client = Client(line_endpoint(running_broker(aws)))
    assert client.ask(f"login {USER} wrong-password") == "refused"
    assert client.closed()


def test_a_broker_being_created_refuses_connections_and_an_unknown_one_does_not_resolve(aws: Cloud) -> None:
    mq = boto3.client("mq", region_name="us-east-1")
    described = running_broker(aws)
    host, port = line_endpoint(described)
    mq.reboot_broker(BrokerId=described["BrokerId"])
    with pytest.raises(ConnectionRefusedError):
        Client((host, port))
    unknown = host.replace(described["BrokerId"][2:10], "00000000")
    with pytest.raises(socket.gaierror):
        Client((unknown, port))
    with pytest.raises(socket.gaierror):  # an ActiveMQ single instance has no second host
        Client((host.replace("-1.mq.", "-2.mq."), port))


def test_a_reboot_drops_connections_and_restarts_the_engine(aws: Cloud) -> None:
    mq = boto3.client("mq", region_name="us-east-1")
    described = running_broker(aws)
    client = login(line_endpoint(described))
    client.ask("in memory")
    view = aws.mq.broker("orders")
    state = view.engine_state("line")
    assert [c.username for c in view.connections] == ["admin"]
    mq.reboot_broker(BrokerId=described["BrokerId"])
    assert client.closed()
    assert view.connections == []
    aws.clock.advance(minutes=5)
    assert state.restarts == 1
    assert state.kept == []
    again = login(line_endpoint(described))
    assert again.ask("back") == "echo back"
    again.close()


def test_the_standby_takes_over_at_its_own_endpoint_when_the_active_az_fails(aws: Cloud) -> None:
    described = running_broker(aws, mode="ACTIVE_STANDBY_MULTI_AZ")
    active, standby = line_endpoint(described, 0), line_endpoint(described, 1)
    with pytest.raises(ConnectionRefusedError):
        Client(standby)  # the standby waits for the lock; it serves no one
    client = login(active)
    zone = aws.mq.broker("orders").zones[0]
    with aws.az_outage(zone):
        assert client.closed()
        with pytest.raises(ConnectionRefusedError):
            Client(active)
        taken_over = login(standby)
        assert taken_over.ask("after failover") == "echo after failover"
        taken_over.close()
    # The old active comes back as the standby: the pair does not fail back by itself.
    with pytest.raises(ConnectionRefusedError):
        Client(active)
    login(standby).close()


def test_a_single_instance_broker_in_a_failed_az_is_unreachable_until_it_returns(aws: Cloud) -> None:
    described = running_broker(aws)
    address = line_endpoint(described)
    zone = aws.mq.broker("orders").zones[0]
    with aws.az_outage(zone), pytest.raises(ConnectionRefusedError):
        Client(address)
    login(address).close()


def test_rabbitmq_is_one_name_for_the_broker(aws: Cloud) -> None:
    described = running_broker(aws, "RABBITMQ", name="events")
    host, port = line_endpoint(described)
    assert host == f"{described['BrokerId']}.mq.us-east-1.amazonaws.com"
    assert port == RABBITMQ_PORT
    client = login((host, port))
    assert client.ask("x").startswith("echo")
    client.close()


def test_fault_rules_drop_connections_to_a_broker(aws: Cloud) -> None:
    address = line_endpoint(running_broker(aws))
    aws.faults.inject("mq", "Connect", connection="refused", count=1)
    with pytest.raises((ConnectionError, ssl.SSLError)):
        login(address)
    login(address).close()
    first, second = aws.calls.of("mq", "Connect")
    assert first.fault is not None
    assert not first.ok
    assert second.ok


def test_a_test_can_cut_every_connection_and_the_report_shows_the_wire(aws: Cloud) -> None:
    address = line_endpoint(running_broker(aws))
    client = login(address)
    assert aws.mq.broker("orders").drop_connections() == 1
    assert client.closed()
    (_title, text), *_ = [s for s in aws.report_sections() if s[0] == "aws mq wire"]
    assert "connected to ssl://" in text
    assert "dropped by the test" in text
    assert " login" in text


def test_an_error_rule_on_connect_cuts_the_connection_and_outages_leave_the_wire_to_the_az(aws: Cloud) -> None:
    described = running_broker(aws, mode="ACTIVE_STANDBY_MULTI_AZ")
    active = line_endpoint(described, 0)
    aws.faults.inject("mq", "Connect", error="internal", count=1)
    with pytest.raises((ConnectionError, ssl.SSLError)):
        login(active)
    # Every API call in the region fails while the standby's AZ is down; the active broker,
    # in an AZ that is up, keeps taking connections.
    with aws.az_outage(aws.mq.broker("orders").zones[1], error_share=1.0):
        login(active).close()


@pytest.mark.aws(freeze=True)
def test_a_broker_is_reachable_under_a_frozen_clock(aws: Cloud) -> None:
    # Certificates are made once per process, when first needed: here, for a region no other
    # test uses, while freezegun holds datetime (cryptography refused the dates before).
    address = line_endpoint(running_broker(aws, region="eu-north-1"))
    login(address).close()
