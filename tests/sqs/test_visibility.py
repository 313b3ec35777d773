"""Visibility timeouts, delays, receipt handles, retention and purging, all in virtual time."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import counts, error_of, receive


def test_received_message_is_invisible_until_the_timeout_passes(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze()  # to the hundredth of a second: no real time may slip in between the calls
    url = make_queue(VisibilityTimeout=30)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    assert len(receive(sqs, url)) == 1
    assert counts(sqs, url) == (0, 1, 0)
    aws.clock.advance(29.99)
    assert receive(sqs, url) == []
    aws.clock.advance(0.01)
    (again,) = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_visibility_timeout_of_the_receive_wins(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(VisibilityTimeout=30)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    receive(sqs, url, VisibilityTimeout=5)
    aws.clock.advance(5)
    assert len(receive(sqs, url)) == 1


def test_zero_visibility_timeout(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(VisibilityTimeout=0)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    first = receive(sqs, url)
    second = receive(sqs, url)
    assert first[0]["MessageId"] == second[0]["MessageId"]
    assert first[0]["ReceiptHandle"] != second[0]["ReceiptHandle"]


def test_change_message_visibility(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(VisibilityTimeout=30)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (message,) = receive(sqs, url)
    aws.clock.advance(20)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=60)
    aws.clock.advance(59)
    assert receive(sqs, url) == []
    aws.clock.advance(1)
    assert len(receive(sqs, url)) == 1


def test_change_visibility_to_zero_releases_the_message(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (message,) = receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    assert counts(sqs, url) == (1, 0, 0)


def test_change_visibility_with_an_expired_handle_is_accepted(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    """AWS accepts a handle past its visibility timeout while the message is still in the queue."""
    aws.clock.freeze()
    url = make_queue(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (message,) = receive(sqs, url)
    aws.clock.advance(10)
    assert counts(sqs, url) == (1, 0, 0)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30)
    assert counts(sqs, url) == (0, 1, 0)  # hidden again for the new timeout
    aws.clock.advance(30)
    assert counts(sqs, url) == (1, 0, 0)


def test_change_visibility_checks_the_timeout_before_the_message(
    aws: Cloud, sqs: Any, make_queue: QueueFactory
) -> None:
    url = make_queue(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (message,) = receive(sqs, url)
    aws.clock.advance(10)  # no longer in flight
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=43_201)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.",
    )


def test_change_visibility_with_an_older_handle_is_accepted(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (old,) = receive(sqs, url)
    aws.clock.advance(10)
    (new,) = receive(sqs, url)
    assert new["ReceiptHandle"] != old["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"], VisibilityTimeout=0)
    assert counts(sqs, url) == (1, 0, 0)


def test_change_visibility_of_a_deleted_message(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (message,) = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30)
    code, text = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert text.endswith("Reason: Message does not exist or is not available for visibility timeout change.")


def test_visibility_cannot_exceed_twelve_hours_from_receive(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.clock.freeze()  # exact arithmetic: no real milliseconds between the calls
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="job")
    (message,) = receive(sqs, url, VisibilityTimeout=43_200)
    aws.clock.advance(hours=2)
    handle = message["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=36_000)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=36_001)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 36001 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message "
        "is beyond the limit [43200 seconds]",
    )


def test_change_visibility_batch(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    for index in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    messages = receive(sqs, url, MaxNumberOfMessages=10)
    result = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "b", "ReceiptHandle": messages[1]["ReceiptHandle"], "VisibilityTimeout": 300},
            {"Id": "c", "ReceiptHandle": "AQEBbogus", "VisibilityTimeout": 0},
        ],
    )
    assert sorted(e["Id"] for e in result["Successful"]) == ["a", "b"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [("c", "ReceiptHandleIsInvalid", True)]
    assert counts(sqs, url) == (1, 1, 0)
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=[])


def test_invalid_receipt_handle(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as excinfo:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert error_of(excinfo) == (
        "ReceiptHandleIsInvalid",
        'The input receipt handle "garbage" is not a valid receipt handle.',
    )


def test_receipt_handle_of_another_queue_is_invalid(sqs: Any, make_queue: QueueFactory) -> None:
    first, second = make_queue("first"), make_queue("second")
    sqs.send_message(QueueUrl=first, MessageBody="x")
    (message,) = receive(sqs, first)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=second, ReceiptHandle=message["ReceiptHandle"])


def test_deleting_twice_succeeds(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (message,) = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


def test_latest_handle_deletes_even_after_timeout(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (message,) = receive(sqs, url)
    aws.clock.advance(15)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


def test_stale_handle_does_not_delete(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    """AWS: with an old handle "the request will succeed, but the message might not be deleted"."""
    url = make_queue(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (old,) = receive(sqs, url)
    aws.clock.advance(10)
    receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"])
    assert counts(sqs, url) == (0, 1, 0)


def test_queue_delay(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(DelaySeconds=10)
    sqs.send_message(QueueUrl=url, MessageBody="later")
    assert counts(sqs, url) == (0, 0, 1)
    assert receive(sqs, url) == []
    aws.clock.advance(10)
    assert counts(sqs, url) == (1, 0, 0)


def test_message_delay_overrides_queue_delay(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(DelaySeconds=10)
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=3)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["now"]
    aws.clock.advance(3)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["soon"]


def test_delay_seconds_range(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900",
    )


def test_retention_expiry(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(MessageRetentionPeriod=60)
    sqs.send_message(QueueUrl=url, MessageBody="old")
    aws.clock.advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="young")
    aws.clock.advance(30)
    assert counts(sqs, url) == (1, 0, 0)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["young"]


def test_in_flight_message_expires_too(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(MessageRetentionPeriod=60, VisibilityTimeout=600)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    receive(sqs, url)
    aws.clock.advance(days=1)
    assert counts(sqs, url) == (0, 0, 0)


def test_purge_queue_and_its_60_second_rule(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    for index in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    receive(sqs, url)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    aws.clock.advance(59)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as excinfo:
        sqs.purge_queue(QueueUrl=url)
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Only one PurgeQueue operation on orders is allowed every 60 seconds.",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    aws.clock.advance(1)
    sqs.purge_queue(QueueUrl=url)


def test_counters_stay_consistent(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue(VisibilityTimeout=10)
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    sqs.send_message(QueueUrl=url, MessageBody="c", DelaySeconds=5)
    receive(sqs, url)
    assert counts(sqs, url) == (1, 1, 1)
    aws.clock.advance(5)
    assert counts(sqs, url) == (2, 1, 0)
    aws.clock.advance(5)
    assert counts(sqs, url) == (3, 0, 0)


def test_freezegun_moves_the_cloud(sqs: Any, make_queue: QueueFactory) -> None:
    from freezegun import freeze_time

    with freeze_time("2024-01-01T00:00:00Z") as frozen:
        url = make_queue(VisibilityTimeout=30)
        sqs.send_message(QueueUrl=url, MessageBody="x")
        receive(sqs, url)
        frozen.tick(29)
        assert receive(sqs, url) == []
        frozen.tick(1)
        assert len(receive(sqs, url)) == 1


def test_in_flight_limit(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    aws.sqs.in_flight_limit = 3  # AWS's is 120,000; lowered so the test stays small
    url, fifo = make_queue(), make_queue("orders.fifo", ContentBasedDeduplication=True)
    for index in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
        sqs.send_message(QueueUrl=fifo, MessageBody=str(index), MessageGroupId=str(index))
    assert len(receive(sqs, url, MaxNumberOfMessages=10)) == 3
    with pytest.raises(sqs.exceptions.OverLimit) as excinfo:
        receive(sqs, url)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # FIFO queues answer with no messages instead of an error.
    assert len(receive(sqs, fifo, MaxNumberOfMessages=10)) == 3
    assert receive(sqs, fifo) == []


def test_a_long_poll_at_the_in_flight_limit_waits_instead_of_failing(
    aws: Cloud, sqs: Any, make_queue: QueueFactory
) -> None:
    """AWS's quotas page: at the limit, short polling gets OverLimit and long polling no error."""
    aws.clock.freeze("2024-01-01T00:00:00Z")
    aws.sqs.in_flight_limit = 1  # AWS's is 120,000; lowered so the test stays small
    url = make_queue(VisibilityTimeout=5)
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    assert [m["Body"] for m in receive(sqs, url)] == ["a"]
    before = aws.clock.now()
    # The poll waits until "a" leaves flight (its timeout ends), then gets a message.
    assert len(receive(sqs, url, WaitTimeSeconds=20)) == 1
    assert aws.clock.now() - before == 5


def test_a_zero_visibility_receive_returns_each_message_once(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    for _ in range(2):
        assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=0)] == ["a", "b"]
    assert counts(sqs, url) == (2, 0, 0)
