"""What every wire protocol shares: the request and response on the wire, and
the two roles a protocol plays (parse a request, serialise an answer).

The layer works from (method, path, headers, body) only, never from botocore's
request dict, so the same classes can later sit behind a real HTTP server.
"""

from __future__ import annotations

import base64
import calendar
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from ..errors import AwsError


@dataclass
class WireRequest:
    """An HTTP request as a server would see it. Header names are lower-cased."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    @classmethod
    def create(cls, method: str, url: str, headers: Mapping[str, Any], body: Any) -> WireRequest:
        lowered: Mapping[str, str]
        if isinstance(headers, dict):
            lowered = {k.lower(): _header_text(v) for k, v in headers.items()}
        else:
            # botocore's headers are already case-insensitive; copying them
            # costs more than the rest of parsing a request.
            lowered = _HeaderView(headers)
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
        elif isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        else:
            data = body.read()  # a file-like body (streaming input)
        return cls(method.upper(), url, lowered, data)

    @cached_property
    def _split(self) -> Any:
        return urlsplit(self.url)

    @property
    def host(self) -> str:
        return str(self._split.hostname or "")

    @property
    def path(self) -> str:
        return str(self._split.path or "/")

    @cached_property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self._split.query, keep_blank_values=True)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def _header_text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _HeaderView(Mapping[str, str]):
    """Read-only, case-insensitive view of a headers object that has ``get``."""

    __slots__ = ("_all", "_raw")

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._all: dict[str, str] | None = None

    def get(self, key: str, default: Any = None) -> Any:
        value = self._raw.get(key)
        return default if value is None else _header_text(value)

    def __getitem__(self, key: str) -> str:
        value = self._raw.get(key)
        if value is None:
            raise KeyError(key)
        return _header_text(value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._raw.get(key) is not None

    def _lowered(self) -> dict[str, str]:
        if self._all is None:
            self._all = {k.lower(): _header_text(v) for k, v in self._raw.items()}
        return self._all

    def __iter__(self) -> Any:
        return iter(self._lowered())

    def __len__(self) -> int:
        return len(self._lowered())


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class ProtocolError(AwsError):
    """A request the protocol cannot make sense of (AWS answers these 400)."""

    status = 400


class UnknownOperationError(AwsError):
    code = "UnknownOperationException"
    status = 400


class RequestParser:
    """Turns a wire request into (operation, params) for one service model."""

    def __init__(self, service_model: ServiceModel) -> None:
        self.service_model = service_model

    def parse(self, request: WireRequest) -> tuple[OperationModel, dict[str, Any]]:
        raise NotImplementedError

    def operation(self, name: str) -> OperationModel:
        try:
            return self.service_model.operation_model(name)
        except Exception:
            raise UnknownOperationError(
                f"Operation {name} is not supported by {self.service_model.service_name}."
            ) from None


class ResponseSerializer:
    """Turns an operation's result, or an :class:`AwsError`, into a wire response."""

    def __init__(self, service_model: ServiceModel) -> None:
        self.service_model = service_model

    def serialize(self, operation: OperationModel, result: Mapping[str, Any], request_id: str) -> WireResponse:
        raise NotImplementedError

    def serialize_error(self, operation: OperationModel | None, error: AwsError, request_id: str) -> WireResponse:
        raise NotImplementedError

    def error_status(self, error: AwsError) -> int:
        """The error's own status, else what the model says of its shape, else 400/500."""
        if error.status is not None:
            return error.status
        shape = self.error_shape(error.code)
        if shape is not None:
            status = shape.metadata.get("error", {}).get("httpStatusCode")
            if status:
                return int(status)
        return 400 if error.sender_fault else 500

    def error_shape(self, code: str) -> StructureShape | None:
        """The model's error shape for a code: its shape name, or its query code."""
        return self._error_shapes.get(code)

    @cached_property
    def _query_codes(self) -> dict[str, str]:
        """Error shape name -> query code, where they differ (also for a JSON model that dropped them)."""
        from .views import QUERY_ERA

        era = QUERY_ERA.get(self.service_model.service_name)
        codes = dict(era.codes) if era is not None else {}
        for shape in self.service_model.error_shapes:
            code = shape.metadata.get("error", {}).get("code")
            if code:
                codes[shape.name] = str(code)
        return codes

    @cached_property
    def _error_shapes(self) -> dict[str, StructureShape]:
        shapes = {shape.name: shape for shape in self.service_model.error_shapes}
        found = {code: shapes[name] for name, code in self._query_codes.items() if name in shapes}
        found.update(shapes)
        return found

    def query_error_code(self, error: AwsError) -> str:
        """The code a ``query`` client sees: the error's query code, else the model's, else its own."""
        if error.query_code:
            return error.query_code
        shape = self.error_shape(error.code)
        if shape is not None:
            return str(self._query_codes.get(shape.name, shape.name))
        return error.code


# -- value conversions shared by the protocols ---------------------------------


def parse_timestamp(value: Any) -> datetime:
    """Epoch seconds, ISO 8601 or RFC 822, as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ProtocolError(f"Invalid timestamp: {value}", code="SerializationException") from None
    text = str(value).strip()
    try:
        return datetime.fromtimestamp(float(text), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ProtocolError(f"Invalid timestamp: {text}", code="SerializationException") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_timestamp(value: datetime | float | int, fmt: str) -> Any:
    """A timestamp in one of the model's formats: unixTimestamp, iso8601, rfc822."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        epoch = value.timestamp()
    else:
        epoch = float(value)
    if fmt == "unixtimestamp":
        return round(epoch, 3)
    if fmt == "rfc822":
        return email.utils.formatdate(epoch, usegmt=True)
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    millis = f".{dt.microsecond // 1000:03d}" if dt.microsecond else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"


def b64encode(value: bytes | str) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def b64decode(value: str | bytes) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):  # not base64, or not even text (a number in JSON)
        raise ProtocolError("Invalid base64 value.", code="SerializationException") from None


def scalar_from_text(shape: Shape, text: str, invalid: AwsError) -> Any:
    """A scalar that travelled as text (query, URI, query string, header).

    ``invalid`` is what the protocol answers when the text is not a number.
    """
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise invalid from None
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return b64decode(text)
    return text


def member_wire_name(name: str, shape: Shape) -> str:
    """The name a member travels under (``locationName`` in the model)."""
    return str(shape.serialization.get("name", name))


def epoch_of(dt: datetime) -> int:
    return calendar.timegm(dt.utctimetuple())
