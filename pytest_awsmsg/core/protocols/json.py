"""The ``json`` protocol (awsJson1_0 / awsJson1_1): SQS, Step Functions, SWF,
Secrets Manager.

::

    RequestParser ── JsonParser          X-Amz-Target: Prefix.Operation, JSON body
    ResponseSerializer ── JsonSerializer  JSON body; errors as {"__type", "message"}
                                          plus x-amzn-query-error for services that
                                          left the query protocol (awsQueryCompatible)

The shape walk (:func:`decode` / :func:`encode`) is shared with ``rest-json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from ..errors import AwsError
from .base import (
    ProtocolError,
    RequestParser,
    ResponseSerializer,
    WireRequest,
    WireResponse,
    b64decode,
    b64encode,
    format_timestamp,
    parse_timestamp,
)

_SPECIAL_TYPES = {"timestamp", "blob"}


def _is_plain(shape: Shape, seen: frozenset[str] = frozenset()) -> bool:
    """True when the shape travels as-is: no renamed members, timestamps or blobs."""
    if shape.name in seen:
        return True
    seen = seen | {shape.name}
    if shape.type_name in _SPECIAL_TYPES:
        return False
    if isinstance(shape, StructureShape):
        for name, member in shape.members.items():
            if member.serialization.get("name", name) != name or not _is_plain(member, seen):
                return False
        return True
    if isinstance(shape, ListShape):
        return _is_plain(shape.member, seen)
    if isinstance(shape, MapShape):
        return _is_plain(shape.value, seen)
    return True


# Keyed by identity: operation models (and the shapes hanging off them) are
# cached for the life of the process, so an id stays theirs; the shape is kept
# in the entry to make sure of it.
_plain_cache: dict[int, tuple[Shape, bool]] = {}


def is_plain(shape: Shape) -> bool:
    hit = _plain_cache.get(id(shape))
    if hit is None:
        hit = _plain_cache[id(shape)] = (shape, _is_plain(shape))
    return hit[1]


def decode(shape: Shape, value: Any) -> Any:
    """A value as it came over the wire in JSON, turned into Python per its shape."""
    if value is None:
        return None
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise ProtocolError(f"Expected an object for {shape.name}.", code="SerializationException")
        if is_plain(shape):
            return value
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if wire in value:
                out[name] = decode(member, value[wire])
        return out
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise ProtocolError(f"Expected a list for {shape.name}.", code="SerializationException")
        return value if is_plain(shape) else [decode(shape.member, v) for v in value]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise ProtocolError(f"Expected a map for {shape.name}.", code="SerializationException")
        return value if is_plain(shape) else {k: decode(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return parse_timestamp(value)
    if kind == "blob":
        return b64decode(value)
    return value


def encode(shape: Shape, value: Any, timestamp_format: str = "unixtimestamp") -> Any:
    """A Python value (as a service returns it) in its JSON wire form; ``None`` is dropped."""
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None:
                out[member.serialization.get("name", name)] = encode(member, item, timestamp_format)
        return out
    if isinstance(shape, ListShape):
        return [encode(shape.member, v, timestamp_format) for v in value]
    if isinstance(shape, MapShape):
        return {k: encode(shape.value, v, timestamp_format) for k, v in value.items() if v is not None}
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", timestamp_format))
    if kind == "blob":
        return b64encode(value)
    return value


def dumps(document: Any) -> bytes:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (sent as "\ud800"): only an escape carries it
        return json.dumps(document, separators=(",", ":")).encode("ascii")


def loads(body: bytes) -> Any:
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError:
        raise ProtocolError(
            "Start of structure or map found where not expected.", code="SerializationException"
        ) from None


class JsonParser(RequestParser):
    def parse(self, request: WireRequest) -> tuple[OperationModel, dict[str, Any]]:
        target = request.headers.get("x-amz-target", "")
        prefix = self.service_model.metadata.get("targetPrefix", "")
        if not target.startswith(prefix + "."):
            raise ProtocolError(
                f"Missing or unknown X-Amz-Target header: {target!r}.", code="UnknownOperationException"
            )
        operation = self.operation(target[len(prefix) + 1 :])
        body = loads(request.body)
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        params = decode(shape, body) or {}
        if any(name not in shape.members for name in params):
            # AWS ignores members its model does not know (a newer SDK's)
            params = {name: value for name, value in params.items() if name in shape.members}
        return operation, params


class JsonSerializer(ResponseSerializer):
    @property
    def content_type(self) -> str:
        return "application/x-amz-json-" + str(self.service_model.metadata.get("jsonVersion", "1.0"))

    def serialize(self, operation: OperationModel, result: Mapping[str, Any], request_id: str) -> WireResponse:
        shape = operation.output_shape
        body = dumps(encode(shape, result)) if shape is not None else b"{}"
        return WireResponse(200, {"x-amzn-RequestId": request_id, "Content-Type": self.content_type}, body)

    def serialize_error(self, operation: OperationModel | None, error: AwsError, request_id: str) -> WireResponse:
        headers = {"x-amzn-RequestId": request_id, "Content-Type": self.content_type}
        shape = self.error_shape(error.code)
        name = shape.name if shape is not None else error.code
        if "awsQueryCompatible" in self.service_model.metadata:
            # A service that left query (SQS) names the error twice: the JSON
            # name in __type, the query code in x-amzn-query-error, which is
            # where botocore's Error.Code (and the modelled class) comes from.
            fault = "Sender" if error.sender_fault else "Receiver"
            headers["x-amzn-query-error"] = f"{self.query_error_code(error)};{fault}"
            if shape is None:
                name = QUERY_COMPATIBLE_JSON_NAMES.get(error.code, name)
        # The message travels under the key the error shape defines
        # (Secrets Manager's shapes say "Message", SQS's and Step Functions'
        # "message"); an error the model does not list uses "message".
        key = "Message" if shape is not None and "Message" in shape.members else "message"
        document: dict[str, Any] = {"__type": name, key: error.message}
        document.update(getattr(error, "fields", {}) or {})
        return WireResponse(self.error_status(error), headers, dumps(document))


# The JSON names a query-compatible service (SQS) gives the generic query
# errors no model lists. Assumed from AWS's SQS JSON answers: the query code
# plus "Exception", except MissingParameter, which JSON calls
# MissingRequiredParameterException.
QUERY_COMPATIBLE_JSON_NAMES = {
    "InvalidParameterValue": "InvalidParameterValueException",
    "MissingParameter": "MissingRequiredParameterException",
    "InvalidParameterCombination": "InvalidParameterCombinationException",
    "InvalidAction": "InvalidActionException",
    "AccessDenied": "AccessDeniedException",
}
