"""Server mode: SQS send + receive + delete over HTTP from 4 client processes,
pytest-awsmsg's served cloud vs moto's ThreadedMotoServer, in the same run.

Each client process has its own boto3 client and queue and runs its cycles
as fast as the server answers; every process starts (imports, client made)
before the clock starts. Nothing may be lost: every message sent is received
exactly once and deleted, or the run fails.

Run: python benchmarks/bench_server.py [--cycles 300] [--clients 4]  (needs the `bench` extra: moto)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from typing import Any

REGION = "us-east-1"
_CREDENTIALS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "bench"}


def client(endpoint: str, name: str, cycles: int, ready: Any, go: Any, results: Any) -> None:
    """One client process: send, receive, delete ``cycles`` times; report what it got back."""
    import boto3

    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION, **_CREDENTIALS)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    ready.release()
    go.wait()
    received: list[str] = []
    for i in range(cycles):
        sqs.send_message(QueueUrl=url, MessageBody=f"{name}-{i}")
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        for message in messages:
            received.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    # Anything a receive missed is still in the queue: collect it, so a loss is a loss.
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            break
        for message in messages:
            received.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    results.put((name, received, time.perf_counter()))


def run_clients(endpoint: str, label: str, clients: int, cycles: int) -> float:
    """Cycles per second over all clients; fails if a message was lost or duplicated."""
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    names = [f"{label}-{n}" for n in range(clients)]
    processes = [context.Process(target=client, args=(endpoint, n, cycles, ready, go, results)) for n in names]
    for process in processes:
        process.start()
    for _ in processes:
        if not ready.acquire(timeout=120):
            raise RuntimeError(f"{label}: a client did not start")
    start = time.perf_counter()
    go.set()
    finished = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    elapsed = max(done for _, _, done in finished) - start
    for name, received, _ in finished:
        expected = [f"{name}-{i}" for i in range(cycles)]
        if sorted(received) != sorted(expected):
            lost = sorted(set(expected) - set(received))
            raise AssertionError(f"{label}: {name} lost {lost[:5]} and got {len(received)} of {cycles}")
    return float(clients * cycles / elapsed)


def awsmsg(clients: int, cycles: int) -> float:
    from pytest_awsmsg.core.cloud import Cloud
    from pytest_awsmsg.server.http import HttpEndpoint

    cloud = Cloud(seed=1, region=REGION)
    endpoint = HttpEndpoint(cloud)
    try:
        return run_clients(endpoint.url, "awsmsg", clients, cycles)
    finally:
        endpoint.close()
        cloud.close()


def moto(clients: int, cycles: int) -> float:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        return run_clients(f"http://{host}:{port}", "moto", clients, cycles)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=300, help="send+receive+delete cycles per client")
    parser.add_argument("--clients", type=int, default=4, help="client processes at once")
    args = parser.parse_args()
    os.environ.pop("AWS_ENDPOINT_URL", None)
    ours = awsmsg(args.clients, args.cycles)
    theirs = moto(args.clients, args.cycles)
    print(f"SQS send+receive+delete over HTTP, {args.clients} client processes x {args.cycles} cycles, nothing lost")
    print(f"  pytest-awsmsg serve  {ours:>9,.1f} cycles/s   {ours / theirs:.2f}x moto")
    print(f"  moto ThreadedServer  {theirs:>9,.1f} cycles/s")


if __name__ == "__main__":
    main()
