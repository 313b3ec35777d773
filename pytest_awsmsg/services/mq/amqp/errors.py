"""AMQP 0-9-1 errors as RabbitMQ reports them: a reply code, ``NAME - detail``, the failing method.

A *soft* error closes only the channel (Channel.Close); a *hard* one closes the
connection (Connection.Close). Which codes are which follows the spec's
constants (RabbitMQ keeps that split).
"""

from __future__ import annotations

from typing import Any

# Reply codes by name (AMQP 0-9-1 constants, RabbitMQ's spellings).
CODES = {
    "CONTENT_TOO_LARGE": 311,
    "NO_ROUTE": 312,
    "NO_CONSUMERS": 313,
    "CONNECTION_FORCED": 320,
    "INVALID_PATH": 402,
    "ACCESS_REFUSED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_LOCKED": 405,
    "PRECONDITION_FAILED": 406,
    "FRAME_ERROR": 501,
    "SYNTAX_ERROR": 502,
    "COMMAND_INVALID": 503,
    "CHANNEL_ERROR": 504,
    "UNEXPECTED_FRAME": 505,
    "RESOURCE_ERROR": 506,
    "NOT_ALLOWED": 530,
    "NOT_IMPLEMENTED": 540,
    "INTERNAL_ERROR": 541,
}
_HARD = {"CONNECTION_FORCED", "INVALID_PATH", "FRAME_ERROR", "SYNTAX_ERROR", "COMMAND_INVALID"}
_HARD |= {"CHANNEL_ERROR", "UNEXPECTED_FRAME", "RESOURCE_ERROR", "NOT_ALLOWED", "NOT_IMPLEMENTED", "INTERNAL_ERROR"}


class AmqpError(Exception):
    """A protocol error: what RabbitMQ would send in Channel.Close or Connection.Close."""

    def __init__(self, name: str, detail: str, method: Any = None) -> None:
        super().__init__(f"{name} - {detail}")
        self.name = name
        self.code = CODES[name]
        self.text = f"{name} - {detail}"
        self.hard = name in _HARD
        self.class_id, self.method_id = _ids(method)

    def on(self, method: Any) -> AmqpError:
        """The same error, blamed on ``method`` (when raised before it was known)."""
        if method is not None and (self.class_id, self.method_id) == (0, 0):
            self.class_id, self.method_id = _ids(method)
        return self


def _ids(method: Any) -> tuple[int, int]:
    """(class id, method id) of a pamqp method frame; (0, 0) when there is none."""
    index = getattr(method, "index", 0)
    return index >> 16, index & 0xFFFF


def not_found(kind: str, name: str, method: Any = None) -> AmqpError:
    return AmqpError("NOT_FOUND", f"no {kind} '{name}' in vhost '/'", method)


def precondition(detail: str, method: Any = None) -> AmqpError:
    return AmqpError("PRECONDITION_FAILED", detail, method)
