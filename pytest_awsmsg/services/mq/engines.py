"""The broker engines the wire serves; importing one registers it (see wire.register_engine)."""

from __future__ import annotations

from . import (
    amqp,  # noqa: F401  (RabbitMQ over AMQP 0-9-1)
    stomp,  # noqa: F401  (ActiveMQ over STOMP, port 61614)
)
