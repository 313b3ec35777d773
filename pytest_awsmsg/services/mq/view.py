"""What a test reads of Amazon MQ: brokers by name or id, and how long state changes take."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Broker, MqStore


@dataclass(frozen=True)
class BrokerView:
    """A broker as a test sees it: state, engine, users (with pending changes) and endpoints."""

    id: str
    name: str
    arn: str
    state: str
    engine_type: str
    engine_version: str
    deployment_mode: str
    users: dict[str, str | None]  # username -> pending change (None: applied)
    pending: dict[str, Any]
    endpoints: list[str]

    def __repr__(self) -> str:
        return f"<BrokerView {self.name} {self.state} {self.engine_type} {self.engine_version}>"


class MqView:
    """``aws.mq``: lookups for asserts and the durations of state changes."""

    durations: dict[str, float]

    if TYPE_CHECKING:  # provided by the Service this is mixed into

        def stores(self) -> dict[tuple[str, str], MqStore]: ...

    def broker(self, name_or_id: str) -> BrokerView:
        """The broker with this name or id, in any account or region."""
        found = self._find(name_or_id)
        if found is None:
            known = sorted(
                f"{b.name} ({b.id}) in {a}/{r}" for (a, r), s in self.stores().items() for b in s.brokers.values()
            )
            raise KeyError(f"No Amazon MQ broker {name_or_id!r}; brokers: {known or 'none'}")
        return _view(found)

    @property
    def brokers(self) -> list[BrokerView]:
        return [_view(b) for s in self.stores().values() for b in s.brokers.values()]

    def set_durations(
        self, *, create: float | None = None, reboot: float | None = None, delete: float | None = None
    ) -> None:
        """How many virtual seconds creating, rebooting and deleting a broker take (0: at once)."""
        for step, value in (("create", create), ("reboot", reboot), ("delete", delete)):
            if value is not None:
                if value < 0:
                    raise ValueError(f"{step} takes a duration of 0 seconds or more, not {value}")
                self.durations[step] = float(value)

    def _find(self, name_or_id: str) -> Broker | None:
        for store in self.stores().values():
            for broker in store.brokers.values():
                if name_or_id in (broker.id, broker.name, broker.arn):
                    return broker
        return None


def _view(broker: Broker) -> BrokerView:
    return BrokerView(
        id=broker.id,
        name=broker.name,
        arn=broker.arn,
        state=broker.state,
        engine_type=broker.engine_type,
        engine_version=broker.engine_version,
        deployment_mode=broker.deployment_mode,
        users={name: user.pending_change for name, user in broker.users.items()},
        pending=dict(broker.pending),
        endpoints=[e for instance in broker.instances() for e in instance["Endpoints"]],
    )
