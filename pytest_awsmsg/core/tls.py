"""The kit's certificate authority: TLS at AWS-looking names, trusted only while a cloud is active.

Amazon MQ's brokers speak TLS only (``stomp+ssl://``, ``amqps://``), and the
clients under test verify the certificate against the host name they dialled.
The kit serves those names from loopback with certificates its own CA signs
(made with ``trustme``, whose one job this is), and, while a cloud is active,
adds that CA to what every default SSL context trusts: stock clients pass
their default verification unchanged, and nothing is trusted outside a test.
Clients that load their own bundle get the CA as a file (``aws.mq.ca_file``).

Keys and certificates are made once per process (ECDSA: milliseconds). They
are not part of any answer a test compares, so they need not follow the seed.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import os
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import trustme

from .. import _hook

_ORGANIZATION = "pytest-awsmsg fake AWS"


class KitCA:
    """The CA, server contexts per set of host names, and the CA as a PEM file."""

    def __init__(self) -> None:
        with _dates_of_the_current_datetime():
            self._ca = trustme.CA(organization_name=_ORGANIZATION)
        self.pem = self._ca.cert_pem.bytes().decode("ascii")
        self._contexts: dict[tuple[str, ...], ssl.SSLContext] = {}
        self._file: str | None = None
        self._lock = threading.Lock()

    def server_context(self, *hostnames: str) -> ssl.SSLContext:
        """A server-side context presenting a certificate for ``hostnames`` (wildcards allowed)."""
        with self._lock:
            found = self._contexts.get(hostnames)
            if found is None:
                found = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                with _dates_of_the_current_datetime():
                    leaf = self._ca.issue_cert(*hostnames, organization_name=_ORGANIZATION)
                leaf.configure_cert(found)
                self._contexts[hostnames] = found
            return found

    @property
    def file(self) -> str:
        """The CA certificate as a PEM file (removed when the process ends)."""
        with self._lock:
            if self._file is None:
                handle, path = tempfile.mkstemp(prefix="pytest-awsmsg-ca-", suffix=".pem")
                with os.fdopen(handle, "w", encoding="ascii") as out:
                    out.write(self.pem)
                atexit.register(_remove, path)
                self._file = path
            return self._file


_kit_ca: KitCA | None = None
_made = threading.Lock()


def kit_ca() -> KitCA:
    """The process's CA, made the first time it is needed; default contexts trust it from then on."""
    global _kit_ca
    with _made:
        if _kit_ca is None:
            _kit_ca = KitCA()
            _trust_while_active()
        return _kit_ca


def _trust_while_active() -> None:
    """Make ``load_default_certs``/``set_default_verify_paths`` add the kit's CA while a cloud is active.

    ``ssl.create_default_context()`` calls the first; clients that build a
    bare ``SSLContext`` call one or the other. Patched on the class, once.
    """

    def adding_kit_ca(original: Callable[..., None]) -> Callable[..., None]:
        def load(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if _kit_ca is not None and _hook.active_cloud() is not None:
                self.load_verify_locations(cadata=_kit_ca.pem)

        load.__wrapped__ = original  # type: ignore[attr-defined]
        return load

    for name in ("load_default_certs", "set_default_verify_paths"):
        setattr(ssl.SSLContext, name, adding_kit_ca(getattr(ssl.SSLContext, name)))


@contextlib.contextmanager
def _dates_of_the_current_datetime() -> Iterator[None]:
    """Certificates made while freezegun has swapped ``datetime.datetime`` (a frozen cloud clock).

    ``cryptography`` checks validity dates against whatever ``datetime.datetime``
    is now, and trustme's default dates were made before the swap; making them
    again here, of the current class, satisfies both (the dates do not change).
    """
    defaults = trustme.DEFAULT_NOT_BEFORE, trustme.DEFAULT_EXPIRY
    trustme.DEFAULT_NOT_BEFORE = datetime.datetime(2000, 1, 1)
    trustme.DEFAULT_EXPIRY = datetime.datetime(3000, 1, 1)
    try:
        yield
    finally:
        trustme.DEFAULT_NOT_BEFORE, trustme.DEFAULT_EXPIRY = defaults


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
