"""Endpoints: the sockets a cloud serves, in one registry the cloud owns.

Server mode (HTTP for other processes and languages) and, later, broker data
planes (Amazon MQ's STOMP/AMQP) are each an :class:`Endpoint`: started
lazily, the first time something asks for it, by name; bound to loopback
unless told otherwise; closed when the cloud ends. Whatever arrives on one
is answered through the cloud's own entry points (``Cloud.handle``,
``Cloud.call``), so it is logged, faulted and outaged like any other call.

Threads an endpoint runs are :class:`EndpointThread` (named
``awsmsg-server-...``): they belong to the cloud, not to the test, and are
never stragglers.

:func:`caller_url` is how a fake hands out a URL (an SQS QueueUrl, an SNS
SubscribeURL) that the caller can follow: AWS's own, or, when the call came
in through a served endpoint, the same path on that endpoint, so clients
that follow it stay on loopback.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, TypeVar

THREAD_PREFIX = "awsmsg-server"

# The base URL of the served endpoint the current call came in through.
_serving: ContextVar[str | None] = ContextVar("awsmsg_serving", default=None)
_AWS_BASE = re.compile(r"^https://[a-z0-9.-]+\.amazonaws\.com(?=/|$)")


class Endpoint(Protocol):
    """A listener the cloud owns: it has an address and it can be closed."""

    @property
    def url(self) -> str: ...

    def close(self) -> None: ...


E = TypeVar("E", bound=Endpoint)


class EndpointThread(threading.Thread):
    """A thread serving an endpoint: the cloud's, not the test's (never a straggler)."""

    def __init__(self, role: str, target: Callable[[], object]) -> None:
        super().__init__(name=f"{THREAD_PREFIX}-{role}", target=target, daemon=True)


class EndpointsClosed(RuntimeError):
    """An endpoint was asked for after its cloud ended."""


class Endpoints:
    """The cloud's endpoints by name; each started once, all closed with the cloud."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, Endpoint] = {}
        self._closed = False

    def start(self, name: str, factory: Callable[[], E]) -> E:
        """The endpoint called ``name``, started by ``factory`` the first time (idempotent)."""
        with self._lock:
            if self._closed:
                raise EndpointsClosed(f"this cloud has ended: endpoint {name!r} cannot start")
            found = self._open.get(name)
            if found is None:
                found = self._open[name] = factory()
            return found  # type: ignore[return-value]

    def get(self, name: str) -> Endpoint | None:
        return self._open.get(name)

    def __iter__(self) -> Iterator[tuple[str, Endpoint]]:
        return iter(list(self._open.items()))

    def __len__(self) -> int:
        return len(self._open)

    def close(self) -> None:
        """Close every endpoint, newest first; none may start afterwards."""
        with self._lock:
            self._closed = True
            endpoints, self._open = list(self._open.values()), {}
        errors: list[BaseException] = []
        for endpoint in reversed(endpoints):
            try:
                endpoint.close()
            except Exception as error:  # close the others all the same
                errors.append(error)
        if errors:
            raise errors[0]


def check_loopback(host: str, *, allow_remote: bool = False) -> None:
    """Refuse to bind anything but loopback unless ``allow_remote`` says so.

    A fake cloud takes any credentials and answers anyone: reachable from
    elsewhere, it would be an open door into the test's state.
    """
    if allow_remote:
        return
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except OSError as error:
        raise ValueError(f"cannot serve on {host!r}: {error}") from None
    remote = sorted(a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback)
    if remote:
        raise ValueError(
            f"refusing to serve on {host!r} ({', '.join(remote)}): not a loopback address. The fake cloud "
            "accepts any credentials; pass allow_remote=True (--allow-remote) only on a network you trust."
        )


@contextmanager
def serving(base_url: str) -> Iterator[None]:
    """Calls made inside came in through the served endpoint at ``base_url``."""
    token = _serving.set(base_url.rstrip("/"))
    try:
        yield
    finally:
        _serving.reset(token)


def served_base() -> str | None:
    """The served endpoint the current call came in through, if any."""
    return _serving.get()


def caller_url(url: str) -> str:
    """An AWS URL as the current caller should follow it (see the module docstring)."""
    base = _serving.get()
    if base is None:
        return url
    return _AWS_BASE.sub(base, url, count=1)
