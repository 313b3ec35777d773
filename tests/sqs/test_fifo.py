"""FIFO queues: order within groups, group locks, deduplication, sequence numbers, retries."""

from __future__ import annotations

import string
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import arn_of, counts, error_of, receive


def send(sqs: Any, url: str, body: str, group: str = "g", dedup: str | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": body, "MessageGroupId": group}
    kwargs["MessageDeduplicationId"] = dedup or body
    return dict(sqs.send_message(**kwargs))


def bodies(messages: list[dict[str, Any]]) -> list[str]:
    return [m["Body"] for m in messages]


def test_messages_of_a_group_come_in_order(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    for index in range(5):
        send(sqs, url, f"m{index}")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=3)) == ["m0", "m1", "m2"]


def test_group_is_locked_while_a_message_is_in_flight(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo", VisibilityTimeout=30)
    send(sqs, url, "a1", group="a")
    send(sqs, url, "a2", group="a")
    send(sqs, url, "b1", group="b")
    assert bodies(receive(sqs, url)) == ["a1"]
    assert bodies(receive(sqs, url)) == ["b1"]  # a is locked: a2 must wait for a1
    assert receive(sqs, url) == []
    aws.clock.advance(30)
    (again,) = receive(sqs, url)
    assert again["Body"] == "a1"  # a1 came back first, still in order


def test_deleting_the_head_unlocks_the_group(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    send(sqs, url, "a1")
    send(sqs, url, "a2")
    (head,) = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=head["ReceiptHandle"])
    assert bodies(receive(sqs, url)) == ["a2"]


def test_one_receive_prefers_one_group(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    send(sqs, url, "a1", group="a")
    send(sqs, url, "b1", group="b")
    send(sqs, url, "a2", group="a")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["a1", "a2", "b1"]


def test_deduplication_by_id_within_five_minutes(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    first = send(sqs, url, "one", dedup="d-1")
    duplicate = send(sqs, url, "one again", dedup="d-1")
    assert duplicate["MessageId"] == first["MessageId"]
    assert counts(sqs, url) == (1, 0, 0)
    aws.clock.advance(minutes=5)
    send(sqs, url, "after the window", dedup="d-1")
    assert counts(sqs, url) == (2, 0, 0)


def test_a_deleted_message_still_suppresses_its_duplicate(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    send(sqs, url, "x", dedup="d")
    (message,) = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    send(sqs, url, "x", dedup="d")
    assert receive(sqs, url) == []


def test_content_based_deduplication(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo", ContentBasedDeduplication=True)
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="different", MessageGroupId="g")
    messages = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["MessageDeduplicationId"])
    assert bodies(messages) == ["same", "different"]
    import hashlib

    assert messages[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()


def test_deduplication_scope_message_group(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo", DeduplicationScope="messageGroup")
    send(sqs, url, "a", group="a", dedup="d")
    send(sqs, url, "b", group="b", dedup="d")
    send(sqs, url, "b again", group="b", dedup="d")
    assert sorted(bodies(receive(sqs, url, MaxNumberOfMessages=10))) == ["a", "b"]


def test_deduplication_scope_queue(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    send(sqs, url, "a", group="a", dedup="d")
    send(sqs, url, "b", group="b", dedup="d")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["a"]


def test_sequence_numbers_increase(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    numbers = [send(sqs, url, f"m{i}")["SequenceNumber"] for i in range(3)]
    assert all(len(n) == 20 for n in numbers)
    assert [int(n) for n in numbers] == sorted(int(n) for n in numbers)
    assert len(set(numbers)) == 3
    messages = receive(sqs, url, MaxNumberOfMessages=10, AttributeNames=["SequenceNumber", "MessageGroupId"])
    assert [m["Attributes"]["SequenceNumber"] for m in messages] == numbers
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"g"}


def test_fifo_send_errors(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo) == ("MissingParameter", "The request must contain the parameter MessageGroupId.")
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d", DelaySeconds=5)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 5 for parameter DelaySeconds is invalid. "
        "Reason: The request include parameter that is not valid for this queue type.",
    )


def test_queue_delay_applies_to_fifo(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo", DelaySeconds=5)
    send(sqs, url, "x")
    assert counts(sqs, url) == (0, 0, 1)
    aws.clock.advance(5)
    assert bodies(receive(sqs, url)) == ["x"]


def test_receive_request_attempt_id_replays_the_same_answer(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    send(sqs, url, "a1", group="a")
    send(sqs, url, "a2", group="a")
    send(sqs, url, "b1", group="b")
    first = receive(sqs, url, ReceiveRequestAttemptId="attempt-1")
    assert bodies(first) == ["a1"]
    retry = receive(sqs, url, ReceiveRequestAttemptId="attempt-1")
    assert retry == first  # same message, same receipt handle
    other = receive(sqs, url, ReceiveRequestAttemptId="attempt-2")
    assert bodies(other) == ["b1"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    # a1 changed (deleted), so the same attempt id is a fresh receive: group a goes on with a2.
    assert bodies(receive(sqs, url, ReceiveRequestAttemptId="attempt-1")) == ["a2"]


def test_a_retried_receive_restarts_the_visibility_timeout(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    """AWS: "If a retry occurs within the deduplication interval, it resets the visibility timeout"."""
    aws.clock.freeze("2024-01-01T00:00:00Z")
    url = make_queue("orders.fifo", VisibilityTimeout=30)
    send(sqs, url, "a1")
    (first,) = receive(sqs, url, ReceiveRequestAttemptId="attempt-1")
    aws.clock.advance(20)
    (retry,) = receive(sqs, url, ReceiveRequestAttemptId="attempt-1")
    assert retry["ReceiptHandle"] == first["ReceiptHandle"]
    aws.clock.advance(29)
    assert counts(sqs, url) == (0, 1, 0)
    aws.clock.advance(1)
    assert counts(sqs, url) == (1, 0, 0)


def test_fifo_expired_receipt_handle(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo", VisibilityTimeout=10)
    send(sqs, url, "x")
    (message,) = receive(sqs, url)
    aws.clock.advance(10)
    handle = message["ReceiptHandle"]
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
    )
    assert counts(sqs, url) == (1, 0, 0)


def test_fifo_batch_keeps_order(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo", ContentBasedDeduplication=True)
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": f"e{i}", "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(4)],
    )
    assert all("SequenceNumber" in e for e in result["Successful"])
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["m0", "m1", "m2", "m3"]


def test_standard_queue_accepts_message_group_id_for_fair_queues(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="tenant-1")
    (message,) = receive(sqs, url, AttributeNames=["MessageGroupId"])
    assert message["Attributes"] == {"MessageGroupId": "tenant-1"}


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("MessageGroupId", "order 1"),
        ("MessageGroupId", "g" * 129),
        ("MessageDeduplicationId", "café"),
        ("MessageDeduplicationId", "d" * 129),
    ],
)
def test_group_and_deduplication_ids_are_limited_to_128_printable_ascii_characters(
    sqs: Any, make_queue: QueueFactory, parameter: str, value: str
) -> None:
    url = make_queue("orders.fifo")
    kwargs = {"MessageGroupId": "g", "MessageDeduplicationId": "d", parameter: value}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", **kwargs)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert message.startswith(f"Value {value} for parameter {parameter} is invalid.")
    assert counts(sqs, url) == (0, 0, 0)


def test_ids_may_use_every_punctuation_character(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    token = "aZ09" + string.punctuation + "x" * 92  # 128 characters
    assert len(token) == 128
    send(sqs, url, "x", group=token, dedup=token)
    (message,) = receive(sqs, url, ReceiveRequestAttemptId=token, AttributeNames=["MessageGroupId"])
    assert message["Attributes"]["MessageGroupId"] == token


def test_receive_request_attempt_id_is_validated(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    with pytest.raises(ClientError) as excinfo:
        receive(sqs, url, ReceiveRequestAttemptId="with space")
    assert error_of(excinfo)[0] == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("missing", "error"),
    [
        ("MessageGroupId", ("MissingParameter", "The request must contain the parameter MessageGroupId.")),
        (
            "MessageDeduplicationId",
            (
                "InvalidParameterValue",
                "The queue should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly",
            ),
        ),
    ],
)
def test_a_fifo_batch_entry_without_its_ids_fails_the_whole_request(
    sqs: Any, make_queue: QueueFactory, missing: str, error: tuple[str, str]
) -> None:
    url = make_queue("orders.fifo")
    good = {"Id": "good", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "a"}
    bad = {k: v for k, v in {**good, "Id": "bad", "MessageDeduplicationId": "b"}.items() if k != missing}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=[good, bad])
    assert error_of(excinfo) == error
    assert counts(sqs, url) == (0, 0, 0)  # not even the good entry was sent


def test_purge_clears_the_deduplication_cache(aws: Cloud, sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    first = send(sqs, url, "x", dedup="d")
    sqs.purge_queue(QueueUrl=url)
    again = send(sqs, url, "x", dedup="d")
    assert again["MessageId"] != first["MessageId"]
    assert aws.sqs.queue("orders.fifo").bodies == ["x"]


def test_a_group_unlocks_once_its_head_is_visible_again(sqs: Any, make_queue: QueueFactory) -> None:
    """AWS releases a group when its head is visible again, even with later messages in flight."""
    url = make_queue("orders.fifo", VisibilityTimeout=30)
    for body in ("a1", "a2", "a3"):
        send(sqs, url, body, group="a")
    head, _ = receive(sqs, url, MaxNumberOfMessages=2)
    assert receive(sqs, url) == []  # the head is in flight: the group is locked
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=head["ReceiptHandle"], VisibilityTimeout=0)
    # The head comes back; a2 is still in flight, so nothing behind it overtakes it.
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10)) == ["a1"]


def test_a_zero_visibility_receive_returns_each_message_once(sqs: Any, make_queue: QueueFactory) -> None:
    url = make_queue("orders.fifo")
    send(sqs, url, "a1", group="a")
    send(sqs, url, "b1", group="b")
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=0)) == ["a1", "b1"]
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=0)) == ["a1", "b1"]


def test_a_receive_that_dead_letters_a_head_returns_each_message_once(sqs: Any, make_queue: QueueFactory) -> None:
    """The group's next message becomes its head mid-receive; one receive still walks a group once."""
    dead = make_queue("dead.fifo")
    url = make_queue("orders.fifo", RedrivePolicy={"deadLetterTargetArn": arn_of(sqs, dead), "maxReceiveCount": 1})
    send(sqs, url, "a1")
    send(sqs, url, "a2")
    assert bodies(receive(sqs, url, VisibilityTimeout=0)) == ["a1"]
    # a1 was received once already: it moves to the dead-letter queue, and a2 is returned once.
    assert bodies(receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=0)) == ["a2"]
    assert bodies(receive(sqs, dead, MaxNumberOfMessages=10)) == ["a1"]  # a2 stayed in its queue
