"""Amazon MQ's RabbitMQ engine: AMQP 0-9-1 (frames by pamqp) on every RabbitMQ broker's ``amqps`` port."""

from __future__ import annotations

from ..wire import register_engine
from .broker import RabbitBroker
from .session import AmqpSession

__all__ = ["AmqpSession", "RabbitBroker"]

register_engine(engine_type="RABBITMQ", protocol="amqp", port=5671, new_state=RabbitBroker, new_session=AmqpSession)
