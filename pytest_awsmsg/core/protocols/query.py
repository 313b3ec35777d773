"""The ``query`` protocol: SNS, and SQS on botocore from before SQS moved to JSON.

::

    RequestParser ── QueryParser           form body: Action=Op&Member.Sub.1=...
    ResponseSerializer ── QuerySerializer  XML: <OpResponse><OpResult>...</OpResult>
                                           <ResponseMetadata/></OpResponse>;
                                           errors as <ErrorResponse><Error>...

Both sides walk the operation's shapes with the traits botocore's own query
serialiser honours: ``locationName`` (``name``), ``flattened`` lists and maps,
``member``/``entry``/``key``/``value`` defaults, ``resultWrapper``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from ..errors import AwsError
from .base import (
    ProtocolError,
    RequestParser,
    ResponseSerializer,
    WireRequest,
    WireResponse,
    b64encode,
    format_timestamp,
    scalar_from_text,
)
from .validation import Style, style_for

_MISSING: Any = object()
_XML_ENTITIES = {'"': "&quot;", "\r": "&#xD;"}


def _wire_name(shape: Shape, default: str) -> str:
    return str(shape.serialization.get("name", default))


class QueryParser(RequestParser):
    def parse(self, request: WireRequest) -> tuple[OperationModel, dict[str, Any]]:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(
                "The AWS query string is malformed or does not adhere to AWS standards.", code="InvalidQueryParameter"
            ) from None
        pairs = parse_qsl(text, keep_blank_values=True) if text else []
        if not pairs:
            pairs = [(k, v[-1]) for k, v in request.query.items()]
        flat = dict(pairs)
        action = flat.pop("Action", None)
        if not action:
            raise ProtocolError("Could not find operation to perform.", code="MissingAction")
        operation = self.operation(action)
        flat.pop("Version", None)
        if operation.input_shape is None:
            return operation, {}
        prefixes = {key.rsplit(".", n)[0] for key in flat for n in range(1, key.count(".") + 1)}
        value = _Reader(flat, prefixes, style_for(self.service_model)).read(operation.input_shape, "")
        return operation, {} if value is _MISSING else value


class _Reader:
    def __init__(self, flat: dict[str, str], prefixes: set[str], style: Style) -> None:
        self.flat = flat
        self.prefixes = prefixes
        self.style = style

    def present(self, key: str) -> bool:
        return key in self.flat or key in self.prefixes

    def read(self, shape: Shape, prefix: str) -> Any:
        if isinstance(shape, StructureShape):
            out: dict[str, Any] = {}
            for name, member in shape.members.items():
                wire = _wire_name(member, name)
                value = self.read(member, f"{prefix}.{wire}" if prefix else wire)
                if value is not _MISSING:
                    out[name] = value
            if not (out or not prefix or self.present(prefix)):
                return _MISSING
            # An empty list or map is not sent at all on the query wire: a
            # required one that is absent is empty, and the service decides.
            for name in shape.required_members:
                if name not in out and shape.members[name].type_name in ("list", "map"):
                    out[name] = [] if shape.members[name].type_name == "list" else {}
            return out
        if isinstance(shape, ListShape):
            return self._read_list(shape, prefix)
        if isinstance(shape, MapShape):
            return self._read_map(shape, prefix)
        if prefix not in self.flat:
            return _MISSING
        text = self.flat[prefix]
        invalid = self.style.wrong_type(prefix, text, shape.type_name.capitalize())
        return scalar_from_text(shape, text, invalid)

    def _read_list(self, shape: ListShape, prefix: str) -> Any:
        if self.flat.get(prefix) == "":
            return []
        if shape.serialization.get("flattened"):
            list_prefix = prefix
            if "name" in shape.member.serialization:
                list_prefix = ".".join([*prefix.split(".")[:-1], _wire_name(shape.member, "")])
        else:
            list_prefix = f"{prefix}.{_wire_name(shape.member, 'member')}"
        items: list[Any] = []
        while self.present(f"{list_prefix}.{len(items) + 1}"):
            items.append(self.read(shape.member, f"{list_prefix}.{len(items) + 1}"))
        return items if items else _MISSING

    def _read_map(self, shape: MapShape, prefix: str) -> Any:
        entry = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        key_name = _wire_name(shape.key, "key")
        value_name = _wire_name(shape.value, "value")
        out: dict[str, Any] = {}
        index = 1
        while f"{entry}.{index}.{key_name}" in self.flat:
            value = self.read(shape.value, f"{entry}.{index}.{value_name}")
            out[self.flat[f"{entry}.{index}.{key_name}"]] = None if value is _MISSING else value
            index += 1
        return out if out else _MISSING


class QuerySerializer(ResponseSerializer):
    @property
    def namespace(self) -> str:
        return str(self.service_model.metadata.get("xmlNamespace", ""))

    def serialize(self, operation: OperationModel, result: Mapping[str, Any], request_id: str) -> WireResponse:
        name = operation.name
        parts = [f'<?xml version="1.0"?>\n<{name}Response xmlns="{self.namespace}">']
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
            parts.append(f"<{wrapper}>")
            _write_members(shape, result, parts)
            parts.append(f"</{wrapper}>")
        parts.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>")
        return WireResponse(
            200, {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}, "".join(parts).encode("utf-8")
        )

    def serialize_error(self, operation: OperationModel | None, error: AwsError, request_id: str) -> WireResponse:
        # AWS's documented query error: ErrorResponse/Error/{Type, Code,
        # Message} and RequestId; no <Detail/> (botocore would show it as
        # Error.Detail).
        fault = "Sender" if error.sender_fault else "Receiver"
        body = (
            f'<?xml version="1.0"?>\n<ErrorResponse xmlns="{self.namespace}"><Error><Type>{fault}</Type>'
            f"<Code>{_text(self.query_error_code(error))}</Code><Message>{_text(error.message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return WireResponse(
            self.error_status(error),
            {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"},
            body.encode("utf-8"),
        )


# What XML 1.0 cannot carry at all, not even as a character reference: C0
# controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF. botocore's
# parser refuses a document holding any of them, so they travel as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("\ufffd", value)
    return escape(value, _XML_ENTITIES)


def _write_members(shape: StructureShape, value: Mapping[str, Any], parts: list[str]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None:
            _write(member, _wire_name(member, name), item, parts)


def _write(shape: Shape, name: str, value: Any, parts: list[str]) -> None:
    if isinstance(shape, StructureShape):
        parts.append(f"<{name}>")
        _write_members(shape, value, parts)
        parts.append(f"</{name}>")
    elif isinstance(shape, ListShape):
        if shape.serialization.get("flattened"):
            element = _wire_name(shape.member, name)
            for item in value:
                _write(shape.member, element, item, parts)
        else:
            element = _wire_name(shape.member, "member")
            parts.append(f"<{name}>")
            for item in value:
                _write(shape.member, element, item, parts)
            parts.append(f"</{name}>")
    elif isinstance(shape, MapShape):
        key_name = _wire_name(shape.key, "key")
        value_name = _wire_name(shape.value, "value")
        flattened = shape.serialization.get("flattened")
        if not flattened:
            parts.append(f"<{name}>")
        for key, item in value.items():
            parts.append(f"<{name}>" if flattened else "<entry>")
            parts.append(f"<{key_name}>{_text(str(key))}</{key_name}>")
            _write(shape.value, value_name, item, parts)
            parts.append(f"</{name}>" if flattened else "</entry>")
        if not flattened:
            parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}>{_scalar_text(shape, value)}</{name}>")


def _scalar_text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat", "iso8601")))
    if kind == "blob":
        return b64encode(value)
    return _text(str(value))
