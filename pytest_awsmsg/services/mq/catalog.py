"""What Amazon MQ offers: engines, versions, instance types, storage.

Taken from the Amazon MQ developer guide's version-management pages (late
2026: ActiveMQ 5.19 and 5.18; RabbitMQ 4.2 and 3.13) and its instance-type
list. Assumed where the guide is silent: which storage each instance type
takes (ActiveMQ: EFS and EBS on mq.m5, EFS only on the micro types; RabbitMQ:
EBS) and which deployment modes each supports.
"""

from __future__ import annotations

from typing import Any

ENGINE_VERSIONS: dict[str, list[str]] = {
    "ACTIVEMQ": ["5.19", "5.18"],
    "RABBITMQ": ["4.2", "3.13"],
}
# Engine versions older brokers may still report, accepted as the newest of their line.
_ALIASES = {"5.18.4": "5.18", "5.19.0": "5.19", "3.13.7": "3.13", "4.2.0": "4.2"}

# (instance type, storage types, deployment modes) per engine.
_ACTIVEMQ_TYPES = [
    ("mq.t2.micro", ["EFS", "EBS"], ["SINGLE_INSTANCE"]),
    ("mq.t3.micro", ["EFS", "EBS"], ["SINGLE_INSTANCE"]),
    ("mq.m5.large", ["EFS", "EBS"], ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"]),
    ("mq.m5.xlarge", ["EFS", "EBS"], ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"]),
    ("mq.m5.2xlarge", ["EFS", "EBS"], ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"]),
    ("mq.m5.4xlarge", ["EFS", "EBS"], ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"]),
    ("mq.m7g.medium", ["EFS", "EBS"], ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"]),
    ("mq.m7g.large", ["EFS", "EBS"], ["SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"]),
]
_RABBITMQ_TYPES = [
    ("mq.t3.micro", ["EBS"], ["SINGLE_INSTANCE"]),
    ("mq.m5.large", ["EBS"], ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
    ("mq.m5.xlarge", ["EBS"], ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
    ("mq.m5.2xlarge", ["EBS"], ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
    ("mq.m5.4xlarge", ["EBS"], ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
    ("mq.m7g.medium", ["EBS"], ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
    ("mq.m7g.large", ["EBS"], ["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
]
INSTANCE_TYPES = {"ACTIVEMQ": _ACTIVEMQ_TYPES, "RABBITMQ": _RABBITMQ_TYPES}


def engine_version(engine: str, requested: str | None) -> str | None:
    """The version a broker runs: the requested one if offered (None if not), else the newest."""
    offered = ENGINE_VERSIONS[engine]
    if requested is None:
        return offered[0]
    requested = _ALIASES.get(requested, requested)
    return requested if requested in offered else None


def instance_type(engine: str, name: str) -> tuple[str, list[str], list[str]] | None:
    return next((row for row in INSTANCE_TYPES[engine] if row[0] == name), None)


def engine_types(engine: str | None) -> list[dict[str, Any]]:
    return [
        {"EngineType": name, "EngineVersions": [{"Name": v} for v in versions]}
        for name, versions in ENGINE_VERSIONS.items()
        if engine in (None, name)
    ]


def instance_options(
    zones: list[str], engine: str | None, host_instance_type: str | None, storage_type: str | None
) -> list[dict[str, Any]]:
    options = []
    for name, rows in INSTANCE_TYPES.items():
        if engine not in (None, name):
            continue
        for host, storages, modes in rows:
            if host_instance_type not in (None, host):
                continue
            for storage in storages:
                if storage_type not in (None, storage):
                    continue
                options.append(
                    {
                        "AvailabilityZones": [{"Name": zone} for zone in zones],
                        "EngineType": name,
                        "HostInstanceType": host,
                        "StorageType": storage,
                        "SupportedDeploymentModes": list(modes),
                        "SupportedEngineVersions": list(ENGINE_VERSIONS[name]),
                    }
                )
    return options
