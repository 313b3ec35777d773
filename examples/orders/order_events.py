"""Order events through an Amazon MQ (ActiveMQ) broker, over STOMP.

Production-style code: plain boto3 and stomp.py, no knowledge of tests. The
publisher finds its broker by name through the Amazon MQ API and connects to
the ``stomp+ssl`` endpoints of every instance: stomp.py tries them in order,
which is how a client fails over from the active broker of a pair to the
standby. Each event is sent persistently and with a receipt, so ``publish``
returns once the broker has the event; when a receipt does not come, the
connection is given up and the event sent again on a new one.

The shipping consumer takes events with client-individual acks. An event its
handler cannot process is NACKed, which ActiveMQ treats as a poison message:
it goes to ``ActiveMQ.DLQ`` for someone to look at.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from typing import Any

import boto3
import stomp  # type: ignore[import-untyped]

EVENTS = "/queue/orders.events"
# How long a receipt may take (real time: network latency, not business time). It is also how
# the publisher finds a dead connection: stomp.py does not notice a TLS connection the broker
# dropped while idle (its reader takes an empty read for "no data yet"), so a send into it
# vanishes and only the missing receipt tells.
RECEIPT_TIMEOUT = 10.0
ATTEMPTS = 3

Handler = Callable[[dict[str, Any]], None]


def stomp_endpoints(broker_name: str, mq: Any = None) -> list[tuple[str, int]]:
    """(host, port) of the STOMP endpoint of each instance of the broker called ``broker_name``."""
    mq = mq or boto3.client("mq")
    summaries = mq.list_brokers()["BrokerSummaries"]
    broker_id = next(s["BrokerId"] for s in summaries if s["BrokerName"] == broker_name)
    endpoints = []
    for instance in mq.describe_broker(BrokerId=broker_id)["BrokerInstances"]:
        for url in instance["Endpoints"]:
            if url.startswith("stomp+ssl://"):
                host, port = url.removeprefix("stomp+ssl://").rsplit(":", 1)
                endpoints.append((host, int(port)))
    return endpoints


def _connection(hosts: list[tuple[str, int]], listener: stomp.ConnectionListener) -> stomp.Connection12:
    # No heart-beats: short-lived test brokers and this app's short sessions do not need them.
    conn = stomp.Connection12(hosts, heartbeats=(0, 0), reconnect_attempts_max=1)
    conn.set_ssl(for_hosts=hosts)  # Amazon MQ speaks TLS only; the default certificate checks apply
    conn.set_listener("app", listener)
    return conn


class _Receipts(stomp.ConnectionListener):  # type: ignore[misc]
    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._seen: set[str] = set()
        self._changed = threading.Condition()

    def on_receipt(self, frame: Any) -> None:
        with self._changed:
            self._seen.add(frame.headers["receipt-id"])
            self._changed.notify_all()

    def wait(self, receipt: str) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: receipt in self._seen, timeout=self._timeout)


class OrderEventPublisher:
    """Sends order events to the broker, persistently, each confirmed by a receipt."""

    def __init__(
        self, broker_name: str, username: str, password: str, mq: Any = None, receipt_timeout: float = RECEIPT_TIMEOUT
    ) -> None:
        self.hosts = stomp_endpoints(broker_name, mq)
        self._credentials = (username, password)
        self._receipts = _Receipts(receipt_timeout)
        self._conn = _connection(self.hosts, self._receipts)
        self._sent = 0

    def publish(self, order_id: str, kind: str, **details: Any) -> None:
        """Send one event; returns once the broker has it (on a fresh connection if the old one died)."""
        body = json.dumps({"order_id": order_id, "kind": kind, **details}, sort_keys=True)
        for _ in range(ATTEMPTS):
            self._sent += 1
            receipt = f"event-{self._sent}"
            try:
                if not self._conn.is_connected():
                    self._conn.connect(*self._credentials, wait=True)
                headers = {"persistent": "true", "receipt": receipt}
                self._conn.send(EVENTS, body, content_type="application/json", headers=headers)
                if self._receipts.wait(receipt):
                    return
            except (stomp.exception.StompException, OSError):
                pass
            self._abandon()
        raise TimeoutError(f"the broker did not confirm event {kind} of order {order_id}")

    def close(self) -> None:
        if self._conn.is_connected():
            self._conn.disconnect()

    def _abandon(self) -> None:
        """Give up on a connection that stopped answering; the next attempt makes a new one."""
        dead, self._conn = self._conn, _connection(self.hosts, self._receipts)
        with contextlib.suppress(Exception):
            dead.transport.disconnect_socket()


class ShippingConsumer(stomp.ConnectionListener):  # type: ignore[misc]
    """Takes order events one by one: acknowledged when handled, NACKed (dead-lettered) when not."""

    def __init__(self, broker_name: str, username: str, password: str, handle: Handler, mq: Any = None) -> None:
        self._handle = handle
        self._conn = _connection(stomp_endpoints(broker_name, mq), self)
        self._conn.connect(username, password, wait=True)
        self._conn.subscribe(EVENTS, id="shipping", ack="client-individual")

    def on_message(self, frame: Any) -> None:
        try:
            self._handle(json.loads(frame.body))
        except Exception:
            self._conn.nack(frame.headers["ack"])
        else:
            self._conn.ack(frame.headers["ack"])

    def close(self) -> None:
        if self._conn.is_connected():
            self._conn.disconnect()
