"""Amazon MQ data plane: message round trips through the kit's brokers vs real ones on this machine.

Two scenarios per client, each on one connection:

- round trip: publish one message to a queue and wait until the subscribed
  consumer has it, repeated;
- burst: publish 1,000 messages to an idle queue, then consume all 1,000.

stomp.py 1.2 speaks to the kit's ActiveMQ engine (a broker made through boto3,
reached at the ``stomp+ssl`` endpoint DescribeBroker lists, over TLS) and to a
real ActiveMQ's plain STOMP connector; pika's BlockingConnection speaks to the
kit's RabbitMQ engine (``amqps``, TLS) and to a real RabbitMQ's plain AMQP
port. The real brokers run without TLS on loopback, so their rows carry less
work than the kit's: the ratios flatter the real brokers a little. A real
broker that is not running is skipped with a message. Starting them: see
benchmarks/README.md ("Amazon MQ brokers") and benchmarks/mq/.

Run: python benchmarks/bench_mq.py [--rounds 3] [--trips 200] [--burst 1000]
     [--activemq 127.0.0.1:61613] [--rabbitmq 127.0.0.1:5672] [--profile kit-stomp|kit-amqp]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import socket
import ssl
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import boto3
import pika
import stomp  # type: ignore[import-untyped]

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
REGION = "us-east-1"
USER, PASSWORD = "admin", "correct-horse-battery"  # the kit's brokers, and benchmarks/mq/activemq.xml's user
WAIT = 30.0  # seconds a message may take before the run is declared stuck


# -- clients -----------------------------------------------------------------------------------------


class _Inbox(stomp.ConnectionListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.count = 0
        self.want = 0
        self.done = threading.Event()

    def expect(self, n: int) -> None:
        self.count, self.want = 0, n
        self.done.clear()

    def on_message(self, frame: Any) -> None:
        self.count += 1
        if self.count >= self.want:
            self.done.set()


class StompBench:
    """stomp.py 1.2 on one connection; auto-ack consumers."""

    def __init__(self, host: str, port: int, user: str, password: str, tls: bool) -> None:
        self.conn = stomp.Connection12([(host, port)], heartbeats=(0, 0))
        if tls:
            self.conn.set_ssl(for_hosts=[(host, port)])
        self.inbox = _Inbox()
        self.conn.set_listener("bench", self.inbox)
        self.conn.connect(user, password, wait=True)
        self.n = 0

    def _queue(self) -> str:
        self.n += 1
        return f"/queue/bench.{os.getpid()}.{self.n}"

    def round_trips(self, count: int) -> None:
        queue = self._queue()
        self.conn.subscribe(queue, id="rt", ack="auto")
        for _ in range(count):
            self.inbox.expect(1)
            self.conn.send(queue, "ping")
            if not self.inbox.done.wait(WAIT):
                raise RuntimeError("a round trip's message never arrived")
        self.conn.unsubscribe(id="rt")

    def burst(self, count: int) -> None:
        queue = self._queue()
        for i in range(count):
            self.conn.send(queue, f"message {i}")
        self.inbox.expect(count)
        self.conn.subscribe(queue, id="burst", ack="auto")
        if not self.inbox.done.wait(WAIT):
            raise RuntimeError(f"only {self.inbox.count} of {count} burst messages arrived")
        self.conn.unsubscribe(id="burst")

    def close(self) -> None:
        self.conn.disconnect()


class PikaBench:
    """pika's BlockingConnection; a consumer generator with auto-ack."""

    def __init__(self, host: str, port: int, user: str, password: str, tls: bool) -> None:
        ssl_options = pika.SSLOptions(ssl.create_default_context(), host) if tls else None
        self.conn = pika.BlockingConnection(
            pika.ConnectionParameters(
                host=host, port=port, credentials=pika.PlainCredentials(user, password), ssl_options=ssl_options
            )
        )
        self.channel = self.conn.channel()
        self.n = 0

    def _queue(self) -> str:
        self.n += 1
        name = f"bench.{os.getpid()}.{self.n}"
        self.channel.queue_declare(name, auto_delete=True)
        return name

    def _consume(self, queue: str, count: int) -> None:
        deliveries = self.channel.consume(queue, auto_ack=True, inactivity_timeout=WAIT)
        for got, (method, _, _) in enumerate(deliveries):
            if method is None:
                raise RuntimeError(f"only {got} of {count} messages arrived")
            if got + 1 == count:
                break

    def round_trips(self, count: int) -> None:
        queue = self._queue()
        for _ in range(count):
            self.channel.basic_publish("", queue, b"ping")
            self._consume(queue, 1)
        self.channel.cancel()

    def burst(self, count: int) -> None:
        queue = self._queue()
        for i in range(count):
            self.channel.basic_publish("", queue, f"message {i}".encode())
        self._consume(queue, count)
        self.channel.cancel()

    def close(self) -> None:
        self.conn.close()


# -- brokers -----------------------------------------------------------------------------------------


@contextmanager
def kit_broker(engine: str) -> Iterator[tuple[str, int]]:
    """A RUNNING broker made through boto3 in a fresh cloud; its stomp+ssl or amqps endpoint."""
    from pytest_awsmsg import fake_aws

    with fake_aws() as aws:
        mq = boto3.client("mq", region_name=REGION)
        broker_id = mq.create_broker(
            BrokerName=f"bench-{engine.lower()}",
            DeploymentMode="SINGLE_INSTANCE",
            EngineType=engine,
            EngineVersion="5.18" if engine == "ACTIVEMQ" else "3.13",
            HostInstanceType="mq.t3.micro",
            PubliclyAccessible=False,
            AutoMinorVersionUpgrade=True,
            Users=[{"Username": USER, "Password": PASSWORD}],
        )["BrokerId"]
        aws.clock.advance(minutes=20)
        described = mq.describe_broker(BrokerId=broker_id)
        scheme = "stomp+ssl" if engine == "ACTIVEMQ" else "amqps"
        url = next(u for u in described["BrokerInstances"][0]["Endpoints"] if u.startswith(scheme + "://"))
        parts = urlsplit(url)
        if parts.hostname is None or parts.port is None:
            raise RuntimeError(f"no {scheme} endpoint in {described}")
        yield parts.hostname, parts.port


def reachable(address: str) -> tuple[str, int] | None:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        return None
    return host, int(port)


# -- measuring ---------------------------------------------------------------------------------------


def rates(bench: Any, args: argparse.Namespace) -> dict[str, float]:
    """Median messages per second of each scenario over the rounds (after a warm-up of each)."""
    out: dict[str, float] = {}
    for scenario, count in (("round trip", args.trips), ("burst", args.burst)):
        run: Callable[[int], None] = getattr(bench, "round_trips" if scenario == "round trip" else "burst")
        run(max(1, count // 10))
        samples = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            run(count)
            samples.append(count / (time.perf_counter() - start))
        out[scenario] = statistics.median(samples)
    return out


def measure(name: str, client: type, address: tuple[str, int], login: tuple[str, str], tls: bool, args: Any) -> Any:
    bench = client(*address, *login, tls)
    try:
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            result = rates(bench, args)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
            return result
        return rates(bench, args)
    finally:
        bench.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trips", type=int, default=200, help="round trips per round")
    parser.add_argument("--burst", type=int, default=1000, help="messages per burst")
    parser.add_argument("--activemq", default="127.0.0.1:61613", help="a real ActiveMQ's plain STOMP connector")
    parser.add_argument("--activemq-login", default=f"{USER}:{PASSWORD}")
    parser.add_argument("--rabbitmq", default="127.0.0.1:5672", help="a real RabbitMQ's plain AMQP port")
    parser.add_argument("--rabbitmq-login", default="guest:guest")
    parser.add_argument("--profile", choices=("kit-stomp", "kit-amqp"), help="cProfile the kit's rows")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    results: dict[str, dict[str, float]] = {}
    with kit_broker("ACTIVEMQ") as address:
        results["kit ActiveMQ (stomp+ssl)"] = measure("kit-stomp", StompBench, address, (USER, PASSWORD), True, args)
    real = reachable(args.activemq)
    if real is None:
        print(f"skipped: no ActiveMQ STOMP connector at {args.activemq} (see benchmarks/README.md)")
    else:
        login = tuple(args.activemq_login.split(":", 1))
        results["real ActiveMQ (stomp)"] = measure("real-stomp", StompBench, real, login, False, args)
    with kit_broker("RABBITMQ") as address:
        results["kit RabbitMQ (amqps)"] = measure("kit-amqp", PikaBench, address, (USER, PASSWORD), True, args)
    real = reachable(args.rabbitmq)
    if real is None:
        print(f"skipped: no RabbitMQ at {args.rabbitmq} (see benchmarks/README.md)")
    else:
        login = tuple(args.rabbitmq_login.split(":", 1))
        results["real RabbitMQ (amqp)"] = measure("real-amqp", PikaBench, real, login, False, args)

    print(f"\nmessages/second, median of {args.rounds} rounds; load average now {os.getloadavg()[0]:.1f}")
    print(f"  {'broker':<26} {'round trip':>12} {'burst':>12}")
    for name, row in results.items():
        print(f"  {name:<26} {row['round trip']:>12,.0f} {row['burst']:>12,.0f}")
    for kit, real_name in (
        ("kit ActiveMQ (stomp+ssl)", "real ActiveMQ (stomp)"),
        ("kit RabbitMQ (amqps)", "real RabbitMQ (amqp)"),
    ):
        if real_name in results:
            ratios = ", ".join(
                f"{scenario} {results[kit][scenario] / results[real_name][scenario]:.2f}x" for scenario in results[kit]
            )
            print(f"  {kit} / {real_name}: {ratios}")


if __name__ == "__main__":
    main()
