"""Amazon SWF: domains, types, executions, deciders and workers, every timeout in virtual time."""

from __future__ import annotations

from .api import SwfService
from .runner import NO_RESPONSE
from .view import ExecutionView, HistoryEventView

__all__ = ["NO_RESPONSE", "ExecutionView", "HistoryEventView", "SwfService"]
