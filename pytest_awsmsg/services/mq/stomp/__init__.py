"""ActiveMQ over STOMP 1.0-1.2: the engine behind Amazon MQ's ``stomp+ssl://...:61614`` endpoints."""

from __future__ import annotations

from ..wire import register_engine
from .broker import ActiveMqState
from .session import StompSession

__all__ = ["ActiveMqState", "StompSession"]

register_engine(engine_type="ACTIVEMQ", protocol="stomp", port=61614, new_state=ActiveMqState, new_session=StompSession)
