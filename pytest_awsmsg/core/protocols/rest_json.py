"""The ``rest-json`` protocol: Amazon MQ.

::

    RequestParser ── RestJsonParser          method + requestUri template routing;
                                             members from uri, querystring, header(s),
                                             payload or JSON body
    ResponseSerializer ── RestJsonSerializer responseCode, header members, JSON body;
                                             errors with x-amzn-ErrorType

The JSON body uses the same shape walk as the ``json`` protocol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from botocore.model import ListShape, MapShape, OperationModel, Shape

from ..errors import AwsError
from . import json as json_protocol
from .base import (
    ProtocolError,
    RequestParser,
    ResponseSerializer,
    WireRequest,
    WireResponse,
    b64decode,
    format_timestamp,
    scalar_from_text,
)


class _Route:
    """One operation's requestUri compiled to a regex, plus its literal query keys."""

    def __init__(self, operation: OperationModel) -> None:
        self.operation = operation
        self.method = str(operation.http.get("method", "POST")).upper()
        uri = str(operation.http.get("requestUri", "/"))
        path, _, query = uri.partition("?")
        self.query_keys = {part.split("=")[0] for part in query.split("&") if part}
        self.labels: dict[str, str] = {}
        pattern = ""
        for index, piece in enumerate(re.split(r"(\{[^}]+\})", path)):
            if piece.startswith("{"):
                label = piece[1:-1]
                greedy = label.endswith("+")
                label = label.rstrip("+")
                group = f"g{index}"
                self.labels[group] = label
                pattern += f"(?P<{group}>{'.+' if greedy else '[^/]+'})"
            else:
                pattern += re.escape(piece)
        self.regex = re.compile(pattern.rstrip("/") + "/?$")
        # More literal text wins: /v1/brokers/{id}/users beats /v1/brokers/{id}.
        self.weight = (len(re.sub(r"\{[^}]+\}", "", path)), len(self.query_keys))

    def match(self, request: WireRequest) -> dict[str, str] | None:
        if request.method != self.method or not self.query_keys <= request.query.keys():
            return None
        found = self.regex.match(request.path)
        if found is None:
            return None
        return {self.labels[g]: unquote(v) for g, v in found.groupdict().items()}


class RestJsonParser(RequestParser):
    @cached_property
    def routes(self) -> list[_Route]:
        routes = [_Route(self.service_model.operation_model(n)) for n in self.service_model.operation_names]
        return sorted(routes, key=lambda r: r.weight, reverse=True)

    def parse(self, request: WireRequest) -> tuple[OperationModel, dict[str, Any]]:
        for route in self.routes:
            labels = route.match(request)
            if labels is not None:
                return route.operation, self._params(route.operation, request, labels)
        raise ProtocolError(
            f"No operation of {self.service_model.service_name} answers {request.method} {request.path}.",
            code="UnknownOperationException",
        )

    def _params(self, operation: OperationModel, request: WireRequest, labels: dict[str, str]) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        params: dict[str, Any] = {}
        body_members: dict[str, Shape] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                if wire in labels:
                    params[name] = _from_text(member, labels[wire])
            elif location == "querystring":
                value = _from_query(member, wire, request.query)
                if value is not None:
                    params[name] = value
            elif location == "header":
                if wire.lower() in request.headers:
                    params[name] = _from_text(member, request.headers[wire.lower()], header=True)
            elif location == "headers":
                prefix = wire.lower()
                found = {k[len(prefix) :]: v for k, v in request.headers.items() if k.startswith(prefix)}
                if found:
                    params[name] = found
            else:
                body_members[name] = member
        payload = shape.serialization.get("payload")
        if payload:
            member = shape.members[payload]
            if member.type_name in ("blob", "string"):
                if request.body:
                    params[payload] = request.body if member.type_name == "blob" else request.body.decode("utf-8")
            elif request.body:
                params[payload] = json_protocol.decode(member, json_protocol.loads(request.body))
        elif body_members and request.body:
            document = json_protocol.loads(request.body)
            for name, member in body_members.items():
                wire = member.serialization.get("name", name)
                if wire in document:
                    params[name] = json_protocol.decode(member, document[wire])
        return params


def _from_query(shape: Shape, wire: str, query: dict[str, list[str]]) -> Any:
    if isinstance(shape, MapShape):
        return {k: (v if isinstance(shape.value, ListShape) else v[-1]) for k, v in query.items()} or None
    if wire not in query:
        return None
    if isinstance(shape, ListShape):
        return [_from_text(shape.member, v) for v in query[wire]]
    return _from_text(shape, query[wire][-1])


def _from_text(shape: Shape, text: str, header: bool = False) -> Any:
    if header and shape.serialization.get("jsonvalue"):
        return json_protocol.loads(b64decode(text))
    if isinstance(shape, ListShape):
        return [_from_text(shape.member, part.strip()) for part in text.split(",")]
    invalid = ProtocolError(f"Invalid value {text!r} for {shape.name}.", code="BadRequestException")
    return scalar_from_text(shape, text, invalid)


class RestJsonSerializer(ResponseSerializer):
    def serialize(self, operation: OperationModel, result: Mapping[str, Any], request_id: str) -> WireResponse:
        status = int(operation.http.get("responseCode", 200))
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "application/json"}
        shape = operation.output_shape
        if shape is None:
            return WireResponse(status, headers, b"")
        body_members: dict[str, Any] = {}
        for name, member in shape.members.items():
            value = result.get(name)
            if value is None:
                continue
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "header":
                headers[wire] = _to_text(member, value)
            elif location == "headers":
                headers.update({wire + k: str(v) for k, v in value.items()})
            elif location == "statusCode":
                status = int(value)
            else:
                body_members[name] = value
        payload = shape.serialization.get("payload")
        if payload:
            value = result.get(payload)
            member = shape.members[payload]
            if value is None:
                body = b""
            elif member.type_name == "blob":
                body = value
            elif member.type_name == "string":
                body = value.encode("utf-8")
            else:
                body = json_protocol.dumps(json_protocol.encode(member, value))
        else:
            # encode() writes only the members present, so header members stay out.
            body = json_protocol.dumps(json_protocol.encode(shape, body_members))
        return WireResponse(status, headers, body)

    def serialize_error(self, operation: OperationModel | None, error: AwsError, request_id: str) -> WireResponse:
        headers = {
            "x-amzn-RequestId": request_id,
            "x-amzn-ErrorType": error.code,
            "Content-Type": "application/json",
        }
        document: dict[str, Any] = {"message": error.message}
        shape = self.error_shape(error.code)
        fields = dict(getattr(error, "fields", {}) or {})
        if shape is not None:
            # Modelled error members travel under their wire names (MQ's
            # errorAttribute, message), exactly like an output structure.
            document = json_protocol.encode(shape, {"Message": error.message, "message": error.message, **fields})
            document.setdefault("message", error.message)
        else:
            document.update(fields)
        return WireResponse(self.error_status(error), headers, json_protocol.dumps(document))


def _to_text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat", "rfc822")))
    if kind == "boolean":
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
