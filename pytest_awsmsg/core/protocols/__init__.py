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
from .views import model_as, protocols_of

__all__ = [
    "RequestParser",
    "ResponseSerializer",
    "WireRequest",
    "WireResponse",
    "model_as",
    "parser_for",
    "protocol_of",
    "protocols_of",
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
    """The protocol a request speaks, among those the service answers.

    A service that left ``query`` for ``json`` (SQS) answers both on every
    request, as AWS does: an ``X-Amz-Target`` with a JSON content type is
    JSON, a form body (or a query string) with ``Action=`` is query.
    """
    spoken = protocols_of(model)
    if len(spoken) == 1:
        return spoken[0]
    content_type = request.content_type
    if content_type.startswith("application/x-amz-json") and "x-amz-target" in request.headers:
        return "json"
    if content_type == "application/x-www-form-urlencoded" or "Action" in request.query:
        return "query"
    return spoken[0]


@cache
def parser_for(model: ServiceModel, protocol: str) -> RequestParser:
    """The parser for requests in ``protocol`` (on the model as that protocol sees it)."""
    return _PARSERS[protocol](model_as(model, protocol))


@cache
def serializer_for(model: ServiceModel, protocol: str) -> ResponseSerializer:
    """The serialiser answering in ``protocol`` (on the model as that protocol sees it)."""
    return _SERIALIZERS[protocol](model_as(model, protocol))
