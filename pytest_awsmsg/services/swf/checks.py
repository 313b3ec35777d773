"""Input rules SWF applies beyond what botocore checks on the client side.

SWF names (domains, types, workflow and activity ids, timer ids, signal
names) must not contain ``:``, ``/``, ``|`` or control characters, nor be the
literal ``arn``; durations are whole seconds or ``NONE``; priorities are
32-bit integers written as strings; page sizes go up to 1000.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from ...core.histories import ExpiredPageToken, InvalidPageToken, page, page_events
from .errors import ValidationException, invalid

T = TypeVar("T")
_BAD_NAME = re.compile(r"[:/|\u0000-\u001f\u007f-\u009f]")
MAX_PAGE = 1000
ONE_YEAR = 31_536_000


def name(value: str | None, member: str, max_length: int = 256) -> None:
    if value is None:
        return
    if _BAD_NAME.search(value) or value == "arn":
        raise invalid(
            value,
            member,
            "Member must not contain ':', '/', '|' or control characters, nor be the literal string 'arn'",
        )
    if len(value) > max_length:
        raise invalid(value, member, f"Member must have length less than or equal to {max_length}")


def duration(value: str | None, member: str, *, allow_none: bool = True, maximum: int | None = None) -> None:
    """A duration string: whole seconds (>= 0), or ``NONE`` where unlimited is allowed."""
    if value is None or (allow_none and value == "NONE"):
        return
    if not value.isdigit() or (maximum is not None and int(value) > maximum):
        limit = f" and <= {maximum}" if maximum is not None else ""
        unlimited = " or NONE" if allow_none else ""
        raise invalid(value, member, f"Member must be an integer >= 0{limit}{unlimited}")


def priority(value: str | None, member: str) -> None:
    if value is None:
        return
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not -(2**31) <= number < 2**31:
        raise invalid(value, member, "Member must be an integer between -2147483648 and 2147483647")


def page_size(value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE:
        raise invalid(value, "maximumPageSize", f"Member must have value less than or equal to {MAX_PAGE}")


def paged(
    items: Sequence[T], token: str | None, size: int | None, reverse: bool | None, query: Any
) -> tuple[list[T], str | None]:
    """A page of ``items`` with SWF's limits; a token from another query is refused."""
    page_size(size)
    try:
        return page(items, token, size or None, reverse=bool(reverse), default_size=MAX_PAGE, query=query)
    except InvalidPageToken:
        raise invalid(token, "nextPageToken", "Member must be a token returned by the same request") from None


def task_list(value: dict[str, str] | None, member: str) -> None:
    if value is not None:
        name(value.get("name"), f"{member}.name")


def history_page(
    events: Sequence[T], token: str | None, size: int | None, reverse: bool | None, query: Any, now: float
) -> tuple[list[T], str | None]:
    """A page of a history (core/histories.py): tokens expire after 24 hours, as SWF documents."""
    page_size(size)
    try:
        return page_events(
            events, token, size or None, now=now, reverse=bool(reverse), query=query, default_size=MAX_PAGE
        )
    except ExpiredPageToken:
        # GetWorkflowExecutionHistory: "a 400 error: Specified token has exceeded its maximum
        # lifetime". The error code is not documented; assumed ValidationException.
        raise ValidationException("Specified token has exceeded its maximum lifetime") from None
    except InvalidPageToken:
        raise invalid(token, "nextPageToken", "Member must be a token returned by the same request") from None
