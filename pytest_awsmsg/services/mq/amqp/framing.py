"""Cutting a byte stream into AMQP 0-9-1 frames, and frames into bytes (pamqp does the codec).

pamqp encodes and decodes each frame; this module finds frame boundaries,
enforces the negotiated ``frame_max`` and turns what pamqp cannot decode into
the connection errors RabbitMQ sends (FRAME_ERROR, SYNTAX_ERROR,
COMMAND_INVALID) instead of exceptions.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, TypeVar

from pamqp import body, commands, exceptions, frame, header, heartbeat
from pamqp.base import Frame as Method

from .errors import AmqpError

PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
# Before Tune-Ok a peer may send frames of at most this size (the spec's minimum frame_max).
FRAME_MIN_SIZE = 4096
_HEADER = struct.Struct(">BHI")
_FRAME_END = 0xCE
_METHOD, _CONTENT_HEADER, _BODY, _HEARTBEAT = 1, 2, 3, 8

Inbound = Method | header.ContentHeader | body.ContentBody | heartbeat.Heartbeat

__all__ = [
    "FRAME_MIN_SIZE",
    "PROTOCOL_HEADER",
    "FrameReader",
    "Inbound",
    "Method",
    "content",
    "encode",
    "short",
    "unchecked",
]


class FrameReader:
    """Frames from a byte stream, in order, as (channel, frame); errors as :class:`AmqpError`."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.frame_max = FRAME_MIN_SIZE

    def feed(self, data: bytes) -> Iterator[tuple[int, Inbound]]:
        self._buffer += data
        while len(self._buffer) >= _HEADER.size:
            kind, channel, size = _HEADER.unpack_from(self._buffer)
            if kind not in (_METHOD, _CONTENT_HEADER, _BODY, _HEARTBEAT):
                raise AmqpError("FRAME_ERROR", f"type {kind}, all octets = <<>>: unknown_frame")
            if size + 8 > self.frame_max:
                limit = self.frame_max - 8
                raise AmqpError("FRAME_ERROR", f"type {kind}, all octets = <<>>: {{frame_too_large,{size},{limit}}}")
            end = _HEADER.size + size
            if len(self._buffer) < end + 1:
                return
            if self._buffer[end] != _FRAME_END:
                octets = erlang_binary(bytes(self._buffer[_HEADER.size : end]))
                marker = self._buffer[end]
                raise AmqpError(
                    "FRAME_ERROR", f"type {kind}, all octets = {octets}: {{invalid_frame_end_marker,{marker}}}"
                )
            raw = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            yield channel, _decode(kind, channel, raw)


def _decode(kind: int, channel: int, raw: bytes) -> Inbound:
    if kind == _HEARTBEAT:
        if channel != 0:
            raise AmqpError("UNEXPECTED_FRAME", "type 8, all octets = <<>>")
        return heartbeat.Heartbeat()
    index = 0
    if kind == _METHOD and len(raw) >= 12:
        index = struct.unpack_from(">I", raw, 7)[0]
        if index not in commands.INDEX_MAPPING:
            # Assumption: RabbitMQ 3.10 says nothing here (the differential script shows it); the kit closes
            # the connection with COMMAND_INVALID rather than leave the client waiting.
            raise AmqpError("COMMAND_INVALID", f"unknown method: class {index >> 16}, method {index & 0xFFFF}")
    try:
        _, _, decoded = frame.unmarshal(raw)
    except (exceptions.UnmarshalingException, ValueError, struct.error, UnicodeDecodeError, IndexError):
        # RabbitMQ: FRAME_ERROR naming the undecodable arguments, blamed on the method they belong to.
        payload = raw[_HEADER.size + (4 if kind == _METHOD else 0) : -1]
        method = commands.INDEX_MAPPING[index]() if kind == _METHOD else None
        raise AmqpError("FRAME_ERROR", f"cannot decode {erlang_binary(payload)}", method) from None
    if isinstance(decoded, header.ProtocolHeader):
        raise AmqpError("FRAME_ERROR", "protocol header in the middle of the stream")
    return decoded


_M = TypeVar("_M", bound=Method)
_UNCHECKED: dict[type[Any], type[Any]] = {}


def unchecked(cls: type[_M]) -> type[_M]:
    """``cls`` without pamqp's checks of names against the spec's ASCII pattern.

    RabbitMQ takes any name that fits a shortstr (``é-queue``, control
    characters: checked against 3.10) and echoes it in DeclareOk, Deliver,
    GetOk, Return...; pamqp refuses to build those answers (ValueError).
    """
    found = _UNCHECKED.get(cls)
    if found is None:
        found = _UNCHECKED[cls] = type(cls.__name__, (cls,), {"validate": _no_checks})
    return found


def _no_checks(self: Any) -> None:
    return None


def short(text: str) -> str:
    """``text`` cut to a shortstr's 255 bytes (a reply text naming a long non-ASCII name)."""
    return text.encode()[:255].decode("utf-8", "ignore")


def erlang_binary(data: bytes) -> str:
    """Bytes as RabbitMQ prints them in errors (an Erlang binary: ``<<0,10,0,11>>``)."""
    return "<<" + ",".join(str(b) for b in data) + ">>"


def encode(channel: int, value: Any) -> bytes:
    """One method (or heartbeat) frame as bytes."""
    return frame.marshal(value, channel)


def content(channel: int, method: Method, properties: commands.Basic.Properties, data: bytes, frame_max: int) -> bytes:
    """A content-carrying method, its header and its body in frames of at most ``frame_max``."""
    parts = [frame.marshal(method, channel), frame.marshal(header.ContentHeader(0, len(data), properties), channel)]
    step = max(1, frame_max - 8)
    for start in range(0, len(data), step):
        parts.append(frame.marshal(body.ContentBody(data[start : start + step]), channel))
    return b"".join(parts)
