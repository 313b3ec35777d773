"""AZ and region outages, client affinity, and the hooks zonal services use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from pytest_awsmsg import AwsError, Cloud, fake_aws
from pytest_awsmsg.core.topology import TopologyChange


def client(retries: int = 5, region: str = "us-east-1") -> Any:
    return boto3.client("sqs", region_name=region, config=Config(retries={"mode": "standard", "max_attempts": retries}))


@pytest.fixture
def aws() -> Iterator[Cloud]:
    with fake_aws(seed=11, region="us-east-1") as cloud:
        yield cloud


@pytest.fixture
def queue(aws: Cloud) -> str:
    return str(client().create_queue(QueueName="orders")["QueueUrl"])


def send_all(sqs: Any, url: str, n: int) -> int:
    """How many of ``n`` sends the caller saw fail."""
    failures = 0
    for i in range(n):
        try:
            sqs.send_message(QueueUrl=url, MessageBody=f"order-{i}")
        except (botocore.exceptions.ClientError, botocore.exceptions.EndpointConnectionError):
            failures += 1
    return failures


# -- the map ------------------------------------------------------------------------


def test_regions_have_their_real_az_names_and_ids(aws: Cloud) -> None:
    zones = aws.topology.zones("us-east-1")
    assert [z.name for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    assert aws.topology.zone("use1-az4").name == "us-east-1d"
    assert [z.name for z in aws.topology.zones("us-west-1")] == ["us-west-1b", "us-west-1c"]
    assert aws.topology.zone("eu-central-1b").region == "eu-central-1"
    with pytest.raises(ValueError, match="Unknown Availability Zone 'us-east-1z'"):
        aws.topology.zone("us-east-1z")


def test_zonal_resources_get_a_stable_seeded_placement(aws: Cloud) -> None:
    first = aws.topology.placement("eu-west-1", "broker-1")
    assert first == aws.topology.placement("eu-west-1", "broker-1")
    assert first.region == "eu-west-1"
    with fake_aws(seed=11) as again:
        assert again.topology.placement("eu-west-1", "broker-1") == first


# -- AZ outages ------------------------------------------------------------------------


def test_during_an_az_outage_retrying_clients_succeed_and_clients_without_retries_fail(aws: Cloud, queue: str) -> None:
    # One AZ of six: about one call in six lands in it until traffic shifts.
    with aws.az_outage("us-east-1a"):
        assert send_all(client(retries=5), queue, 40) == 0
        assert send_all(client(retries=0), queue, 40) > 0
    survived = aws.calls.invocations("sqs", "SendMessage")[:40]
    assert any(i.retries for i in survived)
    assert all(i.ok for i in survived)


def test_an_az_outage_fails_a_share_of_calls_only_until_traffic_shifts(aws: Cloud, queue: str) -> None:
    aws.az_outage("us-east-1b", duration=600, error_share=0.5, shift_after=90)
    assert send_all(client(retries=0), queue, 20) > 0
    aws.clock.advance(90)
    assert send_all(client(retries=0), queue, 20) == 0
    assert not aws.topology.is_up("us-east-1b")


def test_the_default_share_is_the_failed_azs_share_of_its_region(aws: Cloud, queue: str) -> None:
    outage = aws.az_outage("us-west-1b")  # one of two AZs
    assert outage.rules[1].percentage == 50
    outage.end()
    assert aws.az_outage("us-east-1a").rules[1].percentage == pytest.approx(100 / 6)


def test_a_caller_in_the_failed_az_loses_connectivity(aws: Cloud, queue: str) -> None:
    aws.az_outage("us-east-1a", duration=300)
    with aws.in_az("us-east-1a"), pytest.raises(botocore.exceptions.EndpointConnectionError):
        client(retries=5).send_message(QueueUrl=queue, MessageBody="x")
    assert aws.calls.invocations("sqs", "SendMessage")[-1].attempts == 6

    with aws.in_az("use1-az2"):  # another AZ, by its AZ ID: only the regional share
        assert send_all(client(retries=5), queue, 5) == 0

    aws.clock.advance(300)  # the AZ is back
    with aws.in_az("us-east-1a"):
        client(retries=0).send_message(QueueUrl=queue, MessageBody="back")
    assert aws.topology.is_up("us-east-1a")


def test_affinity_is_per_thread(aws: Cloud, queue: str) -> None:
    aws.az_outage("us-east-1a", error_share=0)
    results: list[str] = []

    def elsewhere() -> None:
        client(retries=0).send_message(QueueUrl=queue, MessageBody="from a worker")
        results.append("ok")

    with aws.in_az("us-east-1a"):
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
    assert results == ["ok"]
    assert [r.extra.get("az") for r in aws.calls.of("sqs", "SendMessage")] == [None]


def test_subscribers_hear_when_an_az_goes_down_and_comes_back(aws: Cloud) -> None:
    heard: list[TopologyChange] = []
    aws.topology.on_az_change(heard.append)
    start = aws.clock.now()
    aws.az_outage("eu-west-1c", duration=120)
    aws.clock.advance(200)
    assert [(c.name, c.up, round(c.time - start)) for c in heard] == [
        ("eu-west-1c", False, 0),
        ("eu-west-1c", True, 120),
    ]
    assert heard[0].zone is not None
    assert heard[0].zone.id == "euw1-az3"


# -- region outages ----------------------------------------------------------------------


def test_a_region_outage_makes_every_endpoint_there_unreachable(aws: Cloud, queue: str) -> None:
    west = client(region="us-west-2").create_queue(QueueName="orders")["QueueUrl"]
    heard: list[TopologyChange] = []
    aws.topology.on_region_change(heard.append)

    with aws.region_outage("us-east-1"):
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            client(retries=5).send_message(QueueUrl=queue, MessageBody="x")
        client(retries=0, region="us-west-2").send_message(QueueUrl=west, MessageBody="failover")
        with pytest.raises(AwsError):  # the cloud cannot reach it either
            aws.call("sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": "internal"}, region="us-east-1")
        assert not aws.topology.region_is_up("us-east-1")
        assert not aws.topology.is_up("us-east-1a")

    client(retries=0).send_message(QueueUrl=queue, MessageBody="back")
    assert [(c.name, c.up) for c in heard] == [("us-east-1", False), ("us-east-1", True)]


def test_clearing_fault_rules_leaves_an_ongoing_outage_alone(aws: Cloud, queue: str) -> None:
    aws.faults.inject("sqs", "ReceiveMessage", error="internal")
    with aws.region_outage("us-east-1"):
        aws.faults.clear()
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            client(retries=0).send_message(QueueUrl=queue, MessageBody="x")
    assert [r.label for r in aws.faults.rules] == []
    client(retries=0).receive_message(QueueUrl=queue)


def test_outages_and_rules_end_when_their_block_fails(aws: Cloud, queue: str) -> None:
    # An assertion failing inside the block must not leave the cloud broken
    # for the rest of the test (its teardown, its fixtures' cleanup).
    with pytest.raises(AssertionError), aws.region_outage("us-east-1"), aws.faults.inject("sqs", error="internal"):
        raise AssertionError("the code under test misbehaved")
    assert aws.faults.rules == []
    assert aws.topology.region_is_up("us-east-1")
    client(retries=0).send_message(QueueUrl=queue, MessageBody="after")
