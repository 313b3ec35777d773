"""The cloud: everything a test can touch, in one object.

Accounts and regions, each service's state, the clock, the id source, the
fault injector, the AZ topology and the call log. A test gets a fresh one;
nothing leaks between tests. Every call is answered under the cloud's lock,
so threads of one test share it safely.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _hook
from . import scrubbing
from .calllog import CallLog, CallRecord
from .clock import Clock
from .containment import KitFailure, contain, note, raise_kit_failures
from .deliveries import DeliveryLog
from .endpoints import Endpoints
from .errors import AwsError
from .faults import DroppedConnection, FaultInjector
from .ids import IdSource
from .lambdas import LambdaRegistry
from .protocols import WireRequest, WireResponse, parser_for, protocol_of, serializer_for
from .protocols.validation import validate
from .registry import faked_services, service_class, service_model, service_name_for
from .service import RequestContext
from .threads import Participants
from .topology import DEFAULT_SHIFT_AFTER, Outage, Topology, Zone

if TYPE_CHECKING:
    from .service import Service

DEFAULT_ACCOUNT_ID = "123456789012"
_CREDENTIAL_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/")
# Access keys of the form AKIDAWSMSG<12 digits> act as that account: what
# Cloud.credentials_for() hands out for cross-account tests.
_ACCOUNT_KEY_PREFIX = "AKIDAWSMSG"
_REGION_IN_HOST = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d)\.")
# No operation holds the cloud for long (user code runs without the lock), so
# a call that cannot get it in this many real seconds is a bug: say so rather
# than hang the test.
LOCK_TIMEOUT = 60.0

T = TypeVar("T")


class Cloud:
    """In-memory AWS for one test. Reach services as attributes: ``cloud.sqs``."""

    def __init__(
        self,
        *,
        seed: int | str = 0,
        region: str | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        passthrough: tuple[str, ...] = (),
    ) -> None:
        self.lock = threading.RLock()
        self.clock = Clock(self.lock)
        self.ids = IdSource(seed)
        self.seed = seed
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.account_id = account_id
        self.passthrough = frozenset(passthrough)
        #: What started the cloud, for messages ("test tests/test_x.py::test_y").
        self.label = f"the fake_aws cloud (seed={seed!r})"
        self.calls = CallLog()
        self.deliveries = DeliveryLog()  # what was published where (SNS fan-out)
        self.lambdas = LambdaRegistry(self)
        self.faults = FaultInjector(self)
        self.topology = Topology(self)
        self.threads = Participants(self.lock, self.clock)
        self.endpoints = Endpoints()  # sockets this cloud serves (server mode, brokers)
        self._services: dict[str, Service[Any]] = {}
        self._views: dict[str, Any] = {}
        # Unexpected exceptions inside the fakes (see containment.py).
        self.kit_failures: list[KitFailure] = []
        self.clock.on_error = lambda label, error: note(self.kit_failures, f"timer {label!r}", error)
        self._entered = _Entered(self)

    # -- services ------------------------------------------------------------

    def service(self, name: str) -> Service[Any]:
        """The fake for a botocore service name, created on first use."""
        found = self._services.get(name)
        if found is None:
            with self.lock:
                found = self._services.get(name)
                if found is None:
                    found = self._services[name] = service_class(name)(self)
        return found

    def view(self, name: str) -> Any:
        """What a test sees of a service (``cloud.sqs``): its view, not the service itself.

        See :mod:`.views`. A service without a view class (an extension's)
        is its own view.
        """
        found = self._views.get(name)
        if found is None:
            service = self.service(name)
            make = type(service).view_class
            found = self._views[name] = make(service) if make is not None else service
        return found

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in faked_services():
            raise AttributeError(name)
        return self.view(name)

    # -- answering calls -------------------------------------------------------

    def answer_botocore(self, request: Any, event_name: str) -> Any:
        """The ``before-send`` side: a botocore request in, an ``AWSResponse`` out."""
        from botocore.awsrequest import AWSResponse

        response = self.answer_request(request, event_name)
        if response is None:
            return None
        return AWSResponse(request.url, response.status, response.headers, _RawBody(response.body))

    def answers(self, event_name: str) -> bool:
        """Whether the kit answers a botocore event's service (``before-send.SQS.SendMessage``)."""
        return service_name_for(_service_id(event_name)) is not None

    def answer_request(self, request: Any, event_name: str) -> WireResponse | None:
        """Answer a botocore request (sync or async client alike); ``None`` lets it pass through.

        A dropped connection is raised as botocore's own exception, so the
        client's retry logic handles it.
        """
        name = service_name_for(_service_id(event_name))
        if name is None:
            return None  # another mock may answer it; core/neighbours.py refuses it if none does
        from .regions import unresolvable

        if unresolvable(request.url):
            # AWS has no such host: botocore cannot connect (and retries, as it would).
            import botocore.exceptions

            raise botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)
        wire = WireRequest.create(request.method, request.url, request.headers, request.body)
        try:
            return self.handle(name, wire)
        except DroppedConnection as dropped:
            raise _botocore_exception(dropped, request.url) from None

    def call(
        self,
        service_name: str,
        operation: str,
        params: dict[str, Any] | None = None,
        *,
        region: str | None = None,
        account_id: str | None = None,
        caller: str = "internal",
    ) -> dict[str, Any]:
        """Call an operation from inside the cloud (SNS delivering to SQS, a
        Step Functions ``aws-sdk`` task), with no wire in between.

        Params are validated against the model as AWS validates them server
        side; errors are raised as :class:`AwsError`.
        """
        params = params or {}
        model = service_model(service_name)
        operation_model = model.operation_model(operation)
        validate(model, operation_model, params)
        with self._entered:
            service = self.service(service_name)
            region = region or self.region
            account_id = account_id or self.account_id
            request_id = self.ids.uuid4()
            ctx = RequestContext(self, service_name, operation, region, account_id, request_id, "internal")
            record = CallRecord(
                self.clock.now(),
                service_name,
                operation,
                region,
                account_id,
                request_id,
                service.redact(operation, params),
                thread=caller,
            )
            self.calls.append(record)
            try:
                fault = self.faults.check(record, params, internal=True)
                result = service.dispatch(ctx, operation_model, params)
                self.faults.after(fault)
                return result
            except AwsError as error:
                record.status = error.status or 400
                record.error_code = error.code
                record.error_message = error.message
                raise
            except DroppedConnection:
                raise
            except Exception as error:
                raise contain(self.kit_failures, service_name, record, error) from error

    def credentials_for(self, account_id: str) -> dict[str, str]:
        """Client keyword arguments that make calls as another account.

        ``boto3.client("sqs", **aws.credentials_for("111122223333"))``
        """
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"An AWS account id is 12 digits, not {account_id!r}")
        return {"aws_access_key_id": _ACCOUNT_KEY_PREFIX + account_id, "aws_secret_access_key": "fake-secret-key"}

    def handle(self, service_name: str, request: WireRequest) -> WireResponse:
        """Answer one wire request for a service, as AWS would."""
        model = service_model(service_name)
        protocol = protocol_of(model, request)
        parser = parser_for(model, protocol)
        serializer = serializer_for(model, protocol)
        with self._entered:
            self.clock.run_due()
            request_id = self.ids.uuid4()
            access_key, region = caller_of(request)
            region = region or self.region
            account_id = self.account_id
            if access_key.startswith(_ACCOUNT_KEY_PREFIX):
                account_id = access_key[len(_ACCOUNT_KEY_PREFIX) :]
            try:
                operation, params = parser.parse(request)
            except AwsError as error:
                return serializer.serialize_error(None, error, request_id)
            except Exception as error:
                return serializer.serialize_error(
                    None, contain(self.kit_failures, service_name, None, error), request_id
                )
            service = self.service(service_name)
            ctx = RequestContext(
                self, service_name, operation.name, region, account_id, request_id, protocol, request.headers
            )
            record = CallRecord(
                self.clock.now(),
                service_name,
                operation.name,
                region,
                account_id,
                request_id,
                service.redact(operation.name, params),
                thread=self.threads.acting().name,  # an async client's call: its event loop's thread
            )
            _note_attempt(self, record, request)
            self.calls.append(record)
            try:
                validate(model, operation, params)
                fault = self.faults.check(record, params)
                result = service.dispatch(ctx, operation, params)
                if _hook.validate_output:
                    check_output(operation, result)
                self.faults.after(fault)
                return serializer.serialize(operation, result, request_id)
            except DroppedConnection as dropped:
                record.status = 0
                record.error_code = dropped.exception_name
                record.error_message = dropped.message
                raise
            except AwsError as error:
                response = serializer.serialize_error(operation, error, request_id)
                record.status = response.status
                record.error_code = error.code
                record.error_message = error.message
                return response
            except Exception as error:
                internal = contain(self.kit_failures, service_name, record, error)
                return serializer.serialize_error(operation, internal, request_id)

    # -- threads and time (see :mod:`.threads`) ------------------------------------

    def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float,
        *,
        next_change: Callable[[], float | None] | None = None,
        stand_at_deadline: bool = True,
    ) -> bool:
        """Inside an operation: wait until ``predicate()`` holds or ``timeout`` virtual seconds pass.

        The one way a fake waits (long polls, task polls, broker consumers).
        It releases the cloud's lock meanwhile, and moves virtual time only
        as DESIGN.md's rule of who moves time allows. Returns the
        predicate's last value. ``next_change``: when the predicate may turn
        true with no call or timer; ``stand_at_deadline=False`` ends the wait
        where nothing more is due (see :meth:`.threads.Participants.wait_for`).
        """
        return self.threads.wait_for(predicate, timeout, next_change=next_change, stand_at_deadline=stand_at_deadline)

    def run_user_code(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call user code (a Lambda stand-in, an HTTP handler) with the cloud's lock released."""
        return self.threads.run_user_code(func, *args, **kwargs)

    # -- outages and affinity (see :mod:`.topology`) -------------------------------

    def az_outage(
        self,
        zone: str,
        duration: float | timedelta | None = None,
        *,
        error_share: float | None = None,
        shift_after: float | timedelta = DEFAULT_SHIFT_AFTER,
    ) -> Outage:
        """Take an AZ down (a context manager too); see :meth:`Topology.az_outage`."""
        return self.topology.az_outage(zone, duration, error_share=error_share, shift_after=shift_after)

    def region_outage(self, region: str, duration: float | timedelta | None = None) -> Outage:
        """Make a region unreachable (a context manager too); see :meth:`Topology.region_outage`."""
        return self.topology.region_outage(region, duration)

    def in_az(self, zone: str) -> AbstractContextManager[Zone]:
        """Run the calls made inside in an AZ; see :meth:`Topology.in_az`."""
        return self.topology.in_az(zone)

    def report_sections(self) -> list[tuple[str, str]]:
        """Extra sections (deliveries, executions...) for a failed test's report, secrets scrubbed."""
        sections: list[tuple[str, str]] = []
        if len(self.deliveries):
            sections.append(("aws deliveries", self.deliveries.format()))
        for service in list(self._services.values()):
            sections.extend(service.report_sections())
        return [(title, self.scrub(text)) for title, text in sections]

    def scrub(self, text: str) -> str:
        """``text`` with every secret any service holds (in any escaped spelling) replaced by ``<redacted>``.

        A value travels: a Step Functions task reads it from Secrets Manager and
        its output lands in another service's report, so every report is
        scrubbed of every service's secrets.
        """
        values = [value for service in list(self._services.values()) for value in service.secret_values()]
        return scrubbing.scrub(text, values) if values else text

    # -- lifecycle -------------------------------------------------------------

    def check_kit(self) -> None:
        """Raise :class:`~.containment.KitBug` if the kit crashed answering a call (the plugin does at teardown)."""
        raise_kit_failures(self.kit_failures)

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False) -> str:
        """Answer this cloud over HTTP too, for other processes and languages; returns the endpoint URL.

        Idempotent: the first call starts the server (on loopback; another host
        only with ``allow_remote=True``), later calls return its URL. While it
        serves, processes started from this one inherit ``AWS_ENDPOINT_URL``,
        fake credentials and the region, so their SDKs reach it. It stops when
        the cloud ends. See docs/server.md.
        """
        from ..server.http import HttpEndpoint

        endpoint = self.endpoints.start(
            "http",
            lambda: HttpEndpoint(self, host, port, allow_remote=allow_remote, export_environment=True),
        )
        if port and port != endpoint.port:
            raise ValueError(f"this cloud is already served at {endpoint.url}, not on port {port}")
        return endpoint.url

    def close(self) -> None:
        """Release what the cloud holds outside itself: endpoints, services' resources, a frozen clock."""
        with ExitStack() as undo:
            undo.callback(self.clock.unfreeze)
            for service in list(self._services.values()):
                undo.callback(service.close)
            undo.callback(self.endpoints.close)

    def __repr__(self) -> str:
        return f"<Cloud seed={self.seed!r} region={self.region} account={self.account_id} calls={len(self.calls)}>"


class _Entered:
    """Holding the cloud for one call: the lock (bounded), the caller noted, waits woken after."""

    __slots__ = ("_cloud",)

    def __init__(self, cloud: Cloud) -> None:
        self._cloud = cloud

    def __enter__(self) -> None:
        cloud = self._cloud
        if not cloud.lock.acquire(timeout=LOCK_TIMEOUT):
            raise RuntimeError(
                f"pytest-awsmsg bug: a call could not enter the cloud for {LOCK_TIMEOUT:.0f} s; "
                "another thread holds it (please report this with the test)"
            )
        cloud.threads.seen()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        cloud = self._cloud
        try:
            cloud.threads.seen()
            cloud.threads.notify()
        finally:
            cloud.lock.release()


def _service_id(event_name: str) -> str:
    """The service id in a botocore event name (``SQS`` in ``before-send.SQS.SendMessage``)."""
    return event_name.split(".")[1] if event_name.count(".") >= 2 else ""


def _note_attempt(cloud: Cloud, record: CallRecord, request: WireRequest) -> None:
    """Which botocore attempt, of which client call, and from which AZ, a request is."""
    # "attempt=2; max=5" (botocore's amz-sdk-request header)
    attempt = request.headers.get("amz-sdk-request", "").partition("attempt=")[2].partition(";")[0]
    if attempt.isdigit():
        record.attempt = int(attempt)
    invocation = request.headers.get("amz-sdk-invocation-id")
    if invocation:
        record.invocation = cloud.calls.invocation_number(invocation)
    zone = cloud.topology.caller_az()
    if zone:
        record.extra["az"] = zone


def _botocore_exception(dropped: DroppedConnection, url: str) -> Exception:
    """botocore's own exception for a dropped call, so its retry logic handles it."""
    import botocore.exceptions

    cls = getattr(botocore.exceptions, dropped.exception_name)
    if dropped.exception_name == "ReadTimeoutError":
        return cls(endpoint_url=url, error=dropped.message)  # type: ignore[no-any-return]
    return cls(endpoint_url=url, request=None, error=dropped.message)  # type: ignore[no-any-return]


def caller_of(request: WireRequest) -> tuple[str, str | None]:
    """Access key and region of a request: its SigV4 credential scope, else its host."""
    found = _CREDENTIAL_SCOPE.search(request.headers.get("authorization", ""))
    if found:
        return found.group(1), found.group(2)
    in_host = _REGION_IN_HOST.search("." + request.host + ".")
    return "", in_host.group(1) if in_host else None


def check_output(operation: Any, result: dict[str, Any]) -> None:
    """Fail loudly when a fake returns what its output shape does not allow."""
    from botocore.validate import ParamValidator

    if operation.output_shape is None:
        return
    report = ParamValidator().validate(result, operation.output_shape)
    # Members an older botocore's model does not know yet are fine: the
    # serialiser leaves them out, exactly as AWS's newer fields go unread.
    # Required members AWS itself leaves out (an SQS batch's empty ``Failed``) are fine too.
    report._errors = [e for e in report._errors if e[0] not in ("unknown field", "missing required field")]
    if report.has_errors():
        raise AssertionError(
            f"pytest-awsmsg bug: {operation.name} returned an invalid result:\n{report.generate_report()}"
        )


class _RawBody:
    """The ``raw`` of an ``AWSResponse``: what botocore reads the body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._read = False

    def stream(self, **kwargs: Any) -> Any:
        if not self._read:
            self._read = True
            yield self._body

    def read(self, amt: int | None = None) -> bytes:
        if self._read:
            return b""
        self._read = True
        return self._body
