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


def page(
    items: Sequence[T],
    token: str | None,
    size: int | None,
    *,
    reverse: bool = False,
    default_size: int = 1000,
    query: Any = None,
) -> tuple[list[T], str | None]:
    """One page of ``items`` (reversed first if asked) and the token of the next page, if any.

    ``query`` is anything JSON-serialisable that identifies the listing (its
    filters); a token made for another query raises :class:`InvalidPageToken`.
    """
    ordered = list(reversed(items)) if reverse else list(items)
    fingerprint = hashlib.sha256(json.dumps([query, reverse], sort_keys=True, default=str).encode()).hexdigest()[:16]
    start = 0
    if token:
        start = _decode(token, fingerprint)
    limit = size or default_size
    chunk = ordered[start : start + limit]
    following = start + limit
    return chunk, (_encode(following, fingerprint) if following < len(ordered) else None)


def _encode(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": fingerprint}).encode()).decode()


def _decode(token: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = data["o"]
        if data["q"] != fingerprint or not isinstance(offset, int) or offset < 0:
            raise ValueError(token)
        return offset
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidPageToken(token) from exc
