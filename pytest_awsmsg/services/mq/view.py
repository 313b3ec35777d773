"""``aws.mq``: live, read-only views of brokers for asserts, and how long state changes take."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.views import ServiceView

if TYPE_CHECKING:
    from .api import MqService  # noqa: F401  (named in a string: the service imports this module)
    from .models import Broker, MqStore


class BrokerView:
    """A broker as a test sees it now: state, engine, users (with pending changes), endpoints."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker

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

    def __repr__(self) -> str:
        return f"<BrokerView {self.name} {self.state} {self.engine_type} {self.engine_version}>"


class MqView(ServiceView["MqService"]):
    """``aws.mq``: brokers by name or id, and the durations of their state changes."""

    title = "Amazon MQ"

    def broker(self, name_or_id: str, *, region: str | None = None, account_id: str | None = None) -> BrokerView:
        """The broker with this name or id (``b-...``) in an account and region (the cloud's by default)."""
        return BrokerView(self._lookup("broker", name_or_id, _by_name_and_id, region=region, account_id=account_id))

    @property
    def brokers(self) -> list[BrokerView]:
        """Every broker of every account and region, oldest first."""
        found = [b for store in self._service.stores().values() for b in store.brokers.values()]
        return [BrokerView(b) for b in sorted(found, key=lambda b: (b.created, b.id))]

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
