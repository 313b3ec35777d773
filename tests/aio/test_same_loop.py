"""A long poll on an async client leaves its event loop free for the test's other tasks.

The poll's answer runs on a kit thread in turns with the loop
(core/threads.py, ``run_in_turns``): while it waits, the loop's other tasks
run, and virtual time moves only once the loop has nothing else to do.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from pytest_awsmsg import Cloud, fake_aws

session = pytest.importorskip("aiobotocore.session")

pytestmark = pytest.mark.asyncio


def client(name: str) -> Any:
    return session.get_session().create_client(name, region_name="us-east-1")


@pytest_asyncio.fixture
async def sqs(aws: Cloud) -> AsyncIterator[Any]:
    async with client("sqs") as sqs:
        yield sqs


async def test_a_producer_task_on_the_same_loop_feeds_the_long_poll(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    aws.clock.freeze()
    started = aws.clock.now()

    async def producer() -> None:
        for _ in range(3):
            await asyncio.sleep(0)  # a few turns of the loop first: the poll is already waiting
        await sqs.send_message(QueueUrl=url, MessageBody="order 1")

    sending = asyncio.create_task(producer())
    answer = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    await sending
    assert [m["Body"] for m in answer.get("Messages", [])] == ["order 1"]
    assert aws.clock.now() == started  # it came at once: no virtual time passed
    assert [(c.operation, c.thread) for c in list(aws.calls)[-2:]] == [
        ("ReceiveMessage", "MainThread"),  # the call log names the loop's thread, not the kit's
        ("SendMessage", "MainThread"),
    ]


async def test_time_moves_only_as_far_as_the_producer_sleeps(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    aws.clock.freeze()
    started = aws.clock.now()

    async def producer() -> None:
        await asyncio.sleep(7)  # virtual: the test asked for virtual sleep
        await sqs.send_message(QueueUrl=url, MessageBody="late order")

    with aws.clock.patch_sleep():
        sending = asyncio.create_task(producer())
        answer = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        await sending
    assert [m["Body"] for m in answer["Messages"]] == ["late order"]
    assert aws.clock.now() - started == pytest.approx(7)


async def test_an_empty_poll_still_ends_in_virtual_time_beside_idle_and_spinning_tasks(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    started, real_start = aws.clock.now(), time.monotonic()  # not frozen: time.monotonic stays real
    never = asyncio.Event()
    spins = 0

    async def idle() -> None:
        await never.wait()

    async def spinning() -> None:
        nonlocal spins
        while True:
            spins += 1
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(idle()), asyncio.create_task(spinning())]
    answer = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    for task in tasks:
        task.cancel()
    assert "Messages" not in answer
    assert aws.clock.now() - started == pytest.approx(20, abs=2)
    assert spins > 0  # the loop ran while the poll waited
    assert time.monotonic() - real_start < 5  # a task that never idles holds the poll back briefly only


async def scenario() -> list[str]:
    """Two consumers polling and one producer on one loop; what each got, in order."""
    async with fake_aws(seed=11) as cloud, client("sqs") as sqs:
        cloud.clock.freeze("2025-01-01T00:00:00Z")
        urls = [(await sqs.create_queue(QueueName=name))["QueueUrl"] for name in ("a", "b")]

        async def consume(url: str) -> list[str]:
            answer = await sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20, MaxNumberOfMessages=10)
            return [f"{m['Body']} {m['MessageId']} {m['ReceiptHandle'][-24:]}" for m in answer.get("Messages", [])]

        async def produce() -> None:
            for n in range(4):
                await sqs.send_message(QueueUrl=urls[n % 2], MessageBody=f"m{n}")

        got_a, got_b, _ = await asyncio.gather(consume(urls[0]), consume(urls[1]), produce())
        return [*got_a, "--", *got_b, f"{cloud.clock.now()}"]


async def test_polls_and_producers_on_one_loop_are_deterministic() -> None:
    first = await scenario()
    assert first == await scenario()  # same seed, same ids, same split between the consumers
    split = first.index("--")
    assert first[0].startswith("m0 ")  # each consumer got what was sent to its queue, at once
    assert first[split + 1].startswith("m1 ")
    assert first[-1] == "1735689600.0"


async def test_a_poll_cancelled_by_its_task_ends_and_the_loop_goes_on(aws: Cloud, sqs: Any) -> None:
    url = (await sqs.create_queue(QueueName="orders"))["QueueUrl"]
    aws.clock.freeze()
    started = aws.clock.now()

    def kit_threads() -> int:
        return sum(1 for thread in threading.enumerate() if thread.name.startswith("awsmsg-aio"))

    before = kit_threads()
    for _ in range(4):
        polling = asyncio.create_task(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20))
        while sum(call.operation == "ReceiveMessage" for call in aws.calls) <= _:
            await asyncio.sleep(0)  # until the poll is waiting in the cloud (the loop is busy meanwhile)
        polling.cancel()
        with pytest.raises(asyncio.CancelledError):
            await polling
    assert kit_threads() <= before + 1  # each cancelled poll ended; its thread serves the next call
    await sqs.send_message(QueueUrl=url, MessageBody="after")
    [message] = (await sqs.receive_message(QueueUrl=url))["Messages"]
    assert message["Body"] == "after"  # the cancelled polls took nothing
    assert aws.clock.now() - started < 20
