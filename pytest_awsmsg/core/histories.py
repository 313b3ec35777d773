"""Event histories and page tokens: what SWF (and Step Functions) return as paged lists.

A :class:`History` is an append-only list of events with ids from 1, the way
SWF and Step Functions number them; :func:`page` cuts any list into pages
with an opaque ``nextPageToken`` and an optional reverse order. A token
remembers the query it belongs to (a fingerprint), so a token from another
list or another filter is refused instead of silently paging something else.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Event:
    """One history event: its id, type, timestamp and attributes (model member names)."""

    event_id: int
    event_type: str
    timestamp: float
    attributes: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)


@dataclass
class History:
    """An append-only event list; ``append`` returns the new event's id."""

    events: list[Event] = field(default_factory=list)

    def append(self, event_type: str, timestamp: float, attributes: dict[str, Any]) -> Event:
        event = Event(
            len(self.events) + 1, event_type, timestamp, {k: v for k, v in attributes.items() if v is not None}
        )
        self.events.append(event)
        return event

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, event_id: int) -> Event:
        """The event with that id (ids start at 1)."""
        return self.events[event_id - 1]

    @property
    def last(self) -> Event | None:
        return self.events[-1] if self.events else None

    def since(self, event_id: int) -> list[Event]:
        """Events recorded after the one with ``event_id``."""
        return self.events[event_id:]


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
