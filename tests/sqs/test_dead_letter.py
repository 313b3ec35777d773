"""Dead-letter queues: redrive policies, allow policies, source listing and message move tasks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import arn_of, counts, error_of, receive


def with_dlq(sqs: Any, make_queue: QueueFactory, max_receive_count: int = 2, **dlq: Any) -> tuple[str, str]:
    dlq_url = make_queue("orders-dlq", **dlq)
    policy = {"deadLetterTargetArn": arn_of(sqs, dlq_url), "maxReceiveCount": max_receive_count}
    return make_queue("orders", VisibilityTimeout=10, RedrivePolicy=policy), dlq_url


def test_message_moves_after_its_last_receive(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url, dlq = with_dlq(sqs, make_queue, max_receive_count=2)
    sent = sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        assert len(receive(sqs, url)) == 1
        aws.clock.advance(10)
    assert receive(sqs, url) == []  # the third receive finds it over the limit and moves it
    assert counts(sqs, url) == (0, 0, 0)
    (moved,) = receive(sqs, dlq, AttributeNames=["All"])
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, url)


def test_redrive_policy_is_stored_canonically(sqs: Any, make_queue: QueueFactory) -> None:
    url, dlq = with_dlq(sqs, make_queue, max_receive_count=5)
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    assert json.loads(policy) == {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 5}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])


def test_redrive_policy_errors(sqs: Any, make_queue: QueueFactory) -> None:
    missing = {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:nowhere", "maxReceiveCount": 3}
    with pytest.raises(ClientError) as excinfo:
        make_queue("orders", RedrivePolicy=missing)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert message.endswith("Reason: Dead letter target does not exist.")
    dlq = arn_of(sqs, make_queue("dlq"))
    with pytest.raises(ClientError) as excinfo:
        make_queue("orders", RedrivePolicy={"deadLetterTargetArn": dlq, "maxReceiveCount": 0})
    assert "valid values are from 1 to 1000 both inclusive" in error_of(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        make_queue("orders", RedrivePolicy={"deadLetterTargetArn": dlq})
    assert "maxReceiveCount" in error_of(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        make_queue("orders.fifo", RedrivePolicy={"deadLetterTargetArn": dlq, "maxReceiveCount": 1})
    assert "same type of queue" in error_of(excinfo)[1]


def test_redrive_allow_policy_is_enforced(sqs: Any, make_queue: QueueFactory) -> None:
    dlq_url = make_queue("dlq", RedriveAllowPolicy={"redrivePermission": "denyAll"})
    policy = {"deadLetterTargetArn": arn_of(sqs, dlq_url), "maxReceiveCount": 1}
    with pytest.raises(ClientError) as excinfo:
        make_queue("orders", RedrivePolicy=policy)
    assert "does not allow" in error_of(excinfo)[1]
    allowed = make_queue("allowed")
    sqs.set_queue_attributes(
        QueueUrl=dlq_url,
        Attributes={
            "RedriveAllowPolicy": json.dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [arn_of(sqs, allowed)]}
            )
        },
    )
    sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": json.dumps(policy)})
    other = make_queue("other")
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": json.dumps(policy)})


def test_redrive_allow_policy_validation(sqs: Any, make_queue: QueueFactory) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_queue("dlq", RedriveAllowPolicy={"redrivePermission": "sometimes"})
    assert error_of(excinfo)[0] == "InvalidAttributeValue"
    with pytest.raises(ClientError) as excinfo:
        make_queue("dlq", RedriveAllowPolicy={"redrivePermission": "allowAll", "sourceQueueArns": ["x"]})
    assert error_of(excinfo)[0] == "InvalidAttributeValue"
    assert "byQueue" in error_of(excinfo)[1]


def test_list_dead_letter_source_queues(sqs: Any, make_queue: QueueFactory) -> None:
    dlq = make_queue("dlq")
    policy = {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 3}
    sources = [make_queue(f"source-{i}", RedrivePolicy=policy) for i in range(3)]
    make_queue("unrelated")
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == sources
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert first["queueUrls"] == sources[:2]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=first["NextToken"])
    assert rest["queueUrls"] == sources[2:]
    assert "NextToken" not in rest


def _fill_dlq(aws: Cloud, sqs: Any, make_queue: QueueFactory, count: int) -> tuple[str, str]:
    url, dlq = with_dlq(sqs, make_queue, max_receive_count=1)
    for index in range(count):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{index}")
    receive(sqs, url, MaxNumberOfMessages=10)
    aws.clock.advance(10)
    assert receive(sqs, url, MaxNumberOfMessages=10) == []
    assert counts(sqs, dlq) == (count, 0, 0)
    return url, dlq


def test_move_task_redrives_to_the_source_at_its_rate(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url, dlq = _fill_dlq(aws, sqs, make_queue, 5)
    dlq_arn = arn_of(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
    (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task["Status"] == "RUNNING"
    assert task["TaskHandle"] == handle
    assert task["ApproximateNumberOfMessagesToMove"] == 5
    assert task["ApproximateNumberOfMessagesMoved"] == 0
    aws.clock.advance(1)
    assert counts(sqs, url) == (2, 0, 0)
    aws.clock.advance(2)
    (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 5)
    assert "TaskHandle" not in task
    assert counts(sqs, dlq) == (0, 0, 0)
    assert sorted(m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)) == [f"m{i}" for i in range(5)]


def test_move_task_to_a_destination(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    _, dlq = _fill_dlq(aws, sqs, make_queue, 3)
    elsewhere = make_queue("elsewhere")
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), DestinationArn=arn_of(sqs, elsewhere))
    aws.clock.advance(1)
    assert counts(sqs, elsewhere) == (3, 0, 0)


def test_cancel_a_move_task_midway(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url, dlq = _fill_dlq(aws, sqs, make_queue, 5)
    dlq_arn = arn_of(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    aws.clock.advance(2)
    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 2
    assert sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]["Status"] == "CANCELLING"
    aws.clock.advance(10)
    (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("CANCELLED", 2)
    assert counts(sqs, url) == (2, 0, 0)
    assert counts(sqs, dlq) == (3, 0, 0)
    with pytest.raises(ClientError):
        sqs.cancel_message_move_task(TaskHandle=handle)


def test_only_one_active_task_per_source(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    _, dlq = _fill_dlq(aws, sqs, make_queue, 2)
    dlq_arn = arn_of(sqs, dlq)
    sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    aws.clock.advance(5)
    sqs.start_message_move_task(SourceArn=dlq_arn)
    assert [t["Status"] for t in sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]] == [
        "COMPLETED",
        "COMPLETED",
    ]


def test_move_task_errors(sqs: Any, make_queue: QueueFactory) -> None:
    nowhere = "arn:aws:sqs:us-east-1:123456789012:nowhere"
    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as excinfo:
        sqs.start_message_move_task(SourceArn=nowhere)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.list_message_move_tasks(SourceArn=nowhere)
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.cancel_message_move_task(TaskHandle="bm90IGEgaGFuZGxl")
    plain = arn_of(sqs, make_queue("plain"))
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=plain)
    assert error_of(excinfo) == ("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
    _, dlq = with_dlq(sqs, make_queue)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=501)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError):
        sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq), MaxResults=11)


def test_dead_letter_retention_counts_from_the_original_send(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    """AWS: for standard queues, expiry is always based on the original enqueue timestamp."""
    url, dlq = with_dlq(sqs, make_queue, max_receive_count=1, MessageRetentionPeriod=120)
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    receive(sqs, url)
    aws.clock.advance(100)
    receive(sqs, url)  # moves it
    assert counts(sqs, dlq) == (1, 0, 0)
    aws.clock.advance(20)
    assert counts(sqs, dlq) == (0, 0, 0)


def test_fifo_dead_letter_queue(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    dlq = make_queue("orders-dlq.fifo")
    policy = {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 1}
    url = make_queue("orders.fifo", VisibilityTimeout=5, RedrivePolicy=policy, ContentBasedDeduplication=True)
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    receive(sqs, url)
    aws.clock.advance(5)
    # The head is over its limit: it moves, and the group goes on with the next message.
    assert [m["Body"] for m in receive(sqs, url)] == ["second"]
    assert aws.sqs.queue("orders-dlq.fifo").bodies == ["first"]
    assert aws.sqs.queue("orders-dlq.fifo").messages[0].group_id == "g"


def test_deleting_the_dead_letter_queue_stops_its_running_task(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url, dlq = _fill_dlq(aws, sqs, make_queue, 3)
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=1)
    aws.clock.advance(1)
    sqs.delete_queue(QueueUrl=dlq)
    aws.clock.advance(10)
    assert counts(sqs, url) == (1, 0, 0)  # moved before the delete; nothing since


def test_a_move_task_whose_destination_is_deleted_fails(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    _, dlq = _fill_dlq(aws, sqs, make_queue, 3)
    dlq_arn = arn_of(sqs, dlq)
    elsewhere = make_queue("elsewhere")
    sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=arn_of(sqs, elsewhere), MaxNumberOfMessagesPerSecond=1
    )
    aws.clock.advance(1)
    sqs.delete_queue(QueueUrl=elsewhere)
    aws.clock.advance(10)
    (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("FAILED", 1)
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert counts(sqs, dlq) == (2, 0, 0)
