"""Settings of a service's production quirks (at-least-once delivery and the like).

SQS, SNS and Step Functions each let a test switch a quirk on for one resource
or for all of them. One class holds those settings so that "set for one, set
for all, switch off" means the same thing in every service.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


def check_rate(rate: float) -> float:
    """A chance, refused outside 0..1 when the quirk is set rather than when it fires."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"duplicate_rate must be between 0 and 1, got {rate}")
    return rate


class QuirkSettings(Generic[T]):
    """One setting per resource name (or ARN), plus one for every resource (``None``)."""

    def __init__(self) -> None:
        self._by_target: dict[str | None, T] = {}

    def set(self, target: str | None, value: T | None) -> None:
        """Set ``target``'s quirk; ``None`` switches it off, and with no target, all of them."""
        if value is not None:
            self._by_target[target] = value
        elif target is None:
            self._by_target.clear()
        else:
            self._by_target.pop(target, None)

    def lookup(self, *names: str) -> T | None:
        """The first setting made for one of ``names``, else the one for all, else ``None``."""
        for name in names:
            if name in self._by_target:
                return self._by_target[name]
        return self._by_target.get(None)

    def __bool__(self) -> bool:
        return bool(self._by_target)
