"""Running brokers for data-plane tests: made through boto3, reached at the endpoints AWS lists."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import boto3

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.registry import service_model

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
) -> dict[str, Any]:
    """Create a broker through boto3, let its creation take its (virtual) time; DescribeBroker's answer."""
    mq = boto3.client("mq", region_name=region)
    defaults = {"EngineVersion": "5.18" if engine == "ACTIVEMQ" else "3.13", "AutoMinorVersionUpgrade": True}
    broker_id = mq.create_broker(
        BrokerName=name,
        DeploymentMode=mode,
        EngineType=engine,
        HostInstanceType="mq.t3.micro" if mode == "SINGLE_INSTANCE" else "mq.m5.large",
        PubliclyAccessible=False,
        Users=users or [{"Username": USER, "Password": PASSWORD, "ConsoleAccess": True}],
        **{member: value for member, value in defaults.items() if member in _REQUIRED},
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
