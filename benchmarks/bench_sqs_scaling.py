"""SQS ReceiveMessage + GetQueueAttributes on a queue of 1,000 vs 100,000 messages.

A queue indexes its messages by state, so a receive and the approximate
counters should cost the same whatever the queue holds: the ratio of the two
rates is what to read (1.0 is flat; issue 9 asks for within 2x). Both a
standard queue and a FIFO queue (500 message groups) are measured. The queues
are filled with SendMessageBatch; each timed round receives one message at a
time and reads every attribute, then moves the clock past the visibility
timeout so the next round finds the same queue. Rounds on the two queues
alternate, so a machine busy with other work slows both alike.

Run: python benchmarks/bench_sqs_scaling.py  (about a minute: filling 100,000 messages dominates)
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import boto3
from _timing import report

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
REGION = "us-east-1"
SIZES = (1_000, 100_000)
ROUND = 200  # receive + GetQueueAttributes pairs per timed round
ROUNDS = 7
GROUPS = 500  # more than a round receives: a receive locks the group it takes from
VISIBILITY = 30


def fill(sqs: Any, url: str, size: int, fifo: bool) -> None:
    for start in range(0, size, 10):
        entries = []
        for i in range(start, min(start + 10, size)):
            entry: dict[str, Any] = {"Id": str(i - start), "MessageBody": f"order-{i}"}
            if fifo:
                entry.update(MessageGroupId=f"customer-{i % GROUPS}", MessageDeduplicationId=str(i))
            entries.append(entry)
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def rates(fifo: bool) -> dict[str, float]:
    """Pairs per second on each queue size, rounds interleaved so load on the machine hits both alike."""
    from pytest_awsmsg import fake_aws

    with fake_aws() as aws:
        sqs = boto3.client("sqs", region_name=REGION)
        attributes = {"VisibilityTimeout": str(VISIBILITY)}
        if fifo:
            attributes["FifoQueue"] = "true"
        urls = {}
        for size in SIZES:
            name = f"bench-{size}" + (".fifo" if fifo else "")
            urls[size] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            fill(sqs, urls[size], size, fifo)

        def run(url: str) -> float:
            start = time.perf_counter()
            for _ in range(ROUND):
                assert sqs.receive_message(QueueUrl=url)["Messages"]
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            elapsed = time.perf_counter() - start
            aws.clock.advance(VISIBILITY)  # what this round received is visible again
            return ROUND / elapsed

        samples: dict[int, list[float]] = {size: [] for size in SIZES}
        for round_number in range(ROUNDS + 1):
            for size in SIZES:
                rate = run(urls[size])
                if round_number:  # the first round warms up
                    samples[size].append(rate)
        return {f"{size:,} msgs": statistics.median(samples[size]) for size in SIZES}


def main() -> None:
    for fifo in (False, True):
        found = rates(fifo)
        kind = "FIFO" if fifo else "standard"
        title = f"{kind} queue: receive + GetQueueAttributes pairs ({ROUND}/round, median of {ROUNDS})"
        print(report(title, list(found.items()), "pairs/s", found))


if __name__ == "__main__":
    main()
