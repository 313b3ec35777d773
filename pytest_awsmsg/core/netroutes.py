"""AWS host names the active cloud answers for, resolved to its loopback listeners.

A client connecting to ``b-1234-1.mq.us-east-1.amazonaws.com:61614`` resolves
the name first; while a cloud is active, a resolver registered here may
answer with a loopback address and port the cloud listens on (any free port:
no fixed ports, no clashes between test processes). Every other name goes to
the system resolver as before. A name the cloud owns but cannot serve (a
deleted broker) is unknown, as DNS would say.

``socket.getaddrinfo`` is patched once, the first time a resolver is added;
``socket.create_connection`` and asyncio's resolver go through it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import _hook

if TYPE_CHECKING:
    from .cloud import Cloud


class UnknownHost(Exception):
    """Raised by a resolver for a name in its domain that does not exist (now)."""


#: cloud, host name (lower case, no trailing dot), port -> (address, port), or None when not its name.
Resolver = Callable[["Cloud", str, int | None], "tuple[str, int] | None"]

_resolvers: list[Resolver] = []
_installed = threading.Lock()
_real_getaddrinfo = socket.getaddrinfo


def add_resolver(resolver: Resolver) -> None:
    """Consult ``resolver`` for names while a cloud is active (idempotent)."""
    with _installed:
        if resolver in _resolvers:
            return
        _resolvers.append(resolver)
        if socket.getaddrinfo is not _getaddrinfo:
            socket.getaddrinfo = _getaddrinfo


def _getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
    cloud = _hook.active_cloud()
    name = host.decode("idna") if isinstance(host, bytes) else host
    if cloud is not None and isinstance(name, str) and _resolvers:
        wanted = name.lower().rstrip(".")
        for resolver in list(_resolvers):
            try:
                target = resolver(cloud, wanted, _port(port))
            except UnknownHost:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
            if target is not None:
                if family not in (0, socket.AF_INET):
                    # The listeners are IPv4 loopback only: like a name with no AAAA record.
                    raise socket.gaierror(socket.EAI_ADDRFAMILY, "Address family for hostname not supported")
                return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", target)]
    return _real_getaddrinfo(host, port, family, type, proto, flags)


def _port(port: Any) -> int | None:
    if isinstance(port, bytes):
        port = port.decode("ascii")
    if isinstance(port, str):
        return int(port) if port.isdigit() else socket.getservbyname(port)
    return port if isinstance(port, int) else None
