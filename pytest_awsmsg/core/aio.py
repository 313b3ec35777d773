"""The async edge: aiobotocore (and aioboto3 above it) reach the same cloud.

aiobotocore runs botocore's own handlers, ours included, but it awaits what a
``before-send`` handler returns and then awaits the response's ``content``.
So for an async client the handler returns a coroutine, and the coroutine
answers through the very entry point a sync client uses
(:meth:`Cloud.answer_request`): one lock, one call log, one fault check, one
clock. Only the response object differs: aiobotocore's ``AioAWSResponse``,
whose body is read with ``await``. The answer runs on a kit thread in turns
with the event loop, so a call that waits (a long poll) leaves the loop free
for the test's other tasks; see :meth:`.threads.Participants.run_in_turns`.

Everything that could make the answer unusable is checked when the handler
is called, before the coroutine exists: a client this edge cannot answer
fails before the cloud has seen the request.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import _hook

if TYPE_CHECKING:
    from .cloud import Cloud


class UnsupportedClientError(RuntimeError):
    """An async botocore the kit cannot answer; raised before the cloud sees the call."""


def _response_class() -> type[Any]:
    """aiobotocore's response type, whose ``content`` is awaited; refused if this aiobotocore has none."""
    try:
        from aiobotocore.awsrequest import AioAWSResponse
    except ImportError as error:  # an async emitter that is not aiobotocore, or one too old
        raise UnsupportedClientError(
            "pytest-awsmsg cannot answer this async botocore client: it supports aiobotocore 2.x and 3.x "
            f"(aiobotocore.awsrequest.AioAWSResponse: {error}). Nothing was sent to the fake."
        ) from None
    return AioAWSResponse  # type: ignore[no-any-return]


def answer(cloud: Cloud, request: Any, event_name: str) -> Coroutine[Any, Any, Any]:
    """What the ``before-send`` handler returns to aiobotocore: a coroutine answering from ``cloud``."""
    response_class = _response_class()

    async def answered() -> Any:
        # On a kit thread taking turns with the loop: a long poll lets the loop's
        # other tasks run while it waits (core/threads.py, run_in_turns).
        response = await cloud.threads.run_in_turns(lambda: cloud.answer_request(request, event_name))
        if response is None:
            return None  # passed through: another handler or the network answers
        raw = _AsyncRawBody(response.body, response.headers)
        return response_class(request.url, response.status, response.headers, raw)

    return answered()


def credentials() -> Any:
    """Fake credentials for an async client made with none (its signer awaits them)."""
    from aiobotocore.credentials import AioCredentials

    from .credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY

    return AioCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, method="pytest-awsmsg")


class _AsyncRawBody:
    """The ``raw`` of an ``AioAWSResponse``: aiobotocore awaits ``read()``.

    aiobotocore before 2.14 also reads the headers from it, as aiohttp's
    ``raw_headers`` (pairs of bytes).
    """

    def __init__(self, body: bytes, headers: Mapping[str, str]) -> None:
        self._body = body
        self._read = False
        self.raw_headers = [(k.encode("utf-8"), v.encode("utf-8")) for k, v in headers.items()]

    async def read(self, amt: int | None = None) -> bytes:
        if self._read:
            return b""
        self._read = True
        return self._body


class VirtualAsyncio(ModuleType):
    """Stands in for ``asyncio`` inside ``aiobotocore.endpoint`` while a cloud is active.

    aiobotocore awaits ``asyncio.sleep`` between retries: the wait becomes
    virtual time on the active cloud's clock, and the event loop still gets
    its turn (``sleep(0)``), so other tasks run as they would during a real
    backoff.
    """

    def __init__(self, real: ModuleType) -> None:
        super().__init__("asyncio")
        self._real = real
        self._awsmsg_real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        cloud = _hook.active_cloud()
        if cloud is None:
            return await self._real.sleep(delay, result)
        cloud.clock.sleep(delay)
        return await self._real.sleep(0, result)
