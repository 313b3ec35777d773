"""Amazon MQ's control plane through boto3: brokers in virtual time, users and
updates pending until a reboot, configurations with revisions, tags, errors."""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.registry import service_model

# Older botocore models (1.34.89) require what Amazon MQ now defaults: a client
# built from them must send it.
_REQUIRED = service_model("mq").operation_model("CreateBroker").input_shape.required_members


def old_model_defaults(engine: str) -> dict[str, Any]:
    """What an older model makes a client send that Amazon MQ now defaults (the same values)."""
    defaults = {"EngineVersion": "5.19" if engine == "ACTIVEMQ" else "4.2", "AutoMinorVersionUpgrade": True}
    return {member: value for member, value in defaults.items() if member in _REQUIRED}


ADMIN = {"Username": "admin", "Password": "correct-horse-battery", "ConsoleAccess": True}


@pytest.fixture
def mq(aws: Cloud) -> Any:
    return boto3.client("mq", region_name="us-east-1")


def create(mq: Any, name: str = "orders", **overrides: Any) -> str:
    params: dict[str, Any] = {
        "BrokerName": name,
        "DeploymentMode": "SINGLE_INSTANCE",
        "EngineType": "ACTIVEMQ",
        "HostInstanceType": "mq.t3.micro",
        "PubliclyAccessible": False,
        "Users": [ADMIN],
        **old_model_defaults(overrides.get("EngineType", "ACTIVEMQ")),
        **overrides,
    }
    return str(mq.create_broker(**params)["BrokerId"])


def error(caught: pytest.ExceptionInfo[Any]) -> tuple[str, int, str]:
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_a_broker_is_created_in_virtual_time_with_endpoints_as_on_aws(aws: Cloud, mq: Any) -> None:
    broker_id = create(mq)
    described = mq.describe_broker(BrokerId=broker_id)
    assert described["BrokerState"] == "CREATION_IN_PROGRESS"
    assert described["BrokerInstances"] == []
    assert described["EngineVersion"] == "5.19"  # the newest, when none is asked for
    assert described["BrokerArn"] == f"arn:aws:mq:us-east-1:123456789012:broker:orders:{broker_id}"
    aws.clock.advance(minutes=15)
    described = mq.describe_broker(BrokerId=broker_id)
    assert described["BrokerState"] == "RUNNING"
    (instance,) = described["BrokerInstances"]
    host = f"{broker_id}-1.mq.us-east-1.amazonaws.com"
    assert f"stomp+ssl://{host}:61614" in instance["Endpoints"]
    assert f"ssl://{host}:61617" in instance["Endpoints"]
    assert instance["ConsoleURL"] == f"https://{host}:8162"
    assert described["Users"] == [{"Username": "admin"}]


def test_rabbitmq_cluster_lists_one_amqps_endpoint(aws: Cloud, mq: Any) -> None:
    aws.mq.set_durations(create=0)
    broker_id = create(
        mq,
        "events",
        EngineType="RABBITMQ",
        HostInstanceType="mq.m5.large",
        DeploymentMode="CLUSTER_MULTI_AZ",
        PubliclyAccessible=True,
        Users=[{"Username": "admin", "Password": "correct-horse-battery"}],
    )
    described = mq.describe_broker(BrokerId=broker_id)
    assert described["BrokerState"] == "RUNNING"
    assert described["BrokerInstances"][0]["Endpoints"] == [f"amqps://{broker_id}.mq.us-east-1.amazonaws.com:5671"]
    assert described["EngineVersion"] == "4.2"


@pytest.mark.parametrize(
    ("overrides", "attribute"),
    [
        ({"BrokerName": "has space"}, "brokerName"),
        ({"HostInstanceType": "mq.t9.huge"}, "hostInstanceType"),
        ({"EngineVersion": "5.15"}, "engineVersion"),
        ({"DeploymentMode": "ACTIVE_STANDBY_MULTI_AZ"}, "deploymentMode"),  # not on a micro instance
        ({"DeploymentMode": "CLUSTER_MULTI_AZ", "HostInstanceType": "mq.m5.large"}, "deploymentMode"),
        ({"Users": []}, "users"),
        ({"Users": [{"Username": "a", "Password": "correct-horse-battery"}]}, "username"),
        ({"Users": [{"Username": "admin", "Password": "short"}]}, "password"),
        ({"Users": [{"Username": "admin", "Password": "aaaaaaaaaaaaaaaa"}]}, "password"),  # 1 unique character
        ({"Users": [{"Username": "admin", "Password": "has=equals-sign"}]}, "password"),
        ({"SubnetIds": ["subnet-1", "subnet-2"]}, "subnetIds"),
        ({"SecurityGroups": [f"sg-{n}" for n in range(6)]}, "securityGroups"),
        ({"MaintenanceWindowStartTime": {"DayOfWeek": "FUNDAY", "TimeOfDay": "02:00"}}, "dayOfWeek"),
        ({"MaintenanceWindowStartTime": {"DayOfWeek": "MONDAY", "TimeOfDay": "25:00"}}, "timeOfDay"),
        ({"AutoMinorVersionUpgrade": False}, "autoMinorVersionUpgrade"),
    ],
)
def test_create_broker_refuses_what_amazon_mq_refuses(mq: Any, overrides: dict[str, Any], attribute: str) -> None:
    with pytest.raises(mq.exceptions.BadRequestException) as caught:
        create(mq, **overrides)
    assert error(caught)[:2] == ("BadRequestException", 400)
    assert caught.value.response["ErrorAttribute"] == attribute


def test_names_are_unique_and_creator_request_ids_make_create_idempotent(mq: Any) -> None:
    first = create(mq, CreatorRequestId="req-1")
    assert create(mq, CreatorRequestId="req-1") == first
    with pytest.raises(mq.exceptions.ConflictException) as caught:
        create(mq)
    assert error(caught)[:2] == ("ConflictException", 409)


def test_an_unknown_broker_is_not_found(mq: Any) -> None:
    with pytest.raises(mq.exceptions.NotFoundException) as caught:
        mq.describe_broker(BrokerId="b-00000000-0000-0000-0000-000000000000")
    code, status, message = error(caught)
    assert (code, status) == ("NotFoundException", 404)
    assert "b-00000000-0000-0000-0000-000000000000" in message


def test_updates_and_user_changes_wait_for_a_reboot(aws: Cloud, mq: Any) -> None:
    aws.mq.set_durations(create=0)
    broker_id = create(mq)
    mq.update_broker(BrokerId=broker_id, HostInstanceType="mq.m5.large", SecurityGroups=["sg-1"])
    mq.create_user(BrokerId=broker_id, Username="worker", Password="another-long-secret", Groups=["consumers"])
    described = mq.describe_broker(BrokerId=broker_id)
    assert described["HostInstanceType"] == "mq.t3.micro"
    assert described["PendingHostInstanceType"] == "mq.m5.large"
    assert described["PendingSecurityGroups"] == ["sg-1"]
    assert {"Username": "worker", "PendingChange": "CREATE"} in described["Users"]
    pending = mq.describe_user(BrokerId=broker_id, Username="worker")["Pending"]
    assert pending == {"ConsoleAccess": False, "Groups": ["consumers"], "PendingChange": "CREATE"}

    mq.reboot_broker(BrokerId=broker_id)
    assert mq.describe_broker(BrokerId=broker_id)["BrokerState"] == "REBOOT_IN_PROGRESS"
    with pytest.raises(mq.exceptions.ConflictException):
        mq.reboot_broker(BrokerId=broker_id)
    aws.clock.advance(minutes=5)
    described = mq.describe_broker(BrokerId=broker_id)
    assert described["BrokerState"] == "RUNNING"
    assert described["HostInstanceType"] == "mq.m5.large"
    assert "PendingHostInstanceType" not in described
    assert {"Username": "worker"} in described["Users"]
    assert "Pending" not in mq.describe_user(BrokerId=broker_id, Username="worker")


def test_a_deleted_broker_goes_away_in_virtual_time(aws: Cloud, mq: Any) -> None:
    aws.mq.set_durations(create=0)
    broker_id = create(mq)
    assert mq.delete_broker(BrokerId=broker_id)["BrokerId"] == broker_id
    assert mq.describe_broker(BrokerId=broker_id)["BrokerState"] == "DELETION_IN_PROGRESS"
    aws.clock.advance(minutes=5)
    assert mq.list_brokers()["BrokerSummaries"] == []


def test_rabbitmq_users_are_not_managed_through_amazon_mq(aws: Cloud, mq: Any) -> None:
    aws.mq.set_durations(create=0)
    broker_id = create(
        mq,
        "events",
        EngineType="RABBITMQ",
        HostInstanceType="mq.t3.micro",
        Users=[{"Username": "admin", "Password": "correct-horse-battery"}],
    )
    with pytest.raises(mq.exceptions.BadRequestException):
        mq.create_user(BrokerId=broker_id, Username="worker", Password="another-long-secret")


def test_configurations_keep_every_revision_and_sanitise_activemq_xml(mq: Any) -> None:
    config = mq.create_configuration(Name="tuned", EngineType="ACTIVEMQ", EngineVersion="5.19")
    assert config["LatestRevision"]["Revision"] == 1
    data = (
        '<broker xmlns="http://activemq.apache.org/schema/core">'
        "<plugins/><transportConnectors><transportConnector name='x'/></transportConnectors></broker>"
    )
    updated = mq.update_configuration(
        ConfigurationId=config["Id"], Data=base64.b64encode(data.encode()).decode(), Description="no connectors"
    )
    assert updated["LatestRevision"]["Revision"] == 2
    assert updated["Warnings"] == [{"ElementName": "transportConnectors", "Reason": "DISALLOWED_ELEMENT_REMOVED"}]
    kept = mq.describe_configuration_revision(ConfigurationId=config["Id"], ConfigurationRevision="2")
    assert "transportConnectors" not in base64.b64decode(kept["Data"]).decode()
    assert kept["Description"] == "no connectors"
    revisions = mq.list_configuration_revisions(ConfigurationId=config["Id"])["Revisions"]
    assert [r["Revision"] for r in revisions] == [1, 2]
    with pytest.raises(mq.exceptions.BadRequestException):
        mq.update_configuration(ConfigurationId=config["Id"], Data=base64.b64encode(b"<broker").decode())
    with pytest.raises(mq.exceptions.NotFoundException):
        mq.describe_configuration_revision(ConfigurationId=config["Id"], ConfigurationRevision="9")


@pytest.mark.requires_api("mq", "DeleteConfiguration")
def test_a_configuration_in_use_cannot_be_deleted(aws: Cloud, mq: Any) -> None:
    config = mq.create_configuration(Name="tuned", EngineType="ACTIVEMQ", EngineVersion="5.19")
    create(mq, Configuration={"Id": config["Id"], "Revision": 1})
    with pytest.raises(mq.exceptions.ConflictException):
        mq.delete_configuration(ConfigurationId=config["Id"])


def test_tags_on_brokers_and_configurations(mq: Any) -> None:
    broker_id = create(mq, Tags={"team": "orders"})
    arn = mq.describe_broker(BrokerId=broker_id)["BrokerArn"]
    mq.create_tags(ResourceArn=arn, Tags={"env": "test"})
    assert mq.list_tags(ResourceArn=arn)["Tags"] == {"team": "orders", "env": "test"}
    mq.delete_tags(ResourceArn=arn, TagKeys=["team"])
    assert mq.list_tags(ResourceArn=arn)["Tags"] == {"env": "test"}
    with pytest.raises(mq.exceptions.NotFoundException):
        mq.list_tags(ResourceArn="arn:aws:mq:us-east-1:123456789012:broker:nope:b-1")


def test_engine_types_instance_options_and_paging(mq: Any) -> None:
    engines = mq.describe_broker_engine_types()["BrokerEngineTypes"]
    assert {e["EngineType"] for e in engines} == {"ACTIVEMQ", "RABBITMQ"}
    options = mq.describe_broker_instance_options(EngineType="RABBITMQ", HostInstanceType="mq.m5.large")
    (option,) = options["BrokerInstanceOptions"]
    assert "CLUSTER_MULTI_AZ" in option["SupportedDeploymentModes"]
    assert [z["Name"] for z in option["AvailabilityZones"]][:2] == ["us-east-1a", "us-east-1b"]
    for n in range(3):
        create(mq, f"broker-{n}")
    first = mq.list_brokers(MaxResults=2)
    assert [b["BrokerName"] for b in first["BrokerSummaries"]] == ["broker-0", "broker-1"]
    second = mq.list_brokers(MaxResults=2, NextToken=first["NextToken"])
    assert [b["BrokerName"] for b in second["BrokerSummaries"]] == ["broker-2"]
    assert "NextToken" not in second


def test_passwords_never_reach_the_call_log(aws: Cloud, mq: Any) -> None:
    create(mq)
    assert "correct-horse-battery" not in "\n".join(str(record) for record in aws.calls)


def test_the_view_finds_brokers_by_name_or_id_and_says_where_a_missing_one_is(aws: Cloud, mq: Any) -> None:
    broker_id = create(mq)
    assert aws.mq.broker(broker_id).name == aws.mq.broker("orders").name == "orders"
    with pytest.raises(
        KeyError, match=r"No Amazon MQ broker 'orders' in 123456789012/eu-west-1.*exists in 123456789012/us-east-1"
    ):
        aws.mq.broker("orders", region="eu-west-1")
    aws.clock.advance(minutes=15)
    assert aws.mq.broker("orders").state == "RUNNING"  # a live view
