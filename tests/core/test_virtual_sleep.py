"""Virtual sleep: polling loops in the code under test finish at once, on one
timeline with the cloud, alone or with freezegun / time-machine."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any

import boto3
import freezegun
import pytest
import time_machine
from botocore.config import Config

from pytest_awsmsg import Cloud, fake_aws


def wait_for_message(url: str, timeout: float, every: float = 5.0) -> tuple[Any, int]:
    """Production-style polling: short receives, a sleep, and a monotonic deadline."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    deadline = time.monotonic() + timeout
    polls = 0
    while time.monotonic() < deadline:
        polls += 1
        found = sqs.receive_message(QueueUrl=url).get("Messages")
        if found:
            return found[0]["Body"], polls
        time.sleep(every)
    return None, polls


def delayed_queue(aws: Cloud, delay: int) -> str:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = str(sqs.create_queue(QueueName="slow")["QueueUrl"])
    sqs.send_message(QueueUrl=url, MessageBody="late", DelaySeconds=delay)
    return url


def test_a_polling_loop_waits_in_virtual_time() -> None:
    with fake_aws(seed=1, virtual_sleep=True) as aws:
        url = delayed_queue(aws, 30)
        start = aws.clock.now()
        body, polls = wait_for_message(url, timeout=120)
        assert (body, polls) == ("late", 7)  # polled at 0, 5, ... 30 s
        assert aws.clock.now() - start == 30
        assert aws.clock.slept == 30


def test_a_polling_loop_gives_up_at_its_deadline() -> None:
    with fake_aws(seed=1, virtual_sleep=True) as aws:
        url = delayed_queue(aws, 900)
        start = aws.clock.now()
        assert wait_for_message(url, timeout=60, every=10) == (None, 6)
        assert aws.clock.now() - start == 60


def test_the_process_clock_moves_with_the_cloud_and_is_restored_after() -> None:
    real_sleep = time.sleep
    with fake_aws(seed=1, virtual_sleep=True) as aws:
        before, cloud_before = time.time(), aws.clock.now()
        time.sleep(3600)
        assert time.time() - before == 3600
        assert aws.clock.now() - cloud_before == 3600
        assert datetime.now(timezone.utc).timestamp() == aws.clock.now()
    assert time.sleep is real_sleep


def test_asyncio_sleep_is_virtual_too() -> None:
    async def poll(aws: Cloud) -> float:
        start = aws.clock.now()
        for _ in range(10):
            await asyncio.sleep(60)
        return aws.clock.now() - start

    with fake_aws(seed=1, virtual_sleep=True) as aws:
        assert asyncio.run(poll(aws)) == 600


def test_without_the_mode_sleep_is_not_touched() -> None:
    real_sleep = time.sleep
    with fake_aws(seed=1) as aws:
        assert time.sleep is real_sleep
        assert not aws.clock.frozen


def test_clock_patch_sleep_as_a_context_manager() -> None:
    with fake_aws(seed=1) as aws:
        with aws.clock.patch_sleep():
            start = aws.clock.now()
            time.sleep(45)
            assert aws.clock.now() - start == 45
        assert not aws.clock.frozen  # what the mode froze, it lets go


def test_with_the_tests_own_freezegun() -> None:
    with freezegun.freeze_time("2030-05-01 12:00:00"), fake_aws(seed=1, virtual_sleep=True) as aws:
        url = delayed_queue(aws, 20)
        assert wait_for_message(url, timeout=60)[0] == "late"
        # The test's frozen time moved, and the cloud with it.
        assert datetime.now(timezone.utc).replace(tzinfo=None) == datetime(2030, 5, 1, 12, 0, 20)
        assert aws.clock.now_dt() == datetime(2030, 5, 1, 12, 0, 20, tzinfo=timezone.utc)


def test_with_the_tests_own_time_machine() -> None:
    frozen = time_machine.travel(datetime(2030, 5, 1, 12, 0, tzinfo=timezone.utc), tick=False)
    with frozen, fake_aws(seed=1, virtual_sleep=True) as aws:
        url = delayed_queue(aws, 20)
        assert wait_for_message(url, timeout=60)[0] == "late"
        assert time.time() == datetime(2030, 5, 1, 12, 0, 20, tzinfo=timezone.utc).timestamp()
        assert aws.clock.now() == time.time()


def test_botocore_backoff_is_virtual_and_visible_on_the_clock() -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    with fake_aws(seed=1, virtual_sleep=True) as aws:
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        aws.faults.inject("sqs", "SendMessage", error="throttle", count=4)
        start, process_start = aws.clock.now(), time.time()
        sqs.send_message(QueueUrl=url, MessageBody="x")
        waited = aws.clock.now() - start
        assert aws.clock.slept > 0
        # freezegun keeps microseconds: compare to the millisecond.
        assert waited == pytest.approx(aws.clock.slept, abs=1e-3)
        assert time.time() - process_start == pytest.approx(waited, abs=1e-3)  # the code saw the same backoff


def test_the_event_loop_keeps_running_while_sleep_is_virtual() -> None:
    # loop.call_later and wait_for timeouts use the loop's own clock: a frozen
    # one would hang them.
    async def poll(aws: Cloud) -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.call_later(0.01, ready.set_result, 1)
        start = aws.clock.now()
        await asyncio.sleep(30)
        return await asyncio.wait_for(ready, 5), aws.clock.now() - start

    with fake_aws(seed=1, virtual_sleep=True) as aws:
        assert asyncio.run(poll(aws)) == (1, 30)


def test_two_virtual_sleep_fakes_ending_out_of_order_give_the_real_sleep_back() -> None:
    real_sleep, real_async_sleep = time.sleep, asyncio.sleep
    first, second = fake_aws(seed=1, virtual_sleep=True), fake_aws(seed=2, virtual_sleep=True)
    one, two = first.start(), second.start()
    try:
        first.stop()  # not the last in: the mode stays on, for the cloud still active
        start = two.clock.now()
        time.sleep(30)
        url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")["QueueUrl"]
        assert two.clock.now() - start == pytest.approx(30, abs=1)  # the process's time runs again
        assert two.sqs.queue("q", region="us-east-1").url == url
    finally:
        second.stop()
    assert (time.sleep, asyncio.sleep) == (real_sleep, real_async_sleep)
    assert not one.clock.frozen
    assert not two.clock.frozen


def test_the_clocks_the_docs_say_a_virtual_sleep_moves() -> None:
    import datetime as dt

    names = ("time", "monotonic", "perf_counter", "time_ns", "monotonic_ns", "perf_counter_ns")

    def read() -> list[float]:
        return [getattr(time, name)() for name in names]  # looked up now: freezing swaps them

    with fake_aws(virtual_sleep=True):
        before, now, cpu = read(), dt.datetime.now(), time.process_time()
        time.sleep(100)
        moved = [after - earlier for after, earlier in zip(read(), before, strict=True)]
        assert moved == [100, 100, 100, 100 * 10**9, 100 * 10**9, 100 * 10**9]
        assert dt.datetime.now() - now == dt.timedelta(seconds=100)
        assert time.process_time() - cpu < 5  # CPU time stays real
