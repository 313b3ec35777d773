"""Amazon MQ's state: brokers, their users and pending changes, configurations and revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How long a broker takes to move between states, in virtual seconds. Assumed
# from the developer guide ("creating a broker takes about 15 minutes"); a
# reboot and a deletion are shorter. Tests change them with aws.mq.durations().
DEFAULT_DURATIONS = {"create": 900.0, "reboot": 300.0, "delete": 300.0}


@dataclass
class User:
    username: str
    password: str
    console_access: bool = False
    groups: list[str] = field(default_factory=list)
    replication_user: bool = False
    #: "CREATE", "UPDATE" or "DELETE" until the broker next reboots (ActiveMQ).
    pending_change: str | None = None
    pending: dict[str, Any] = field(default_factory=dict)


@dataclass
class Revision:
    number: int
    data: str  # base64, as sent and answered
    description: str
    created: float


@dataclass
class Configuration:
    id: str
    arn: str
    name: str
    engine_type: str
    engine_version: str
    authentication_strategy: str
    created: float
    revisions: list[Revision] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]


@dataclass
class Broker:
    id: str
    arn: str
    name: str
    engine_type: str
    engine_version: str
    host_instance_type: str
    deployment_mode: str
    storage_type: str
    publicly_accessible: bool
    authentication_strategy: str
    auto_minor_version_upgrade: bool
    created: float
    region: str
    subnet_ids: list[str]
    security_groups: list[str]
    maintenance_window: dict[str, str]
    logs: dict[str, bool]
    encryption: dict[str, Any]
    configuration: dict[str, Any] | None
    data_replication_mode: str = "NONE"
    creator_request_id: str | None = None
    ldap: dict[str, Any] | None = None
    state: str = "CREATION_IN_PROGRESS"
    users: dict[str, User] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    configuration_history: list[dict[str, Any]] = field(default_factory=list)
    #: Member name -> value applied at the next reboot (UpdateBroker's pending changes).
    pending: dict[str, Any] = field(default_factory=dict)
    zones: list[str] = field(default_factory=list)
    storage_size: int | None = None

    def host(self, instance: int | None) -> str:
        suffix = "" if instance is None else f"-{instance}"
        return f"{self.id}{suffix}.mq.{self.region}.amazonaws.com"

    def instances(self) -> list[dict[str, Any]]:
        """BrokerInstances as DescribeBroker lists them: endpoints as on AWS."""
        if self.state in ("CREATION_IN_PROGRESS", "CREATION_FAILED", "DELETION_IN_PROGRESS"):
            return []
        if self.engine_type == "RABBITMQ":
            host = self.host(None)
            return [{"ConsoleURL": f"https://{host}", "Endpoints": [f"amqps://{host}:5671"]}]
        count = 2 if self.deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" else 1
        out = []
        for number in range(1, count + 1):
            host = self.host(number)
            out.append(
                {
                    "ConsoleURL": f"https://{host}:8162",
                    "Endpoints": [
                        f"ssl://{host}:61617",
                        f"amqp+ssl://{host}:5671",
                        f"stomp+ssl://{host}:61614",
                        f"mqtt+ssl://{host}:8883",
                        f"wss://{host}:61619",
                    ],
                    "IpAddress": f"10.0.{number}.{10 + number}",
                }
            )
        return out


@dataclass
class MqStore:
    account_id: str
    region: str
    brokers: dict[str, Broker] = field(default_factory=dict)  # id -> broker
    configurations: dict[str, Configuration] = field(default_factory=dict)  # id -> configuration
