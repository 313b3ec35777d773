"""The Python view for assertions, and the opt-in production quirks of standard queues."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import counts, receive


def test_view_shows_messages_and_their_state(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(
        QueueUrl=url,
        MessageBody='{"id": 1}',
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "new"},
            "total": {"DataType": "Number", "StringValue": "3"},
        },
    )
    sqs.send_message(QueueUrl=url, MessageBody="second")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    receive(sqs, url)
    view = aws.sqs.queue("orders")
    assert view.bodies == ['{"id": 1}', "second", "later"]
    first = view.messages[0]
    assert (first.state, first.receive_count, first.attributes) == ("in-flight", 1, {"kind": "new", "total": 3})
    assert first.json() == {"id": 1}
    assert [m.state for m in view.messages] == ["in-flight", "visible", "delayed"]
    assert [m.body for m in view.visible] == ["second"]
    assert view.attributes["ApproximateNumberOfMessages"] == "1"
    assert "in-flight" in repr(view)
    assert "'second'" in repr(view)


def test_view_does_not_disturb_the_queue(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    for _ in range(3):
        assert aws.sqs.queue("orders").messages[0].receive_count == 0
    (message,) = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"


def test_view_of_missing_queue_names_the_queues_there(aws: Cloud, make_queue: QueueFactory) -> None:
    make_queue("orders")
    with pytest.raises(KeyError, match=r"queues there: \['orders'\]"):
        aws.sqs.queue("order")


def test_view_in_other_region(aws: Cloud) -> None:
    import boto3

    boto3.client("sqs", region_name="eu-west-1").create_queue(QueueName="eu")
    assert aws.sqs.queue("eu", region="eu-west-1").url.startswith("https://sqs.eu-west-1.")
    assert [v.name for v in aws.sqs.queues()] == ["eu"]


def test_quirks_are_off_by_default(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    for index in range(10):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == [str(i) for i in range(10)]


def test_duplicate_delivery_quirk(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    aws.sqs.quirks(duplicate_rate=1.0)
    sqs.send_message(QueueUrl=url, MessageBody="once")
    first = receive(sqs, url)
    aws.sqs.quirks()  # off again: the copy already left behind stays
    second = receive(sqs, url)
    assert first[0]["MessageId"] == second[0]["MessageId"]
    assert first[0]["ReceiptHandle"] != second[0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second[0]["ReceiptHandle"])
    assert receive(sqs, url) == []
    assert aws.sqs.queue("orders").messages == []


def test_reorder_quirk_is_seeded(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders")
    fifo = make_queue("orders.fifo", ContentBasedDeduplication=True)
    aws.sqs.quirks(reorder=True, queue="orders")
    for index in range(10):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
        sqs.send_message(QueueUrl=fifo, MessageBody=str(index), MessageGroupId="g")
    got = [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)]
    assert sorted(got) == [str(i) for i in range(10)]
    assert got != [str(i) for i in range(10)]
    assert got == _shuffled_by_a_fresh_cloud(aws.seed)  # same seed, same order
    # FIFO queues keep their order whatever the quirks.
    assert [m["Body"] for m in receive(sqs, fifo, MaxNumberOfMessages=10)] == [str(i) for i in range(10)]


def test_quirks_for_one_queue_only(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    noisy, calm = make_queue("noisy"), make_queue("calm")
    aws.sqs.quirks(duplicate_rate=1.0, queue="noisy")
    for url in (noisy, calm):
        sqs.send_message(QueueUrl=url, MessageBody="x")
        receive(sqs, url)
    assert counts(sqs, noisy) == (1, 1, 0)
    assert counts(sqs, calm) == (0, 1, 0)


def test_quirks_without_arguments_switch_every_setting_off(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    noisy = make_queue("noisy")
    aws.sqs.quirks(duplicate_rate=1.0, queue="noisy")
    aws.sqs.quirks()
    sqs.send_message(QueueUrl=noisy, MessageBody="x")
    receive(sqs, noisy)
    assert counts(sqs, noisy) == (0, 1, 0)


def test_quirks_validate_their_rate(aws: Cloud) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        aws.sqs.quirks(duplicate_rate=1.5)


def test_view_attributes_are_what_get_queue_attributes_reports(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(KmsMasterKeyId="alias/aws/sqs", VisibilityTimeout=60)
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
    receive(sqs, url)
    sqs.send_message(QueueUrl=url, MessageBody="visible")
    reported = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert aws.sqs.queue("orders").attributes == reported
    assert reported["KmsDataKeyReusePeriodSeconds"] == "300"


def _shuffled_by_a_fresh_cloud(seed: Any) -> list[str]:
    """What the reorder quirk returns for the same calls in another cloud with this seed."""
    import boto3

    from pytest_awsmsg import fake_aws

    with fake_aws(seed=seed) as cloud:
        client = boto3.client("sqs", region_name="us-east-1")
        url = client.create_queue(QueueName="orders")["QueueUrl"]
        fifo = client.create_queue(
            QueueName="orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
        )["QueueUrl"]
        cloud.sqs.quirks(reorder=True, queue="orders")
        for index in range(10):
            client.send_message(QueueUrl=url, MessageBody=str(index))
            client.send_message(QueueUrl=fifo, MessageBody=str(index), MessageGroupId="g")
        return [m["Body"] for m in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
