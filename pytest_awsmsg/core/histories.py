"""Event histories: what SWF (and Step Functions) return as paged lists.

A :class:`History` is an append-only list of events with ids from 1, the way
SWF and Step Functions number them; :func:`~.paging.page` cuts it (or any
list) into pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .paging import InvalidPageToken, page

__all__ = ["Event", "History", "InvalidPageToken", "page"]


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
