"""One generic protocol layer, driven by botocore's service models.

``protocol_of(model, request)`` says which wire protocol a request speaks;
``parser_for`` and ``serializer_for`` give the (cached) classes for it::

    RequestParser        ResponseSerializer
    ├── JsonParser       ├── JsonSerializer       json (+ awsQueryCompatible)
    ├── QueryParser      ├── QuerySerializer      query (XML)
    └── RestJsonParser   └── RestJsonSerializer   rest-json
"""

from __future__ import annotations

from functools import cache

from botocore.model import ServiceModel

from .base import RequestParser, ResponseSerializer, WireRequest, WireResponse
from .json import JsonParser, JsonSerializer
from .query import QueryParser, QuerySerializer
from .rest_json import RestJsonParser, RestJsonSerializer

__all__ = [
    "RequestParser",
    "ResponseSerializer",
    "WireRequest",
    "WireResponse",
    "parser_for",
    "protocol_of",
    "serializer_for",
]

_PARSERS: dict[str, type[RequestParser]] = {
    "json": JsonParser,
    "query": QueryParser,
    "rest-json": RestJsonParser,
}
_SERIALIZERS: dict[str, type[ResponseSerializer]] = {
    "json": JsonSerializer,
    "query": QuerySerializer,
    "rest-json": RestJsonSerializer,
}


def protocol_of(model: ServiceModel, request: WireRequest) -> str:
    """The protocol the request speaks, among those the model allows.

    A service that left ``query`` for ``json`` (SQS) still answers query
    requests from older SDKs, so the request's content type decides.
    """
    declared = str(model.metadata.get("protocol", ""))
    if declared == "rest-json":
        return declared
    content_type = request.content_type
    if content_type.startswith("application/x-amz-json"):
        return "json"
    if content_type == "application/x-www-form-urlencoded":
        return "query"
    return declared


@cache
def parser_for(model: ServiceModel, protocol: str) -> RequestParser:
    return _PARSERS[protocol](model)


@cache
def serializer_for(model: ServiceModel, protocol: str) -> ResponseSerializer:
    return _SERIALIZERS[protocol](model)
