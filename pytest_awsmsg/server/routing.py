"""Which faked service an HTTP request is for.

One endpoint answers every service, as AWS's regional hosts do not, so the
request itself has to say. It does, in one of a few ways, tried from the most
to the least specific (the order LocalStack's router also settles on):

1. ``X-Amz-Target: AmazonSQS.SendMessage``: the model's ``targetPrefix``
   (json services).
2. The SigV4 credential scope, ``Credential=AKID/20240101/us-east-1/sqs/...``
   (in the ``Authorization`` header or a presigned URL's ``X-Amz-Credential``):
   the model's ``signingName`` (else ``endpointPrefix``): ``states`` is Step
   Functions. Every signed request carries it.
3. A query ``Action`` (form body or URL) that exactly one query-speaking
   service defines: unsigned GETs of an SNS SubscribeURL land here.
4. An SQS queue URL's path, ``/123456789012/orders``, for query clients
   that post to the queue URL itself.

Everything is worked out from the botocore models of the services the kit
fakes, so a service registered by an extension is routed with no change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, urlencode

from ..core.protocols import WireRequest
from ..core.protocols.views import model_as, protocols_of
from ..core.registry import faked_services, service_model

_SCOPE = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_QUEUE_PATH = re.compile(r"^/\d{12}/[^/]+/?$")


@dataclass(frozen=True)
class Scope:
    """A SigV4 credential scope: who signed, for which region and service."""

    access_key: str
    date: str
    region: str
    service: str


def credential_scope(request: WireRequest) -> Scope | None:
    """The request's credential scope, from its Authorization header or presigned query."""
    found = _SCOPE.search(request.headers.get("authorization", ""))
    if found is None:
        credential = (request.query.get("X-Amz-Credential") or [""])[-1]
        found = _SCOPE.search("Credential=" + credential)
    return Scope(*found.groups()) if found else None


@dataclass(frozen=True)
class _Index:
    by_target: dict[str, str]
    by_signing_name: dict[str, tuple[str, ...]]
    by_action: dict[str, tuple[str, ...]]


@cache
def _index(services: tuple[str, ...]) -> _Index:
    by_target: dict[str, str] = {}
    by_signing_name: dict[str, list[str]] = {}
    by_action: dict[str, list[str]] = {}
    for name in services:
        model = service_model(name)
        meta = model.metadata
        signing = str(meta.get("signingName") or meta.get("endpointPrefix") or name)
        by_signing_name.setdefault(signing, []).append(name)
        # Every protocol the service answers, not only its model's: SQS speaks
        # JSON and query whichever one the installed botocore's model declares.
        for protocol in protocols_of(model):
            seen_as = model_as(model, protocol).metadata
            if protocol == "json" and seen_as.get("targetPrefix"):
                by_target[str(seen_as["targetPrefix"])] = name
            if protocol == "query":
                for operation in model.operation_names:
                    by_action.setdefault(operation, []).append(name)
    return _Index(
        by_target,
        {k: tuple(v) for k, v in by_signing_name.items()},
        {k: tuple(v) for k, v in by_action.items()},
    )


def signing_names() -> dict[str, tuple[str, ...]]:
    """Signing name -> the faked services that sign with it."""
    return _index(tuple(faked_services())).by_signing_name


def query_action(request: WireRequest) -> str | None:
    """The ``Action`` of a query request (form body first, then the URL)."""
    if request.content_type == "application/x-www-form-urlencoded" and request.body:
        for key, value in parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True):
            if key == "Action":
                return value
    found = request.query.get("Action")
    return found[-1] if found else None


def with_queue_url_from_path(request: WireRequest) -> WireRequest:
    """An SQS query request posted to a queue's own URL, as carrying that QueueUrl.

    Query clients (kombu's asynchronous SQS client among them) post
    ``Action=ReceiveMessage`` to ``/123456789012/orders`` and leave
    ``QueueUrl`` out; AWS takes the queue from the path.
    """
    if not _QUEUE_PATH.match(request.path) or request.content_type != "application/x-www-form-urlencoded":
        return request
    fields = parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    if any(key == "QueueUrl" for key, _ in fields):
        return request
    queue_url = request.url.split("?", 1)[0].rstrip("/")
    body = request.body + (b"&" if request.body else b"") + urlencode({"QueueUrl": queue_url}).encode()
    return WireRequest(request.method, request.url, request.headers, body)


def service_for(request: WireRequest) -> str | None:
    """The faked service a request is for, or ``None`` if none of the clues names one."""
    index = _index(tuple(faked_services()))
    target = request.headers.get("x-amz-target", "")
    if target:
        prefix = target.rpartition(".")[0]
        if prefix in index.by_target:
            return index.by_target[prefix]
    scope = credential_scope(request)
    if scope is not None:
        candidates = index.by_signing_name.get(scope.service, ())
        if len(candidates) == 1:
            return candidates[0]
    action = query_action(request)
    if action:
        candidates = index.by_action.get(action, ())
        if len(candidates) == 1:
            return candidates[0]
        if "sqs" in candidates and _QUEUE_PATH.match(request.path):
            return "sqs"
    if _QUEUE_PATH.match(request.path) and "sqs" in index.by_signing_name.get("sqs", ()):
        return "sqs"
    return None
