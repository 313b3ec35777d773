"""Keeping secret values out of reports, logs and error texts, in every form they can take.

A value rarely appears as itself: a Step Functions task output carries it
JSON-escaped (once, or twice when that output is itself printed as JSON), an
exception message may quote it with ``repr``, a report may show it
``ensure_ascii``-escaped. :func:`forms` lists those spellings and
:func:`scrub` replaces each, longest first, so no escaped spelling survives
when a shorter one is replaced inside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

REDACTED = "<redacted>"
# Shorter values are left alone: replacing every "1" or "db" would garble a
# report and hide nothing worth hiding.
MIN_LENGTH = 4


def _inner(quoted: str) -> str:
    return quoted[1:-1]


def forms(value: str) -> set[str]:
    """Every spelling of ``value`` a report or message may contain."""
    out = {value}
    for ascii_only in (False, True):
        once = _inner(json.dumps(value, ensure_ascii=ascii_only))
        out.add(once)
        out.add(_inner(json.dumps(once, ensure_ascii=ascii_only)))  # JSON inside JSON
    for text in list(out):
        out.add(_inner(repr(text)))  # repr of the value, or of its JSON spelling
        out.add(text.encode("unicode_escape").decode("ascii"))
    return {f for f in out if len(f) >= MIN_LENGTH}


def scrub(text: str, values: Iterable[str]) -> str:
    """``text`` with every spelling of every value replaced by ``<redacted>``."""
    spellings: set[str] = set()
    for value in values:
        if len(value) >= MIN_LENGTH:
            spellings |= forms(value)
    for spelling in sorted(spellings, key=len, reverse=True):
        text = text.replace(spelling, REDACTED)
    return text
