"""The cloud over HTTP/1.1 on loopback: one endpoint for every faked service.

Why the standard library's ``http.server``: it parses HTTP/1.1 request lines
and headers, keeps connections alive and answers ``Expect: 100-continue``,
with no new dependency for a kit that every test run imports. What it lacks
is small and written here: chunked request bodies, a size cap, AWS-shaped
errors instead of its HTML pages, and an accept loop that closes instantly
with the cloud (``serve_forever`` polls for shutdown). Each connection gets
its own :class:`EndpointThread`; requests on one connection are answered in
order, connections concurrently, every answer under the cloud's lock in
``Cloud.handle``. h11 or werkzeug would add a dependency and still need the
same routing and error work.

Nothing a client sends can kill the server or show it a traceback: a request
the server cannot read is answered 4xx and the connection closed; a fault in
the kit is answered 500 ``InternalFailure`` and logged.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import itertools
import json
import logging
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from ..core.endpoints import EndpointThread, check_loopback, serving
from ..core.errors import AwsError
from ..core.faults import DroppedConnection
from ..core.protocols import WireRequest, WireResponse, protocol_of, serializer_for
from ..core.registry import faked_services, service_class, service_model
from ..core.service import Service
from . import routing
from .environment import ServedEnvironment
from .signing import signature_matches

if TYPE_CHECKING:
    from ..core.cloud import Cloud
    from .control import Control

log = logging.getLogger("pytest_awsmsg.server")

#: The largest request body read (bytes). AWS's largest request among the
#: faked services is an SQS batch of 1 MiB of messages (base64 attributes make
#: it bigger on the wire); anything past this is refused unread. Assumed:
#: AWS's front end answers such bodies 413 before any service sees them.
MAX_BODY = 16 * 1024 * 1024
#: Seconds a connection may sit idle between requests, or stall mid-request,
#: before the server closes it (real seconds: it bounds sockets, not the cloud).
IDLE_TIMEOUT = 60.0
_MAX_CHUNK_LINE = 1024
_HOP_HEADERS = frozenset({"content-length", "connection", "transfer-encoding", "date", "server"})
_LINGER_SECONDS = 0.5
_LINGER_BYTES = 1024 * 1024


class HttpError(Exception):
    """A request the server answers itself, before any service sees it."""

    def __init__(self, status: int, code: str, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.close = close


class HttpEndpoint:
    """A threaded HTTP/1.1 server answering from one cloud (an :class:`Endpoint`)."""

    def __init__(
        self,
        cloud: Cloud,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote: bool = False,
        control: Control | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        max_body: int = MAX_BODY,
        export_environment: bool = False,
    ) -> None:
        check_loopback(host, allow_remote=allow_remote)
        self.cloud = cloud
        self.control = control
        self.idle_timeout = idle_timeout
        self.max_body = max_body
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind(address)
            self._socket.listen(128)
        except OSError:
            self._socket.close()
            raise
        bound = self._socket.getsockname()
        self.host, self.port = bound[0], bound[1]
        shown = f"[{self.host}]" if family == socket.AF_INET6 else self.host
        self.url = f"http://{shown}:{self.port}"
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._closing = threading.Event()
        self._numbers = itertools.count(1)
        self._error_ids = itertools.count(1)
        self._acceptor = EndpointThread("http-accept", self._accept_loop)
        self._acceptor.start()
        self._environment = ServedEnvironment(self.url, cloud.region, cloud.account_id) if export_environment else None

    def __repr__(self) -> str:
        return f"<HttpEndpoint {self.url} connections={len(self._connections)}>"

    # -- connections -----------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                conn, peer = self._socket.accept()
            except OSError:
                if self._closing.is_set():
                    return
                continue  # a client that gave up mid-handshake: keep accepting
            with contextlib.suppress(OSError):  # headers and body leave at once, no Nagle delay
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._closing.is_set():
                    conn.close()
                    return
                thread = EndpointThread(f"http-{next(self._numbers)}", functools.partial(self._serve, conn, peer))
                self._connections[conn] = thread
            thread.start()

    def _serve(self, conn: socket.socket, peer: Any) -> None:
        try:
            _Handler(conn, peer, self)
        except Exception:  # never let one connection's trouble reach the thread's excepthook
            log.debug("connection from %s ended with an error", peer, exc_info=True)
        finally:
            _lingering_close(conn)
            with self._lock:
                self._connections.pop(conn, None)

    def close(self) -> None:
        """Stop accepting, end every open connection and wait (bounded) for their threads."""
        with self._lock:
            if self._closing.is_set():
                return
            self._closing.set()
            connections = dict(self._connections)
        if self._environment is not None:
            self._environment.restore()
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        self._socket.close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in [self._acceptor, *connections.values()]:
            if thread is not threading.current_thread():
                thread.join(timeout=5.0)

    # -- answering -------------------------------------------------------------

    def answer(self, wire: WireRequest) -> WireResponse:
        """The response to one request that was read whole."""
        if self.control is not None and self.control.claims(wire):
            return self.control.answer(wire)
        name = routing.service_for(wire)
        if name is None:
            resource = self._resource(wire)
            if resource is not None:
                return resource
            raise self._unrouted(wire)
        _check_signature(wire, name)
        if name == "sqs":
            wire = routing.with_queue_url_from_path(wire)
        with serving(self.url):
            return self.cloud.handle(name, wire)

    def _resource(self, wire: WireRequest) -> WireResponse | None:
        """A document a service handed out a URL to (SNS's SigningCertURL)."""
        if wire.method not in ("GET", "HEAD"):
            return None
        for name in faked_services():
            if service_class(name).resource is Service.resource:
                continue  # serves no documents: not worth creating
            found = self.cloud.service(name).resource(wire.path)
            if found is not None:
                content_type, body = found
                return WireResponse(200, {"Content-Type": content_type}, body)
        return None

    def _unrouted(self, wire: WireRequest) -> HttpError:
        scope = routing.credential_scope(wire)
        if scope is not None and scope.service not in routing.signing_names():
            return HttpError(
                400,
                "UnrecognizedClientException",
                f"pytest-awsmsg does not fake {scope.service}: it serves {', '.join(faked_services())}.",
            )
        target = wire.headers.get("x-amz-target")
        if target:
            return HttpError(400, "UnknownOperationException", f"Unknown X-Amz-Target {target!r}.")
        action = routing.query_action(wire)
        if action:
            return HttpError(
                400, "InvalidAction", f"The action or operation requested is invalid: {action!r} is not one we serve."
            )
        return HttpError(
            400,
            "MissingAuthenticationToken" if scope is None else "InvalidAction",
            "Missing Authentication Token" if scope is None else "Could not find operation to perform.",
        )

    def error_response(self, wire: WireRequest | None, error: HttpError) -> WireResponse:
        """An AWS-shaped error the server answers itself: JSON to JSON clients, else XML."""
        request_id = f"00000000-0000-4000-8000-{next(self._error_ids):012d}"
        name = routing.service_for(wire) if wire is not None else None
        if wire is not None and name is not None:
            model = service_model(name)
            aws_error = AwsError(error.message, code=error.code, status=error.status)
            return serializer_for(model, protocol_of(model, wire)).serialize_error(None, aws_error, request_id)
        if wire is not None and wire.content_type.startswith("application/x-amz-json"):
            body = json.dumps({"__type": error.code, "message": error.message}).encode()
            headers = {"Content-Type": wire.content_type, "x-amzn-RequestId": request_id}
            headers["x-amzn-ErrorType"] = error.code
            return WireResponse(error.status, headers, body)
        kind = "Sender" if error.status < 500 else "Receiver"
        xml = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return WireResponse(error.status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, xml.encode())


def _lingering_close(conn: socket.socket) -> None:
    """Close after reading what the client still sends (bounded), so an error
    answer sent before the whole request was read is not destroyed by the reset
    that closing with unread input causes."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(_LINGER_SECONDS)
        drained = 0
        while drained < _LINGER_BYTES:
            chunk = conn.recv(65536)
            if not chunk:
                break
            drained += len(chunk)
    with contextlib.suppress(OSError):
        conn.close()


def _check_signature(wire: WireRequest, service: str) -> None:
    """A request must be SigV4-signed, as AWS requires, unless the service lets it in unsigned.

    What a signature proves cannot be checked against a fake's any-key
    credentials; what is checked is that the request is signed at all and
    that the ``Authorization`` header is a whole SigV4 header, as AWS
    refuses ones that are not before anything else.
    """
    authorization = wire.headers.get("authorization")
    if authorization is None:
        if routing.credential_scope(wire) is not None:
            return  # presigned URL
        action = routing.query_action(wire)
        if action and action in service_class(service).unauthenticated_operations:
            return
        raise HttpError(403, "MissingAuthenticationToken", "Missing Authentication Token")
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        raise HttpError(
            400, "IncompleteSignature", f"Unsupported AWS 'algorithm': {algorithm!r}. Use AWS4-HMAC-SHA256."
        )
    parts = {k.strip(): v for k, _, v in (p.partition("=") for p in rest.split(","))}
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not parts.get(name)
    ]
    if missing or routing.credential_scope(wire) is None:
        detail = " ".join(missing) or "Authorization header has a malformed 'Credential' parameter."
        raise HttpError(400, "IncompleteSignature", f"{detail} Authorization={authorization}")
    if not wire.headers.get("x-amz-date") and not wire.headers.get("date"):
        raise HttpError(
            400,
            "IncompleteSignature",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    raw_path = "/" + wire.url.split("://", 1)[-1].partition("/")[2]
    if not signature_matches(wire, raw_path, parts):
        raise HttpError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.",
        )


class _Handler(BaseHTTPRequestHandler):
    """One connection: read requests, answer each from the cloud, keep alive."""

    protocol_version = "HTTP/1.1"
    server_version = "pytest-awsmsg"
    sys_version = ""
    endpoint: HttpEndpoint

    def __init__(self, conn: socket.socket, peer: Any, endpoint: HttpEndpoint) -> None:
        self.endpoint = endpoint
        self.timeout = endpoint.idle_timeout  # type: ignore[misc]
        super().__init__(conn, peer, None)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def __getattr__(self, name: str) -> Any:
        # Every method is read and answered: AWS's own answer to an odd
        # method is an error document, not a bare 501 page.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def handle_expect_100(self) -> bool:
        try:
            self._content_length()
        except HttpError as error:
            self._send(self.endpoint.error_response(None, error), close=True)
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What ``http.server`` calls for a request it cannot parse: an AWS-shaped 4xx, then close."""
        reason = message or self.responses.get(code, ("Bad Request",))[0]
        names = {400: "BadRequest", 414: "RequestURITooLong", 431: "RequestHeaderFieldsTooLarge"}
        status = code if 400 <= code < 500 else 400
        error = HttpError(status, names.get(code, "BadRequest"), f"Malformed HTTP request: {reason}.")
        if not hasattr(self, "command") or self.command is None:
            self.command = "POST"  # so the answer has a body even when the request line was garbage
        # A request line that did not parse leaves HTTP/0.9, which would send the body with no status
        # line or headers at all; nobody speaks 0.9 to AWS.
        self.request_version = self.protocol_version
        self._send(self.endpoint.error_response(None, error), close=True)

    def _answer(self) -> None:
        wire: WireRequest | None = None
        try:
            body = self._read_body()
            wire = self._wire(body)
            response = self.endpoint.answer(wire)
        except HttpError as error:
            self._send(self.endpoint.error_response(wire, error), close=error.close)
            return
        except DroppedConnection:
            self._drop()
            return
        except Exception:
            log.exception("pytest-awsmsg server: a request failed inside the kit")
            failure = HttpError(
                500,
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
            )
            self._send(self.endpoint.error_response(wire, failure), close=False)
            return
        self._send(response, close=False)

    def _wire(self, body: bytes) -> WireRequest:
        target = self.path
        if not target.startswith("/"):
            if target.startswith(("http://", "https://")):  # absolute form, as sent to a proxy
                return WireRequest(self.command, target, self._headers(), body)
            raise HttpError(400, "BadRequest", f"Malformed request target {target[:100]!r}.", close=True)
        host = self.headers.get("Host") or f"{self.endpoint.host}:{self.endpoint.port}"
        return WireRequest(self.command, f"http://{host}{target}", self._headers(), body)

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def _content_length(self) -> int:
        text = self.headers.get("Content-Length")
        if text is None:
            return 0
        if not text.strip().isdigit():
            raise HttpError(400, "BadRequest", f"Invalid Content-Length {text!r}.", close=True)
        length = int(text)
        if length > self.endpoint.max_body:
            raise HttpError(
                413,
                "RequestEntityTooLarge",
                f"Request body of {length} bytes exceeds the maximum of {self.endpoint.max_body} bytes.",
                close=True,
            )
        return length

    def _read_body(self) -> bytes:
        encoding = self.headers.get("Transfer-Encoding", "").lower()
        if encoding:
            if encoding != "chunked":
                raise HttpError(501, "NotImplemented", f"Transfer-Encoding {encoding!r} is not supported.", close=True)
            return self._read_chunked()
        length = self._content_length()
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise HttpError(400, "IncompleteBody", "The request body ended before its Content-Length.", close=True)
        return body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_MAX_CHUNK_LINE + 1)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise HttpError(400, "BadRequest", "Malformed chunked request body.", close=True) from None
            if size < 0 or len(line) > _MAX_CHUNK_LINE:
                raise HttpError(400, "BadRequest", "Malformed chunked request body.", close=True)
            if size == 0:
                break
            total += size
            if total > self.endpoint.max_body:
                raise HttpError(
                    413,
                    "RequestEntityTooLarge",
                    f"Request body exceeds the maximum of {self.endpoint.max_body} bytes.",
                    close=True,
                )
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.read(2) != b"\r\n":
                raise HttpError(400, "IncompleteBody", "The chunked request body ended early.", close=True)
            parts.append(chunk)
        for _ in range(100):  # trailers, up to the blank line
            trailer = self.rfile.readline(65537)
            if trailer in (b"\r\n", b"\n", b""):
                break
        return b"".join(parts)

    def _send(self, response: WireResponse, *, close: bool) -> None:
        """Status line, headers and body in one write: one segment for small answers."""
        if close:
            self.close_connection = True
        reason = self.responses.get(response.status, ("",))[0]
        head = [
            f"{self.protocol_version} {response.status} {reason}",
            f"Server: {self.server_version}",
            f"Date: {email.utils.formatdate(usegmt=True)}",
        ]
        for key, value in response.headers.items():
            if key.lower() not in _HOP_HEADERS:
                head.append(f"{key}: {value}")
        head.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace")
        if self.command != "HEAD":
            data += response.body
        self.log_request(response.status)
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client went away: nothing to answer
            self.close_connection = True

    def _drop(self) -> None:
        """An injected dropped connection: reset it, no answer, as a network failure would.

        Every kind (closed, refused, timeouts) becomes a reset here: the
        connection is already open, and a timeout would make the client wait
        in real time for its own read timeout.
        """
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
