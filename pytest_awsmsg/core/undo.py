"""One shape for what breaks the cloud: it works when made, and undoes itself on leaving a ``with`` block.

A fault rule, an outage and an FIS experiment take effect the moment they are
made, so a plain call (``aws.az_outage("us-east-1a")``) is enough in a test;
used as a context manager, each ends when the block is left, however it is
left (an assertion failing inside it included).
"""

from __future__ import annotations

from types import TracebackType
from typing import TypeVar

_T = TypeVar("_T", bound="UndoneOnExit")


class UndoneOnExit:
    """Mixin: ``with thing:`` calls ``thing.undo()`` on exit."""

    def undo(self) -> None:
        raise NotImplementedError

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.undo()
