"""Event histories: what SWF and Step Functions return as paged lists.

A :class:`History` is an append-only list of events with ids from 1, the way
SWF and Step Functions number them. :func:`page_events` cuts one (or a slice
of one) into pages the way both services' history calls do: oldest first or
``reverse``, a token tied to the request's other arguments ("keep all other
arguments unchanged") that expires after 24 hours, as both services document.
Each service turns :class:`InvalidPageToken` / :class:`ExpiredPageToken`
into its own error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .paging import ExpiredPageToken, InvalidPageToken, page

__all__ = ["TOKEN_LIFETIME", "Event", "ExpiredPageToken", "History", "InvalidPageToken", "page", "page_events"]

E = TypeVar("E")

# GetExecutionHistory (Step Functions) and GetWorkflowExecutionHistory (SWF):
# "Each pagination token expires after 24 hours."
TOKEN_LIFETIME = 24 * 3600.0


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
class History(Generic[E]):
    """An append-only event list; the service's event class is ``E`` (SWF: :class:`Event`)."""

    events: list[E] = field(default_factory=list)

    def record(self, make: Callable[[int], E]) -> E:
        """Append ``make(next id)`` and return it."""
        event = make(len(self.events) + 1)
        self.events.append(event)
        return event

    def append(self: History[Event], event_type: str, timestamp: float, attributes: dict[str, Any]) -> Event:
        """Record an :class:`Event`; attributes that are ``None`` are left out, as AWS leaves them."""
        kept = {k: v for k, v in attributes.items() if v is not None}
        return self.record(lambda event_id: Event(event_id, event_type, timestamp, kept))

    def page(
        self,
        token: str | None,
        size: int | None,
        *,
        now: float,
        reverse: bool = False,
        query: Any = None,
        default_size: int = 1000,
    ) -> tuple[list[E], str | None]:
        """One page of the whole history: see :func:`page_events`."""
        return page_events(self.events, token, size, now=now, reverse=reverse, query=query, default_size=default_size)

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, event_id: int) -> E:
        """The event with that id (ids start at 1)."""
        return self.events[event_id - 1]

    @property
    def last(self) -> E | None:
        return self.events[-1] if self.events else None

    def since(self, event_id: int) -> list[E]:
        """Events recorded after the one with ``event_id``."""
        return self.events[event_id:]


def page_events(
    events: Sequence[E],
    token: str | None,
    size: int | None,
    *,
    now: float,
    reverse: bool = False,
    query: Any = None,
    default_size: int = 1000,
) -> tuple[list[E], str | None]:
    """One page of ``events`` and the next page's token: ``query`` names the request's
    other arguments, so a token is refused for another history or other options, and a
    token older than :data:`TOKEN_LIFETIME` on the cloud's clock raises :class:`ExpiredPageToken`."""
    return page(
        events, token, size, reverse=reverse, default_size=default_size, query=query, now=now, lifetime=TOKEN_LIFETIME
    )
