"""Amazon SWF: domains, types, executions, deciders and workers, every timeout in virtual time."""

from __future__ import annotations

from .api import SwfService
from .view import ExecutionView, HistoryEventView

__all__ = ["ExecutionView", "HistoryEventView", "SwfService"]
