"""The Amazon SQS fake."""

from __future__ import annotations

from .api import SqsService
from .view import MessageView, QueueView

__all__ = ["MessageView", "QueueView", "SqsService"]
