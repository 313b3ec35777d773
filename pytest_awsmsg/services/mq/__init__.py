"""Amazon MQ: the control plane (brokers, configurations, users, tags) in virtual time."""

from __future__ import annotations

from .api import MqService

__all__ = ["MqService"]
