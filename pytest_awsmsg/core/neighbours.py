"""Other mocks beside the kit, and the last line before the network.

The rule: the services the kit fakes are answered by the kit alone; other
mocks never see them. Every other call goes to whoever answers it (moto, a
botocore ``Stubber``, a local endpoint the test let through), and if nothing
does, it is refused: nothing reaches real AWS while a cloud is active.

botocore hands a request to every ``before-send`` handler, not just until one
answers. The kit's handler runs first and notes what it answered
(``_hook.answered``); moto's handler is wrapped to skip those. A request that
no handler answered reaches the endpoint's ``_send``, wrapped to refuse it.
Both wraps are made by :mod:`.activation` while a cloud is active, and put
back exactly as they were after.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .. import _hook
from .errors import UnfakedServiceError


def moto_kit_first(real: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """moto's ``process_request`` that leaves the requests the kit answered alone."""

    def process_request(request: Any) -> Any:
        if request in _hook.answered:
            return None
        return real(request)

    process_request._awsmsg_real = real  # type: ignore[attr-defined]
    return process_request


def guard_send(real: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``Endpoint._send`` that refuses to send while a cloud is active (loopback passthrough aside)."""

    def _send(endpoint: Any, request: Any) -> Any:
        refuse_unless_let_through(request)
        return real(endpoint, request)

    _send._awsmsg_real = real  # type: ignore[attr-defined]
    return _send


def guard_async_send(real: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """aiobotocore's ``AioEndpoint._send``, guarded as :func:`guard_send`."""

    async def _send(endpoint: Any, request: Any) -> Any:
        refuse_unless_let_through(request)
        return await real(endpoint, request)

    _send._awsmsg_real = real  # type: ignore[attr-defined]
    return _send


def refuse_unless_let_through(request: Any) -> None:
    """Raise unless the request may really be sent: no cloud, or passthrough to a loopback endpoint."""
    cloud = _hook.active_cloud()
    if cloud is None:
        return
    event_name = _hook.unanswered.get(request, "")
    parts = event_name.split(".")
    service_id, operation = (parts[1], parts[2]) if len(parts) >= 3 else ("", "")
    url = getattr(request, "url", "") or ""
    if service_id in cloud.passthrough and _loopback(url):
        return
    raise UnfakedServiceError(blocked_message(service_id, operation, url, service_id in cloud.passthrough))


def blocked_message(service_id: str, operation: str, url: str, let_through: bool) -> str:
    """Why a call was refused, and what answers it instead."""
    from .registry import faked_services

    what = f"a call to {service_id} ({operation})" if service_id else f"a botocore request to {url}"
    if let_through:
        return (
            f"pytest-awsmsg blocked {what}: passthrough=({service_id!r},) let it past the kit, but no other "
            f"mock answered it and it would have gone to {url}; nothing reaches real AWS while the kit is "
            "active. Start the mock that should answer it (moto's mock_aws) beside the kit, or point the "
            "client at a local endpoint (endpoint_url on localhost)."
        )
    return (
        f"pytest-awsmsg blocked {what}: the kit fakes {', '.join(faked_services())} and nothing reaches "
        "real AWS while it is active. Another mock can answer it beside the kit (moto's mock_aws, or a "
        "botocore Stubber on the client, which needs nothing more); to send it to a local endpoint "
        f"(endpoint_url on localhost), pass passthrough=({service_id or 'SERVICE'!r},) to fake_aws or the "
        "aws marker."
    )


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
