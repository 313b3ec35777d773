"""``aws.mq``: live, read-only views of brokers for asserts, and how long state changes take."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.tls import kit_ca
from ...core.views import NotFound, ServiceView
from .wire import Connection, existing_wire, wire_of

if TYPE_CHECKING:
    from ...core.cloud import Cloud
    from .amqp.view import ExchangeView, RabbitMqView
    from .amqp.view import QueueView as RabbitQueueView
    from .api import MqService  # noqa: F401  (named in a string: the service imports this module)
    from .models import Broker, MqStore
    from .stomp.view import ActiveMqView, TopicView
    from .stomp.view import QueueView as ActiveMqQueueView


class BrokerView:
    """A broker as a test sees it now: state, engine, users (with pending changes), endpoints."""

    def __init__(self, broker: Broker, cloud: Cloud) -> None:
        self._broker = broker
        self._cloud = cloud

    @property
    def id(self) -> str:
        return self._broker.id

    @property
    def name(self) -> str:
        return self._broker.name

    @property
    def arn(self) -> str:
        return self._broker.arn

    @property
    def state(self) -> str:
        return self._broker.state

    @property
    def engine_type(self) -> str:
        return self._broker.engine_type

    @property
    def engine_version(self) -> str:
        return self._broker.engine_version

    @property
    def deployment_mode(self) -> str:
        return self._broker.deployment_mode

    @property
    def users(self) -> dict[str, str | None]:
        """Username -> the change waiting for a reboot ("CREATE", "UPDATE", "DELETE"), or None."""
        return {name: user.pending_change for name, user in sorted(self._broker.users.items())}

    @property
    def pending(self) -> dict[str, Any]:
        """UpdateBroker's changes waiting for the next reboot, by member name."""
        return dict(self._broker.pending)

    @property
    def endpoints(self) -> list[str]:
        return [e for instance in self._broker.instances() for e in instance["Endpoints"]]

    @property
    def zones(self) -> list[str]:
        """The AZ of each instance, in instance order (an active/standby pair: the active's first)."""
        return list(self._broker.zones)

    @property
    def connections(self) -> list[Connection]:
        """The clients connected to the broker now (peer, endpoint, instance, user, frames)."""
        wire = existing_wire(self._cloud)
        return [] if wire is None else wire.connections(self._broker.id)

    def drop_connections(self) -> int:
        """Cut every client connection, as a network blip does; how many were cut."""
        wire = existing_wire(self._cloud)
        if wire is None:
            return 0
        with self._cloud.lock:
            return wire.drop(self._broker, reason="dropped by the test")

    def engine_state(self, protocol: str) -> object:
        """The engine's state behind this broker (``"stomp"``, ``"amqp"``): for engine views."""
        from .wire import engine_for

        with self._cloud.lock:
            return wire_of(self._cloud).state(self._broker, engine_for(self._broker.engine_type, protocol))

    # -- the engine's destinations: RabbitMQ's vhost "/", ActiveMQ's queues and topics --------

    def queue(self, name: str) -> RabbitQueueView | ActiveMqQueueView:
        """A queue now, on either engine: ``messages`` waiting (oldest first), ``depth``, ``unacked``,
        ``consumers``; ActiveMQ's also lists what is ``in_flight`` (see each engine's view module)."""
        if self._broker.engine_type == "RABBITMQ":
            return self._rabbitmq().queue(name)
        return self._activemq().queue(name)

    @property
    def queues(self) -> list[str]:
        if self._broker.engine_type == "RABBITMQ":
            return self._rabbitmq().queues
        return self._activemq().queues

    def exchange(self, name: str) -> ExchangeView:
        """A RabbitMQ exchange now: type, flags and ``bindings``."""
        return self._rabbitmq().exchange(name)

    @property
    def exchanges(self) -> list[str]:
        return self._rabbitmq().exchanges

    def topic(self, name: str) -> TopicView:
        """An ActiveMQ topic now: its ``subscriptions`` (durable ones with what they keep)."""
        return self._activemq().topic(name)

    @property
    def topics(self) -> list[str]:
        return self._activemq().topics

    @property
    def dlq(self) -> ActiveMqQueueView:
        """ActiveMQ's ``ActiveMQ.DLQ``: NACKed and expired persistent messages."""
        return self._activemq().dlq

    def _rabbitmq(self) -> RabbitMqView:
        from .amqp.broker import RabbitBroker
        from .amqp.view import RabbitMqView

        if self._broker.engine_type != "RABBITMQ":
            raise NotFound(f"broker {self.name} runs {self.engine_type}: exchange() is RabbitMQ's")
        state = self.engine_state("amqp")
        assert isinstance(state, RabbitBroker)
        return RabbitMqView(state)

    def _activemq(self) -> ActiveMqView:
        from .stomp.broker import ActiveMqState
        from .stomp.view import ActiveMqView

        if self._broker.engine_type != "ACTIVEMQ":
            raise NotFound(f"broker {self.name} runs {self.engine_type}: topic() and dlq are ActiveMQ's")
        state = self.engine_state("stomp")
        assert isinstance(state, ActiveMqState)
        return ActiveMqView(state)

    def __repr__(self) -> str:
        return f"<BrokerView {self.name} {self.state} {self.engine_type} {self.engine_version}>"


class MqView(ServiceView["MqService"]):
    """``aws.mq``: brokers by name or id, and the durations of their state changes."""

    title = "Amazon MQ"

    def broker(self, name_or_id: str, *, region: str | None = None, account_id: str | None = None) -> BrokerView:
        """The broker with this name or id (``b-...``) in an account and region (the cloud's by default)."""
        found = self._lookup("broker", name_or_id, _by_name_and_id, region=region, account_id=account_id)
        return BrokerView(found, self._service.cloud)

    @property
    def brokers(self) -> list[BrokerView]:
        """Every broker of every account and region, oldest first."""
        found = [b for store in self._service.stores().values() for b in store.brokers.values()]
        return [BrokerView(b, self._service.cloud) for b in sorted(found, key=lambda b: (b.created, b.id))]

    @property
    def ca_file(self) -> str:
        """The kit's CA certificate (PEM file) for clients that load their own trust bundle.

        Stock clients need nothing: while the cloud is active, default SSL
        contexts trust the kit's CA, so the brokers' certificates verify.
        """
        return kit_ca().file

    def set_durations(
        self, *, create: float | None = None, reboot: float | None = None, delete: float | None = None
    ) -> None:
        """How many virtual seconds creating, rebooting and deleting a broker take (0: at once)."""
        for step, value in (("create", create), ("reboot", reboot), ("delete", delete)):
            if value is not None:
                if value < 0:
                    raise ValueError(f"{step} takes a duration of 0 seconds or more, not {value}")
                self._service.durations[step] = float(value)


def _by_name_and_id(store: MqStore) -> dict[str, Broker]:
    return {**{b.name: b for b in store.brokers.values()}, **store.brokers}
