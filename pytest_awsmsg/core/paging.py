"""Page tokens, written once for every service's List* and history calls.

:func:`page` cuts a list into pages with an opaque token (an offset) and an
optional reverse order. A token remembers the query it belongs to (a
fingerprint of ``query``), so a token from another list or filter is refused
instead of silently paging something else. Each service turns
:class:`InvalidPageToken` into its own error (SQS ``InvalidParameterValue``,
SNS ``InvalidParameter``, Step Functions ``InvalidToken``, Secrets Manager
``InvalidNextTokenException``, SWF ``ValidationException``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class InvalidPageToken(ValueError):
    """A page token that this query did not hand out."""


class ExpiredPageToken(InvalidPageToken):
    """A page token older than the lifetime its listing gives tokens."""


def page(
    items: Sequence[T],
    token: str | None,
    size: int | None,
    *,
    reverse: bool = False,
    default_size: int = 1000,
    query: Any = None,
    now: float | None = None,
    lifetime: float | None = None,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (reversed first if asked) and the token of the next page, if any.

    ``query`` is anything JSON-serialisable that identifies the listing (its
    filters); a token made for another query raises :class:`InvalidPageToken`.
    With a ``lifetime`` (seconds, on the clock ``now`` reads) a token carries
    when it was made, and an older one raises :class:`ExpiredPageToken`.
    """
    ordered = list(reversed(items)) if reverse else list(items)
    fingerprint = hashlib.sha256(json.dumps([query, reverse], sort_keys=True, default=str).encode()).hexdigest()[:16]
    start = 0
    if token:
        start, made = _decode(token, fingerprint)
        if lifetime is not None and (made is None or now is None or now - made > lifetime):
            raise ExpiredPageToken(token)
    limit = size or default_size
    chunk = ordered[start : start + limit]
    following = start + limit
    stamp = now if lifetime is not None else None
    return chunk, (_encode(following, fingerprint, stamp) if following < len(ordered) else None)


def _encode(offset: int, fingerprint: str, made: float | None) -> str:
    data: dict[str, Any] = {"o": offset, "q": fingerprint}
    if made is not None:  # when it was made, for a listing whose tokens expire
        data["t"] = made
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def _decode(token: str, fingerprint: str) -> tuple[int, float | None]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset, made = data["o"], data.get("t")
        if data["q"] != fingerprint or not isinstance(offset, int) or offset < 0:
            raise ValueError(token)
        if made is not None and not isinstance(made, (int, float)):
            raise ValueError(token)
        return offset, made
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidPageToken(token) from exc
