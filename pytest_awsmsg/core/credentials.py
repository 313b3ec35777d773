"""Credentials while a cloud is active: the kit's, never a provider's.

botocore resolves a session's credentials once, through a chain of providers
(environment, profiles, ``credential_process`` commands, SSO, STS
assume-role and web identity, the ECS container endpoint, IMDS), and caches
them in the session. Inside a cloud that chain must not run: some providers
run commands or reach the network. And whatever it resolved would stay cached
after the cloud: boto3's default session kept the fake key for the rest of
the process.

So while a cloud is active ``Session.get_credentials`` (botocore's and
aiobotocore's) answers from the kit and caches nothing: keys the session
was given as they are (``boto3.Session(aws_access_key_id=...)``, what
:meth:`Cloud.credentials_for` hands out), else the kit's fake ones. Sessions
are then exactly as they were when the cloud ends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .. import _hook

FAKE_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
FAKE_SECRET_KEY = "fake-secret-key"


def _given(session: Any) -> Any:
    """Keys a session holds that no provider refreshes (given to it, or resolved before the cloud)."""
    from botocore.credentials import RefreshableCredentials

    held = getattr(session, "_credentials", None)
    # Refreshable ones would run their provider again (a command, STS) once they expire.
    return None if held is None or isinstance(held, RefreshableCredentials) else held


def session_credentials(real: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``botocore.session.Session.get_credentials`` while a cloud is active."""

    def get_credentials(session: Any) -> Any:
        if _hook.active_cloud() is None:
            return real(session)
        from botocore.credentials import Credentials

        return _given(session) or Credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, method="pytest-awsmsg")

    get_credentials._awsmsg_real = real  # type: ignore[attr-defined]
    return get_credentials


def async_session_credentials(real: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """aiobotocore's ``AioSession.get_credentials`` (a coroutine) while a cloud is active."""

    async def get_credentials(session: Any) -> Any:
        if _hook.active_cloud() is None:
            return await real(session)
        from aiobotocore.credentials import AioCredentials

        return _given(session) or AioCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, method="pytest-awsmsg")

    get_credentials._awsmsg_real = real  # type: ignore[attr-defined]
    return get_credentials
