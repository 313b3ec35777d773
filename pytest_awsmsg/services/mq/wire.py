"""Amazon MQ's wire: an engine behind each RUNNING broker, at the endpoints DescribeBroker lists.

While the cloud is active, ``b-<id>-1.mq.<region>.amazonaws.com`` (ActiveMQ)
and ``b-<id>.mq.<region>.amazonaws.com`` (RabbitMQ) resolve to loopback
listeners of this module (see :mod:`~pytest_awsmsg.core.netroutes`), one per
broker instance and port, speaking TLS with a certificate of the kit's CA.

The layers:

- this module owns sockets, TLS, threads and the broker's reachability (its
  state, its AZs, which instance of an active/standby pair is active, fault
  rules on ``Connect``). All connections of a cloud run on one asyncio loop
  in one kit thread (``awsmsg-server-mq-wire``); asyncio does TLS in memory,
  so reads and writes of one connection never race.
- an *engine* (ActiveMQ over STOMP, RabbitMQ over AMQP 0-9-1) registers a
  per-broker state and a :class:`Session` per connection, and never sees a
  socket: bytes arrive in :meth:`Session.data_received` under the cloud's
  lock, and leave through :meth:`Transport.write`, which never blocks.

Reachability, as the client sees it: a broker that is not RUNNING, an
instance whose AZ (or region) is down, and the standby of an active/standby
pair refuse connections; a deleted broker's name does not resolve. Leaving
RUNNING or losing the AZ drops the open connections; the standby then takes
over at its own endpoint. An engine's state outlives reboots and failovers
(the broker's storage does) and is told through ``restarted()``, so it can
drop what the real engine keeps only in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ...core.calllog import CallRecord, stamp
from ...core.containment import note
from ...core.endpoints import EndpointThread
from ...core.errors import AwsError
from ...core.faults import DroppedConnection
from ...core.ids import IdSource
from ...core.netroutes import UnknownHost, add_resolver
from ...core.tls import kit_ca

if TYPE_CHECKING:
    from ...core.cloud import Cloud
    from ...core.topology import TopologyChange
    from .models import Broker

ENDPOINT_NAME = "mq-wire"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_HOST = re.compile(rf"^(b-{_UUID})(?:-(\d+))?\.mq\.([a-z0-9-]+)\.amazonaws\.com$")
# A connection dropped by the kit finishes its goodbye within this real time, or is cut.
_LOCK_POLL = 0.05
# How long a closed connection keeps draining what the client still sends (real seconds).
_LINGER = 2.0
# Lines kept for the report: the newest, so a long test still shows how it ended.
_LOG_LINES = 500


class Transport(Protocol):
    """One client connection, as an engine's session sees it."""

    peer: str

    def write(self, data: bytes) -> None:
        """Queue bytes for the client; never blocks."""

    def close(self) -> None:
        """Flush what was written, then close."""


class Session(Protocol):
    """An engine's side of one connection (see the module docstring)."""

    def data_received(self, data: bytes) -> None: ...

    def connection_lost(self) -> None: ...


@dataclass(frozen=True)
class Engine:
    """A broker engine on one port: its per-broker state and its sessions."""

    engine_type: str  # ACTIVEMQ or RABBITMQ
    protocol: str  # stomp, amqp, ...
    port: int
    new_state: Callable[[Broker, Cloud], Any]
    new_session: Callable[[BrokerLink, Transport], Session]


_engines: dict[tuple[str, int], Engine] = {}


def register_engine(
    *,
    engine_type: str,
    protocol: str,
    port: int,
    new_state: Callable[[Broker, Cloud], Any],
    new_session: Callable[[BrokerLink, Transport], Session],
) -> Callable[[], None]:
    """Serve ``protocol`` on ``port`` of every ``engine_type`` broker with these sessions.

    Returns a function that takes the registration back (for tests of the wire itself).
    """
    _load_engines()  # the kit's own engines first, so a test's registration overrides them, not they it
    key = (engine_type, port)
    before = _engines.get(key)
    _engines[key] = Engine(engine_type, protocol, port, new_state, new_session)

    def unregister() -> None:
        if before is None:
            _engines.pop(key, None)
        else:
            _engines[key] = before

    return unregister


def engine_for(engine_type: str, protocol: str) -> Engine:
    """The registered engine speaking ``protocol`` for ``engine_type`` brokers."""
    _load_engines()
    for engine in _engines.values():
        if engine.engine_type == engine_type and engine.protocol == protocol:
            return engine
    raise LookupError(f"no {protocol} engine for {engine_type} brokers")


def _load_engines() -> None:
    from . import engines  # noqa: F401  (each engine registers itself on import)


@dataclass
class BrokerLink:
    """What a session knows about where it runs: the broker, its instance, the cloud, the engine's state."""

    broker: Broker
    instance: int | None
    cloud: Cloud
    state: Any
    connection: Connection

    def authenticate(self, username: str, password: str) -> bool:
        """Whether the broker knows this user with this password (pending changes wait for a reboot)."""
        user = self.broker.users.get(username)
        ok = user is not None and user.pending_change != "CREATE" and user.password == password
        if ok:
            self.connection.username = username
        return ok

    def record(self, summary: str) -> None:
        """One line about this connection (a frame, an error) in the report."""
        self.connection.frames += 1
        self.connection.wire.note(self.broker, f"{self.connection.peer} {summary}")


@dataclass
class Connection:
    """One client connection as tests see it (``aws.mq.broker(...).connections``)."""

    wire: Wire = field(repr=False)
    broker_id: str
    endpoint: str
    instance: int | None
    peer: str
    opened: float
    username: str | None = None
    frames: int = 0
    session: Session | None = field(default=None, repr=False)
    channel: _Channel | None = field(default=None, repr=False)
    open: bool = True
    outbox: deque[bytes] = field(default_factory=deque, repr=False)

    def write(self, data: bytes) -> None:
        """Queue ``data``; the first write since the last send schedules one send for all of them.

        A session answering one event with many frames (a SUBSCRIBE dispatching a
        thousand queued messages) costs one loop wake-up and one TLS pass, not one each.
        """
        if self.open and self.channel is not None and data:
            self.outbox.append(data)
            if len(self.outbox) == 1:
                self.wire.loop.call_soon_threadsafe(self._send_outbox)

    def _send_outbox(self) -> None:
        # Writes come under the cloud lock, one at a time; this loop pops without it. A write that finds
        # others waiting leaves them to the send already scheduled, which pops until the deque is empty.
        chunks = []
        with contextlib.suppress(IndexError):
            while True:
                chunks.append(self.outbox.popleft())
        if chunks and self.channel is not None:
            self.channel.send(b"".join(chunks))

    def close(self) -> None:
        """The engine's goodbye: flush, close; the session hears ``connection_lost`` once."""
        if self.channel is not None:
            self.wire.loop.call_soon_threadsafe(self.channel.close)

    def lost(self) -> None:
        """Tell the session, once, under the cloud's lock (the caller holds it)."""
        if self.open:
            self.open = False
            self.wire.forget(self)
            if self.session is not None:
                try:
                    self.session.connection_lost()
                except Exception as error:  # a kit bug: the test hears of it at teardown
                    note(self.wire.cloud.kit_failures, f"mq session {self.peer}", error)

    def drop(self) -> None:
        """Cut the connection now, as a failing broker does (no goodbye)."""
        self.lost()
        if self.channel is not None:
            self.wire.loop.call_soon_threadsafe(self.channel.abort)


class Wire:
    """One cloud's broker listeners, connections and engine states; an endpoint the cloud closes."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.loop = asyncio.new_event_loop()
        self.ids = IdSource(f"{cloud.seed}/mq-wire")
        self.log: list[str] = []
        self._listeners: dict[tuple[str, int | None, int], tuple[socket.socket, Any]] = {}
        self._states: dict[tuple[str, str], Any] = {}
        self._connections: list[Connection] = []
        self.channels: set[_Channel] = set()  # every open socket, admitted or not (loop thread only)
        self._active: dict[str, int] = {}  # broker id -> the serving instance of an active/standby pair
        self._was_running: dict[str, bool] = {}
        self._was_up: dict[str, bool] = {}  # broker id -> served after the last topology change
        self._closing = False
        # Bound, never listening: connecting to it is refused at once, as an unreachable broker is.
        self._refuser = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refuser.bind(("127.0.0.1", 0))
        self._unsubscribe = [
            cloud.topology.on_az_change(self._topology_changed),
            cloud.topology.on_region_change(self._topology_changed),
        ]
        self._thread = EndpointThread("mq-wire", self._run)
        self._thread.start()
        _load_engines()

    @property
    def url(self) -> str:
        return f"mq-wire://127.0.0.1 ({len(self._listeners)} listeners)"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    # -- resolving: which address a name and port reach ------------------------------

    def address(self, host: str, port: int | None) -> tuple[str, int] | None:
        """The loopback address serving ``host:port`` now; None when the name is not a broker's."""
        match = _HOST.match(host)
        if match is None:
            return None
        broker_id, instance_text, region = match.groups()
        instance = int(instance_text) if instance_text else None
        with self.cloud.lock:
            broker = self._broker(broker_id, region)
            if broker is None or not _names_instance(broker, instance):
                raise UnknownHost(host)
            engine = _engines.get((broker.engine_type, port or 0))
            if engine is None or not self._serving(broker, instance):
                return self._refuser.getsockname()  # type: ignore[no-any-return]
            return "127.0.0.1", self._listener(broker, instance, engine)

    def _broker(self, broker_id: str, region: str) -> Broker | None:
        for store in self.cloud.service("mq").stores().values():
            broker = store.brokers.get(broker_id)
            if broker is not None and broker.region == region:
                return broker  # type: ignore[no-any-return]
        return None

    def _serving(self, broker: Broker, instance: int | None) -> bool:
        """Whether this instance of the broker accepts connections now."""
        if broker.state != "RUNNING" or not self.cloud.topology.region_is_up(broker.region):
            return False
        return self._active_instance(broker) == (instance or 1)

    def _active_instance(self, broker: Broker) -> int | None:
        """The instance serving clients: the first of a pair whose AZ is up, kept until its AZ fails."""
        zones = broker.zones or [""]
        count = 2 if broker.deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" else 1
        if broker.engine_type == "RABBITMQ":
            # A RabbitMQ cluster sits behind one load-balanced name: up while any of its AZs is.
            up = any(not zone or self.cloud.topology.is_up(zone) for zone in zones)
            return 1 if up else None
        current = self._active.get(broker.id, 1)
        if _zone_up(self.cloud, zones, current):
            return current
        for number in range(1, count + 1):
            if _zone_up(self.cloud, zones, number):
                return number
        return None

    def _listener(self, broker: Broker, instance: int | None, engine: Engine) -> int:
        key = (broker.id, instance, engine.port)
        found = self._listeners.get(key)
        if found is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sock.listen(64)  # the kernel queues connections until the loop accepts them
            context = kit_ca().server_context(f"*.mq.{broker.region}.amazonaws.com")
            url = _listed_endpoint(broker, instance, engine)

            def protocol() -> _Channel:
                return _Channel(self, broker, instance, engine, url, context)

            server = asyncio.run_coroutine_threadsafe(self.loop.create_server(protocol, sock=sock), self.loop)
            found = self._listeners[key] = (sock, server)
        return found[0].getsockname()[1]  # type: ignore[no-any-return]

    # -- engine state, per broker ---------------------------------------------------------

    def state(self, broker: Broker, engine: Engine) -> Any:
        """The engine's state for this broker, made the first time it is needed."""
        key = (broker.id, engine.protocol)
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = engine.new_state(broker, self.cloud)
        return found

    def states(self, broker: Broker) -> list[Any]:
        return [state for (broker_id, _), state in self._states.items() if broker_id == broker.id]

    # -- connections -------------------------------------------------------------------------

    def connections(self, broker_id: str | None = None) -> list[Connection]:
        return [c for c in self._connections if broker_id is None or c.broker_id == broker_id]

    def forget(self, connection: Connection) -> None:
        if connection in self._connections:
            self._connections.remove(connection)

    def enter(self) -> bool:
        """Take the cloud's lock from the loop thread; give up when the wire is closing."""
        while not self.cloud.lock.acquire(timeout=_LOCK_POLL):
            if self._closing:
                return False
        return True

    def leave(self) -> None:
        try:
            self.cloud.threads.notify()
        finally:
            self.cloud.lock.release()

    def admit(self, connection: Connection, broker: Broker) -> bool:
        """Let a new connection in (reachability, fault rules), before TLS; under the lock."""
        if not self._serving(broker, connection.instance):
            self.note(broker, f"{connection.peer} refused: broker not reachable")
            return False
        record = CallRecord(
            self.cloud.clock.now(),
            "mq",
            "Connect",
            broker.region,
            broker.arn.split(":")[4],
            self.ids.uuid4(),
            {"BrokerId": broker.id, "Endpoint": connection.endpoint, "Peer": connection.peer},
            thread="mq-wire",
        )
        self.cloud.calls.append(record)
        try:
            self.cloud.faults.check(record, record.params)
        except (AwsError, DroppedConnection) as fault:
            record.status, record.error_code = 0, type(fault).__name__
            self.note(broker, f"{connection.peer} dropped by a fault rule: {record.fault}")
            return False
        self._connections.append(connection)
        return True

    def start_session(self, connection: Connection, broker: Broker, engine: Engine) -> None:
        """TLS is up: give the connection its engine session; under the lock."""
        link = BrokerLink(broker, connection.instance, self.cloud, self.state(broker, engine), connection)
        connection.session = engine.new_session(link, connection)
        self.note(broker, f"{connection.peer} connected to {connection.endpoint}")

    def drop(self, broker: Broker, instance: int | None = None, reason: str = "dropped") -> int:
        """Cut the broker's connections (one instance's, or all); how many were cut. Under the lock."""
        cut = [c for c in self.connections(broker.id) if instance is None or c.instance == instance]
        for connection in cut:
            connection.drop()
            self.note(broker, f"{connection.peer} {reason}")
        for key in [k for k in self._listeners if k[0] == broker.id and (instance is None or k[1] == instance)]:
            self._close_listener(key)
        return len(cut)

    def _close_listener(self, key: tuple[str, int | None, int]) -> None:
        sock, server = self._listeners.pop(key)

        def close() -> None:
            if server.done() and server.exception() is None:
                server.result().close()
            sock.close()

        self.loop.call_soon_threadsafe(close)

    # -- the broker's life: state changes, AZs ------------------------------------------------

    def broker_changed(self, broker: Broker, *, gone: bool = False) -> None:
        """The control plane moved the broker (rebooting, running again, deleting, gone). Under the lock."""
        running = broker.state == "RUNNING" and not gone
        was = self._was_running.get(broker.id, True)
        if not running:
            self.drop(broker, reason=f"closed: broker {broker.state if not gone else 'deleted'}")
        elif not was:
            self._restarted(broker)
        self._was_running[broker.id] = running
        if gone:
            for key in [k for k in self._states if k[0] == broker.id]:
                del self._states[key]

    def _topology_changed(self, change: TopologyChange) -> None:
        for store in self.cloud.service("mq").stores().values():
            for broker in list(store.brokers.values()):
                if broker.state == "RUNNING":
                    self._reconsider(broker)

    def _reconsider(self, broker: Broker) -> None:
        """After an AZ or region changed: drop what lost its AZ, fail over, restart what came back."""
        before = self._active.get(broker.id, 1) if self._was_up.get(broker.id, True) else None
        now = self._active_instance(broker) if self.cloud.topology.region_is_up(broker.region) else None
        if now == before:
            return
        if before is not None:
            self.drop(broker, before if broker.engine_type == "ACTIVEMQ" else None, "dropped: AZ outage")
        if now is not None:
            self._active[broker.id] = now
            self._restarted(broker)
        self._was_up[broker.id] = now is not None

    def _restarted(self, broker: Broker) -> None:
        for state in self.states(broker):
            restarted = getattr(state, "restarted", None)
            if restarted is not None:
                restarted()
        self.note(broker, "engine restarted")

    # -- the report ----------------------------------------------------------------------------

    def note(self, broker: Broker, line: str) -> None:
        self.log.append(f"{stamp(self.cloud.clock.now())} {broker.name}: {line}")
        if len(self.log) > _LOG_LINES:
            del self.log[: len(self.log) - _LOG_LINES]

    def close(self) -> None:
        """Cut every connection, stop the loop; the cloud is ending."""
        self._closing = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        with self.cloud.lock:
            for connection in list(self._connections):
                connection.lost()
            listeners, self._listeners = list(self._listeners.values()), {}
        if self._thread.is_alive():
            done = asyncio.run_coroutine_threadsafe(self._shutdown(listeners), self.loop)
            try:
                done.result(timeout=5)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
                self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()
        for sock, _ in listeners:
            sock.close()
        self._refuser.close()

    async def _shutdown(self, listeners: list[tuple[socket.socket, Any]]) -> None:
        """On the loop: stop listening, cut what is open, let the cut finish."""
        for _, server in listeners:
            if server.done() and server.exception() is None:
                server.result().close()
        for channel in list(self.channels):
            channel.abort()
        await asyncio.sleep(0)
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class _Channel(asyncio.Protocol):
    """One socket on the loop: admits it, does TLS in memory, hands plaintext to the session.

    TLS runs on an ``ssl.SSLObject`` over memory buffers rather than asyncio's
    ``start_tls``: the same code on every Python version, and the connection
    can be admitted or refused before the handshake.
    """

    def __init__(
        self, wire: Wire, broker: Broker, instance: int | None, engine: Engine, endpoint: str, tls: ssl.SSLContext
    ) -> None:
        self.wire = wire
        self.broker = broker
        self.instance = instance
        self.engine = engine
        self.endpoint = endpoint
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = tls.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.secured = False
        self.closing = False  # said goodbye: what still arrives is dropped
        self.connection: Connection | None = None
        self.raw: asyncio.Transport | None = None

    # -- asyncio's calls ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.raw = transport
        wire = self.wire
        wire.channels.add(self)
        host, port = transport.get_extra_info("peername")[:2]
        connection = Connection(wire, self.broker.id, self.endpoint, self.instance, f"{host}:{port}", 0.0)
        connection.channel = self
        if self._locked(lambda: self._admit(connection), f"mq connection to {self.endpoint}") is not True:
            # Cut before the handshake: the client's connect fails, as against a broker that is not there.
            self.abort()
            return
        self.connection = connection

    def data_received(self, data: bytes) -> None:
        connection = self.connection
        if connection is None or not connection.open or self.closing:
            return
        self.incoming.write(data)
        try:
            if not self.secured:
                self.tls.do_handshake()
                self.secured = True
                self._flush()
                self._locked(lambda: self.wire.start_session(connection, self.broker, self.engine), "mq session")
            plaintext = self._read()
        except ssl.SSLWantReadError:
            self._flush()
            return
        except (ssl.SSLError, OSError):  # a client that does not trust us, or speaks no TLS: its error
            self._flush()
            self.abort()
            self._locked(connection.lost, "mq session")
            return
        self._flush()
        if plaintext:
            self._locked(lambda: self._deliver(connection, plaintext), f"mq session {connection.peer}")

    def connection_lost(self, exc: Exception | None) -> None:
        self.wire.channels.discard(self)
        connection = self.connection
        if connection is not None and connection.open:
            self._locked(lambda: self._closed(connection), "mq session")

    # -- the session's calls (on the loop, through Connection) --------------------------------

    def send(self, data: bytes) -> None:
        if self.raw is not None and not self.raw.is_closing() and self.secured:
            self.tls.write(data)
            self._flush()

    def close(self) -> None:
        """Say goodbye in TLS (close_notify), then half-close and linger.

        Closing a socket with the client's bytes still unread makes the kernel
        send a reset, which can destroy our last frame (a protocol error's
        Close) before the client reads it. So: send FIN after what is queued,
        drop whatever still arrives, and cut the socket once the client hangs
        up or after ``_LINGER`` seconds.
        """
        if self.raw is None or self.raw.is_closing() or self.closing:
            return
        self.closing = True
        if self.secured:
            # The client need not answer our close_notify: close all the same.
            with contextlib.suppress(ssl.SSLError):
                self.tls.unwrap()
            self._flush()
        if self.raw.can_write_eof():
            self.raw.write_eof()
            self.wire.loop.call_later(_LINGER, self.abort)
        else:
            self.raw.close()
        connection = self.connection
        if connection is not None and connection.open:  # gone for the broker now, not when the client hangs up
            self._locked(lambda: self._closed(connection), "mq session")

    def abort(self) -> None:
        if self.raw is not None:
            self.raw.abort()

    # -- helpers ------------------------------------------------------------------------------

    def _read(self) -> bytes:
        chunks = []
        while True:
            try:
                chunk = self.tls.read(65536)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:  # the client closed TLS: close the socket too
                self.close()
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def _flush(self) -> None:
        pending = self.outgoing.read()
        if pending and self.raw is not None and not self.raw.is_closing():
            self.raw.write(pending)

    def _admit(self, connection: Connection) -> bool:
        connection.opened = self.wire.cloud.clock.now()
        return self.wire.admit(connection, self.broker)

    def _deliver(self, connection: Connection, data: bytes) -> None:
        if connection.open and connection.session is not None:
            try:
                connection.session.data_received(data)
            except Exception:
                connection.drop()  # a kit bug: cut the connection; _locked notes it for teardown
                raise

    def _closed(self, connection: Connection) -> None:
        connection.lost()
        self.wire.note(self.broker, f"{connection.peer} closed")

    def _locked(self, action: Callable[[], object], where: str) -> object:
        """``action()`` under the cloud's lock; a crash is a kit bug the test hears of at teardown (None)."""
        if not self.wire.enter():
            return None
        try:
            return action()
        except Exception as error:
            note(self.wire.cloud.kit_failures, where, error)
            return None
        finally:
            self.wire.leave()


def _listed_endpoint(broker: Broker, instance: int | None, engine: Engine) -> str:
    """The endpoint URL DescribeBroker lists for this instance and port."""
    host = broker.host(instance)
    for listed in broker.instances():
        for url in listed["Endpoints"]:
            if url.endswith(f"//{host}:{engine.port}"):
                return str(url)
    return f"{engine.protocol}://{host}:{engine.port}"


def _names_instance(broker: Broker, instance: int | None) -> bool:
    """Whether ``instance`` (None: no suffix) is one of the broker's host names."""
    if broker.engine_type == "RABBITMQ":
        return instance is None
    count = 2 if broker.deployment_mode == "ACTIVE_STANDBY_MULTI_AZ" else 1
    return instance is not None and 1 <= instance <= count


def _zone_up(cloud: Cloud, zones: list[str], instance: int) -> bool:
    zone = zones[min(instance, len(zones)) - 1]
    return not zone or cloud.topology.is_up(zone)


def wire_of(cloud: Cloud) -> Wire:
    """The cloud's wire, started the first time anything needs it."""
    return cloud.endpoints.start(ENDPOINT_NAME, lambda: Wire(cloud))


def existing_wire(cloud: Cloud) -> Wire | None:
    found = cloud.endpoints.get(ENDPOINT_NAME)
    return found if isinstance(found, Wire) else None


def serve_broker_names() -> None:
    """Resolve brokers' AWS names to the wire while a cloud is active (idempotent)."""
    kit_ca()  # made now: a client builds its SSL context before its first connection, and it must trust the CA
    add_resolver(_resolve)


def _resolve(cloud: Cloud, host: str, port: int | None) -> tuple[str, int] | None:
    if _HOST.match(host) is None:
        return None
    return wire_of(cloud).address(host, port)
