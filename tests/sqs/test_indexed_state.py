"""The queue's state index against the messages' own timestamps.

Receives and the approximate counters read an index kept up to date as
messages change state (see services/sqs/index.py); the view reads every
message's timestamps. A seeded random walk of sends, receives, deletes,
visibility changes and clock moves (backwards too) must keep the two in
agreement, and every receive must return what the timestamps say it should.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

from .conftest import QueueFactory
from .helpers import counts, receive


def expected_receive(aws: Cloud, name: str, limit: int) -> list[str]:
    """What a receive returns, worked out from the view: the oldest visible messages of a
    standard queue; for a FIFO queue, group by group (oldest head first) the visible run
    from each group's head."""
    messages = aws.sqs.queue(name).messages
    if not name.endswith(".fifo"):
        return [m.body for m in messages if m.state == "visible"][:limit]
    found: list[str] = []
    seen: set[str | None] = set()
    for head in messages:
        if head.group_id in seen:
            continue
        seen.add(head.group_id)
        for message in (m for m in messages if m.group_id == head.group_id):
            if message.state != "visible" or len(found) == limit:
                break
            found.append(message.body)
    return found


def error_code(call: Callable[..., Any], **params: Any) -> str | None:
    """The error code of a call that may be refused, or ``None``."""
    try:
        call(**params)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


@pytest.mark.parametrize("name", ["orders", "orders.fifo"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_random_walk_keeps_index_and_timestamps_in_agreement(
    aws: Cloud, sqs: Any, make_queue: QueueFactory, name: str, seed: int
) -> None:
    rng = random.Random(seed)
    aws.clock.freeze("2024-01-01T00:00:00Z")
    fifo = name.endswith(".fifo")
    url = make_queue(name, VisibilityTimeout=5, MessageRetentionPeriod=120)
    handles: list[str] = []
    for step in range(120):
        action = rng.choice(["send", "send", "receive", "receive", "delete", "change", "advance", "back"])
        if action == "send":
            extra: dict[str, Any] = {}
            if fifo:
                extra = {"MessageGroupId": rng.choice("abc"), "MessageDeduplicationId": str(step)}
            else:
                extra = {"DelaySeconds": rng.choice([0, 0, 3])}
            sqs.send_message(QueueUrl=url, MessageBody=f"m{step}", **extra)
        elif action == "receive":
            limit = rng.randint(1, 4)
            visibility = rng.choice([0, 2, 5])
            expected = expected_receive(aws, name, limit)
            got = receive(sqs, url, MaxNumberOfMessages=limit, VisibilityTimeout=visibility)
            assert [m["Body"] for m in got] == expected, f"step {step}"
            handles += [m["ReceiptHandle"] for m in got]
        elif action == "delete" and handles:
            handle = handles.pop(rng.randrange(len(handles)))
            # Refused only for a FIFO handle past its visibility timeout.
            assert error_code(sqs.delete_message, QueueUrl=url, ReceiptHandle=handle) in (None, "InvalidParameterValue")
        elif action == "change" and handles:
            handle = handles[rng.randrange(len(handles))]
            timeout = rng.choice([0, 4])
            # Refused only once its message was deleted or expired.
            code = error_code(
                sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=timeout
            )
            assert code in (None, "InvalidParameterValue")
        elif action == "advance":
            aws.clock.advance(rng.choice([0.5, 2, 5, 30]))
        elif action == "back":
            aws.clock.freeze(aws.clock.now() - rng.choice([1, 4]))
        view = aws.sqs.queue(name)
        assert counts(sqs, url) == (len(view.visible), len(view.in_flight), len(view.delayed)), f"step {step}"


@pytest.mark.parametrize("name", ["orders", "orders.fifo"])
def test_receive_and_counters_do_not_look_at_every_message(
    aws: Cloud, sqs: Any, make_queue: QueueFactory, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The scaling promise, without timing: a receive and GetQueueAttributes on a queue of
    1,000 messages work out the state of a handful of them, not of all."""
    from pytest_awsmsg.services.sqs.models import Message

    url = make_queue(name)
    fifo = {"MessageGroupId": "g"} if name.endswith(".fifo") else {}
    for start in range(0, 1000, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{start + i}", **fifo} for i in range(10)]
        if fifo:
            entries = [{**e, "MessageDeduplicationId": e["MessageBody"]} for e in entries]
        aws.call("sqs", "SendMessageBatch", {"QueueUrl": url, "Entries": entries})
    looked = 0
    state = Message.state

    def counted(self: Message, now: float) -> str:
        nonlocal looked
        looked += 1
        return state(self, now)

    monkeypatch.setattr(Message, "state", counted)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == [f"m{i}" for i in range(10)]
    assert counts(sqs, url) == (990, 10, 0)
    assert looked <= 20
