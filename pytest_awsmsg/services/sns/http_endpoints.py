"""HTTP/S subscribers: POSTs through ``requests``, never through the network.

A notification for an HTTP/S subscription goes, in this order, to:

1. a Python callable the test registered for the URL
   (``aws.sns.http_endpoint(url, handler)``), called with an :class:`HttpRequest`;
2. ``requests``, so a ``responses`` mock (or ``requests-mock``) captures it.

If neither is active for the URL the endpoint counts as unreachable: a
connection error, retried per the delivery policy like any other. No real
connection is ever opened: the session's adapter refuses to send unless
``requests``' own ``HTTPAdapter.send`` has been patched by a mock library.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

USER_AGENT = "Amazon Simple Notification Service Agent"
TIMEOUT_SECONDS = 15.0  # SNS waits this long for an HTTP/S endpoint to answer


@dataclass
class HttpRequest:
    """What a registered handler receives: the POST SNS makes."""

    method: str
    url: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def message_type(self) -> str:
        return self.headers.get("x-amz-sns-message-type", "")


#: A handler returns the HTTP status (None means 200) or raises (a 500).
HttpHandler = Callable[[HttpRequest], "int | None"]


@dataclass
class HttpResult:
    status: int | None  # None: no answer (connection error, timeout)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Server-side failures are retried; a 4xx (except 429) is the client's fault and is not."""
        return self.status is None or self.status == 429 or self.status >= 500

    def describe(self) -> str:
        return self.error or f"HTTP {self.status}"


@dataclass
class _Endpoint:
    handler: HttpHandler | None
    auto_confirm: bool
    requests: list[HttpRequest] = field(default_factory=list)


class HttpEndpoints:
    """The URLs a test answers in Python, and the auto-confirm switch."""

    def __init__(self, run_user_code: Callable[..., Any]) -> None:
        # Handlers and `responses` callbacks are user code: they run without
        # the cloud's lock, so they may call AWS from any thread.
        self._run_user_code = run_user_code
        self._endpoints: dict[str, _Endpoint] = {}
        #: Confirm every new HTTP/S subscription at once, with no handshake.
        self.auto_confirm = False

    def register(self, url: str, handler: HttpHandler | None = None, *, auto_confirm: bool = False) -> None:
        self._endpoints[url] = _Endpoint(handler, auto_confirm)

    def auto_confirms(self, url: str) -> bool:
        found = self._endpoints.get(url)
        return self.auto_confirm or (found is not None and found.auto_confirm)

    def received(self, url: str) -> list[HttpRequest]:
        """Requests a registered URL received (handler or not)."""
        found = self._endpoints.get(url)
        return list(found.requests) if found else []

    def post(self, url: str, headers: dict[str, str], body: str) -> HttpResult:
        request = HttpRequest("POST", url, dict(headers), body)
        found = self._endpoints.get(url)
        if found is not None:
            found.requests.append(request)
            if found.handler is None:
                return HttpResult(200)
            try:
                status = self._run_user_code(found.handler, request)
            except Exception as exc:  # the endpoint's own bug: a 500 to SNS
                return HttpResult(500, f"handler raised {type(exc).__name__}: {exc}")
            return HttpResult(200 if status is None else int(status))
        result: HttpResult = self._run_user_code(_post_with_requests, request)
        return result


def _post_with_requests(request: HttpRequest) -> HttpResult:
    import requests

    if not _intercepted():
        # Nothing could answer: the mock-only adapter would refuse. Say so without the
        # ~0.5 ms requests spends preparing a request, as a year of retries makes thousands.
        return HttpResult(None, f"unreachable: {_refusal(request.url)}")
    session = requests.Session()
    # SNS is not the test machine: no proxies, netrc credentials or CA bundles from its environment.
    session.trust_env = False
    adapter = _mock_only_adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    try:
        response = session.post(
            request.url, data=request.body.encode("utf-8"), headers=request.headers, timeout=TIMEOUT_SECONDS
        )
    except requests.Timeout:
        return HttpResult(None, f"timed out after {TIMEOUT_SECONDS:.0f} s")
    except requests.RequestException as exc:
        return HttpResult(None, f"unreachable: {exc}")
    finally:
        session.close()
    return HttpResult(response.status_code)


def _intercepted() -> bool:
    """Whether a mock library (``responses``, ``requests-mock``...) patched requests' path to the wire."""
    from requests import Session
    from requests.adapters import HTTPAdapter

    if getattr(HTTPAdapter.send, "__module__", "") != "requests.adapters":
        return True
    return any(
        getattr(getattr(Session, name), "__module__", "") != "requests.sessions"
        for name in ("post", "request", "send", "get_adapter")
    )


@functools.lru_cache(maxsize=256)
def _refusal(url: str) -> str:
    """The error requests raises for a URL nothing answers (bad URLs fail as requests fails them)."""
    import requests

    try:
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, None)
    except requests.RequestException as exc:
        return str(exc)
    return _nothing_answers(str(prepared.url))


def _nothing_answers(url: str) -> str:
    return (
        f"pytest-awsmsg never opens real connections: nothing answers {url} "
        "(mock it with `responses`, or register a handler with aws.sns.http_endpoint(url, handler))"
    )


_ADAPTER: Any = None


def _mock_only_adapter() -> Any:
    """An ``HTTPAdapter`` that sends only when a mock library has patched ``HTTPAdapter.send``."""
    global _ADAPTER
    if _ADAPTER is None:
        import requests
        from requests.adapters import HTTPAdapter

        class MockOnlyAdapter(HTTPAdapter):
            def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
                send = HTTPAdapter.send
                if getattr(send, "__module__", "") == "requests.adapters":
                    raise requests.ConnectionError(_nothing_answers(str(request.url)))
                return send(self, request, *args, **kwargs)

        _ADAPTER = MockOnlyAdapter
    return _ADAPTER()
