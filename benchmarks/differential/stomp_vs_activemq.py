"""Differential check, opt-in (not in CI, not in the suite): the same stomp.py scenarios against a
real ActiveMQ on loopback and against the kit's, compared on what the client sees.

    apt-get install activemq          # Debian's ActiveMQ 5.17
    python benchmarks/differential/stomp_vs_activemq.py            # starts one in a temp dir
    python benchmarks/differential/stomp_vs_activemq.py --broker 127.0.0.1:61613  # or use yours

A started broker gets Amazon MQ's relevant settings: a simple authentication
plugin with one user, ``schedulerSupport="true"``, ``wireFormat.maxFrameSize``
of 100 MiB. Frames are normalised before comparing (ids, timestamps, the
server's version, peers), so what differs is behaviour. Time-driven scenarios
wait in real time on the real broker and advance the cloud's clock on the kit.
Exit status 1 when a scenario differs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import stomp  # type: ignore[import-untyped]

USER, PASSWORD = "admin", "correct-horse-battery"
IO_WAIT = 3.0
ACTIVEMQ_HOME = "/usr/share/activemq"

_CONFIG = """<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans
  http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" brokerName="orders"
          dataDirectory="{data}" schedulerSupport="true">
    <plugins>
      <simpleAuthenticationPlugin>
        <users><authenticationUser username="{user}" password="{password}" groups="admins"/></users>
      </simpleAuthenticationPlugin>
    </plugins>
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:{port}?wireFormat.maxFrameSize=104857600"/>
    </transportConnectors>
  </broker>
</beans>
"""


# -- what a client sees ---------------------------------------------------------------------


@dataclass
class Seen(stomp.ConnectionListener):  # type: ignore[misc]
    """Every frame one connection received, in order."""

    frames: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def _add(self, command: str, frame: Any) -> None:
        with self.changed:
            self.frames.append((command, dict(frame.headers), frame.body or ""))
            self.changed.notify_all()

    def on_connected(self, frame: Any) -> None:
        self._add("CONNECTED", frame)

    def on_message(self, frame: Any) -> None:
        self._add("MESSAGE", frame)

    def on_error(self, frame: Any) -> None:
        self._add("ERROR", frame)

    def on_receipt(self, frame: Any) -> None:
        self._add("RECEIPT", frame)

    def wait(self, count: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: len(self.frames) >= count, timeout=IO_WAIT)

    def receipt(self, receipt: str) -> None:
        with self.changed:
            self.changed.wait_for(
                lambda: any(f[0] in ("RECEIPT", "ERROR") and f[1].get("receipt-id") == receipt for f in self.frames),
                timeout=IO_WAIT,
            )

    def messages(self) -> list[tuple[str, dict[str, str], str]]:
        return [f for f in self.frames if f[0] == "MESSAGE"]


@dataclass
class Target:
    """A broker to run scenarios against: how to reach it and how time passes there."""

    name: str
    address: tuple[str, int]
    tls: bool
    pass_time: Callable[[float], None]
    now_ms: Callable[[], int]
    transcript: list[str] = field(default_factory=list)

    def connect(self, version: str = "1.2", password: str = PASSWORD, **headers: str) -> tuple[Any, Seen]:
        kind = {"1.0": stomp.Connection10, "1.1": stomp.Connection11, "1.2": stomp.Connection12}[version]
        conn = kind([self.address]) if version == "1.0" else kind([self.address], heartbeats=(0, 0))
        if self.tls:
            conn.set_ssl(for_hosts=[self.address])
        seen = Seen()
        conn.set_listener("seen", seen)
        with suppress(stomp.exception.ConnectFailedException):
            conn.connect(USER, password, wait=password == PASSWORD, headers=headers)
        seen.wait(1)
        return conn, seen

    def note(self, label: str, frames: list[tuple[str, dict[str, str], str]]) -> None:
        for command, headers, body in frames:
            shown = ", ".join(f"{k}={_normal(k, v)}" for k, v in sorted(headers.items()))
            self.transcript.append(f"{label}: {command} [{shown}] {_normal('body', body)[:80]!r}")


Scenario = Callable[[Target], None]

_ID = re.compile(r"ID:[\w.-]+-\d+-\d+-\d+:\d+(?::-?\d+:\d+:\d+)?")


def _normal(key: str, value: str) -> str:
    """Values that differ by nature between two brokers become placeholders."""
    if key in ("timestamp", "originalExpiration") and value not in ("0", ""):
        return "<ms>"
    if key == "expires" and value != "0":
        return "<ms>"
    if key == "server":
        return re.sub(r"/[\d.]+$", "/<version>", value)
    value = _ID.sub("<id>", value)
    value = re.sub(r"Expiration:\d+", "Expiration:<ms>", value)
    value = re.sub(r"tcp://[\d.]+:\d+", "tcp://<peer>", value)
    value = re.sub(r"Broker: \S+ -", "Broker: <name> -", value)
    return value.split("\n\tat ")[0].split("\n")[0] if key in ("body",) else value


def close(*conns: Any) -> None:
    for conn in conns:
        with suppress(Exception):  # a connection the broker closed
            conn.disconnect(receipt="bye")


# -- scenarios ---------------------------------------------------------------------------------


def connect_versions(t: Target) -> None:
    for version in ("1.0", "1.1", "1.2"):
        conn, seen = t.connect(version)
        t.note(f"connect {version}", seen.frames)
        close(conn)


def wrong_password(t: Target) -> None:
    conn, seen = t.connect(password="wrong")
    t.note("wrong password", seen.frames)
    close(conn)


def queue_roundtrip(t: Target) -> None:
    producer, sent = t.connect()
    producer.send("/queue/d1", "hello", headers={"persistent": "true", "priority": "7", "color": "red"}, receipt="s")
    # Both persistent: ActiveMQ's store cursor interleaves persistent and non-persistent messages queued
    # before a consumer came in an order of its own (seen both ways); the kit keeps arrival order.
    producer.send("/queue/d1", "bytes", headers={"content-length": "5", "persistent": "true"}, receipt="s2")
    sent.receipt("s2")
    consumer, seen = t.connect()
    consumer.subscribe("/queue/d1", id="s1", ack="client-individual")
    seen.wait(3)
    t.note("roundtrip", seen.messages())
    for _, headers, _ in seen.messages():
        consumer.ack(headers["ack"])
    close(producer, consumer)


def nack_to_dlq(t: Target) -> None:
    producer, sent = t.connect()
    producer.send("/queue/d2", "persistent", headers={"persistent": "true"})
    producer.send("/queue/d2", "non-persistent", receipt="s")
    sent.receipt("s")
    consumer, seen = t.connect()
    consumer.subscribe("/queue/d2", id="a", ack="client-individual")
    seen.wait(3)
    for _, headers, _ in seen.messages():
        consumer.nack(headers["ack"], receipt="n")
    seen.receipt("n")
    dlq, dead = t.connect()
    dlq.subscribe("/queue/ActiveMQ.DLQ", id="d")
    dead.wait(2)
    t.note("dlq", dead.messages())
    close(producer, consumer, dlq)


def redelivery_after_drop(t: Target) -> None:
    producer, sent = t.connect()
    producer.send("/queue/d3", "job", headers={"persistent": "true"}, receipt="s")
    sent.receipt("s")
    for attempt in range(8):
        consumer, seen = t.connect()
        consumer.subscribe("/queue/d3", id="a", ack="client")
        seen.wait(2)
        t.note(f"attempt {attempt}", seen.messages())
        close(consumer)  # unacknowledged at DISCONNECT: back to the queue, as after a dropped socket
        time.sleep(0.2)
    close(producer)


def transactions(t: Target) -> None:
    conn, seen = t.connect()
    conn.begin("t1")
    conn.send("/queue/d4", "committed", transaction="t1")
    conn.begin("t2")
    conn.send("/queue/d4", "aborted", transaction="t2")
    conn.abort("t2")
    conn.commit("t1")
    conn.commit("nope", receipt="bad")
    seen.receipt("bad")
    conn.subscribe("/queue/d4", id="a")
    seen.wait(3)
    t.note("tx", seen.frames[1:])
    close(conn)


def selectors(t: Target) -> None:
    conn, seen = t.connect()
    cases = ["amount > 5", "amount = '10'", "flag = true", "amount + 1 = 11", "kind LIKE 'b%'", "amount > '9'"]
    for n, _ in enumerate(cases):
        conn.send(f"/queue/d5.{n}", "m", headers={"amount": "10", "kind": "big", "flag": "true"})
    for n, selector in enumerate(cases):
        conn.subscribe(f"/queue/d5.{n}", id=f"s{n}", headers={"selector": selector, "receipt": f"r{n}"})
        seen.receipt(f"r{n}")
    time.sleep(0.3)
    t.note("selectors", seen.frames[1:])
    close(conn)


def durable(t: Target) -> None:
    name = {"activemq.subscriptionName": "audit"}
    sub, _ = t.connect(**{"client-id": "app"})
    sub.subscribe("/topic/d6", id="a", ack="client", headers=name)
    close(sub)
    producer, sent = t.connect()
    producer.send("/topic/d6", "while away", receipt="s")
    sent.receipt("s")
    back, seen = t.connect(**{"client-id": "app"})
    back.subscribe("/topic/d6", id="a", ack="client", headers=name)
    seen.wait(2)
    back.unsubscribe("a", headers={**name, "receipt": "u"})
    seen.receipt("u")
    taken, refused = t.connect(**{"client-id": "app"})
    t.note("durable", seen.frames[1:] + refused.frames)
    close(back, producer, taken)


def expiry(t: Target) -> None:
    conn, seen = t.connect()
    expires = str(t.now_ms() + 1500)
    conn.send("/queue/d7", "p", headers={"persistent": "true", "expires": expires})
    conn.send("/queue/d7", "np", headers={"expires": expires}, receipt="s")
    seen.receipt("s")
    t.pass_time(2.0)
    conn.subscribe("/queue/d7", id="a")
    time.sleep(0.3)
    dlq, dead = t.connect()
    dlq.subscribe("/queue/ActiveMQ.DLQ", id="d")
    dead.wait(2)
    t.note("queue", seen.messages())
    t.note("dlq", dead.messages())
    close(conn, dlq)


def errors(t: Target) -> None:
    conn, seen = t.connect()
    conn.ack("nope", receipt="r1")
    conn.unsubscribe("zz", headers={"receipt": "r2"})
    conn.send("orders", "bare name", receipt="r3")
    seen.receipt("r3")
    conn.subscribe("/queue/orders", id="o")
    seen.wait(5)
    t.note("errors", seen.frames[1:])
    close(conn)


SCENARIOS = [
    connect_versions,
    wrong_password,
    queue_roundtrip,
    nack_to_dlq,
    redelivery_after_drop,
    transactions,
    selectors,
    durable,
    expiry,
    errors,
]


# -- the two brokers -------------------------------------------------------------------------


@contextmanager
def real_activemq(port: int) -> Iterator[tuple[str, int]]:
    """Debian's ActiveMQ in a temporary directory, on loopback, until the block ends."""
    if not os.path.exists(f"{ACTIVEMQ_HOME}/bin/activemq.jar"):
        sys.exit("ActiveMQ is not installed: apt-get install activemq")
    base = tempfile.mkdtemp(prefix="stomp-diff-")
    config = os.path.join(base, "activemq.xml")
    with open(config, "w", encoding="utf-8") as out:
        out.write(_CONFIG.format(data=f"{base}/data", user=USER, password=PASSWORD, port=port))
    command = ["java", "-Xms64M", "-Xmx256M", f"-Dactivemq.home={ACTIVEMQ_HOME}"]
    command += [f"-Dactivemq.base={base}", f"-Dactivemq.conf={base}", f"-Dactivemq.data={base}/data"]
    command += ["-jar", f"{ACTIVEMQ_HOME}/bin/activemq.jar", "start", f"xbean:file:{config}"]
    log = open(os.path.join(base, "out.log"), "w", encoding="utf-8")  # noqa: SIM115  (lives with the process)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    sys.exit(f"ActiveMQ did not start: see {base}/out.log")
                time.sleep(0.5)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def run_real(address: tuple[str, int], scenario: Scenario) -> list[str]:
    target = Target("activemq", address, False, time.sleep, lambda: int(time.time() * 1000))
    scenario(target)
    return target.transcript


def run_kit(scenario: Scenario) -> list[str]:
    import boto3

    from pytest_awsmsg import fake_aws

    with fake_aws(seed=0) as aws:
        aws.mq.set_durations(create=0)
        mq = boto3.client("mq", region_name="us-east-1")
        broker_id = mq.create_broker(
            BrokerName="orders",
            EngineType="ACTIVEMQ",
            EngineVersion="5.18",
            AutoMinorVersionUpgrade=True,
            DeploymentMode="SINGLE_INSTANCE",
            HostInstanceType="mq.t3.micro",
            PubliclyAccessible=False,
            Users=[{"Username": USER, "Password": PASSWORD}],
            Configuration={"Id": _scheduler_configuration(mq), "Revision": 2},
        )["BrokerId"]
        aws.clock.advance(1)
        url = mq.describe_broker(BrokerId=broker_id)["BrokerInstances"][0]["Endpoints"][2]
        host, port = url.removeprefix("stomp+ssl://").split(":")
        target = Target("kit", (host, int(port)), True, lambda s: aws.clock.advance(s), aws.clock.now_ms)
        scenario(target)
        return target.transcript


def _scheduler_configuration(mq: Any) -> str:
    import base64

    config = mq.create_configuration(Name="scheduler", EngineType="ACTIVEMQ", EngineVersion="5.18")
    xml = '<broker xmlns="http://activemq.apache.org/schema/core" schedulerSupport="true"/>'
    mq.update_configuration(ConfigurationId=config["Id"], Data=base64.b64encode(xml.encode()).decode())
    return str(config["Id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", help="HOST:PORT of a running ActiveMQ's plain STOMP connector")
    parser.add_argument("--port", type=int, default=61613, help="port for the broker this script starts")
    parser.add_argument("-k", dest="only", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    chosen = [s for s in SCENARIOS if not args.only or args.only in s.__name__]

    def compare(address: tuple[str, int]) -> int:
        differing = 0
        for scenario in chosen:
            real, kit = run_real(address, scenario), run_kit(scenario)
            same = real == kit
            differing += not same
            print(f"{'same' if same else 'DIFFERENT'}: {scenario.__name__}")
            if not same:
                for line in real:
                    print(f"  {'  ' if line in kit else '- '}activemq {line}")
                for line in kit:
                    print(f"  {'  ' if line in real else '+ '}kit      {line}")
        print(f"{len(chosen) - differing} of {len(chosen)} scenarios agree")
        return 1 if differing else 0

    if args.broker:
        host, port = args.broker.rsplit(":", 1)
        return compare((host, int(port)))
    with real_activemq(args.port) as address:
        return compare(address)


if __name__ == "__main__":
    sys.exit(main())
