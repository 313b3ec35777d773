"""Fault injection: decide, before a call reaches its service, whether it fails.

A :class:`FaultRule` selects calls (service, operations, region, resource, the
caller's AZ) and decides which of them to break (the next N, only the Nth, a
seeded percentage, a window of virtual time). What it does to a call:

* an error: any error shape the operation's model lists, an AWS common error,
  or ``"throttle"`` / ``"internal"`` / ``"unavailable"``; answered on the wire
  like any other error, so botocore's retry logic sees a real 4xx/5xx;
* a dropped connection or a timeout: :class:`DroppedConnection`, which the
  ``before-send`` side re-raises as botocore's own exception
  (``ConnectionClosedError``, ``EndpointConnectionError``, ``ReadTimeoutError``,
  ``ConnectTimeoutError``), so botocore retries it as it would a real one;
* latency, in virtual time.

The first active rule that fires wins. Every injected fault is logged
(:attr:`FaultInjector.log`) and named on the call's record.

:meth:`FaultInjector.fis` runs the API actions of an AWS FIS experiment
template as written (see :mod:`.fis`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .calllog import CallRecord, stamp
from .clock import seconds
from .errors import AwsError
from .ids import IdSource
from .registry import service_class
from .undo import UndoneOnExit

if TYPE_CHECKING:
    from .cloud import Cloud
    from .fis import FisExperiment

# AWS's common errors (every service may answer them): code -> HTTP status.
COMMON_ERRORS: dict[str, int] = {
    "AccessDeniedException": 400,
    "IncompleteSignature": 400,
    "InternalFailure": 500,
    "InvalidAction": 400,
    "InvalidClientTokenId": 403,
    "NotAuthorized": 400,
    "OptInRequired": 403,
    "RequestExpired": 400,
    "ServiceUnavailable": 503,
    "Throttling": 400,
    "ThrottlingException": 400,
    "ValidationError": 400,
}
_SERVER_ERRORS = {"InternalFailure", "ServiceUnavailable"}

# Short names for the three generic API faults (FIS's vocabulary).
GENERIC_ERRORS = ("throttle", "internal", "unavailable")

# How a service answers the three generic faults. FIS says of its API actions
# "the specific response depends on each service and API": where the
# operation's model lists one of these shapes, it is the answer (the code AWS
# sends, and the exception class the user catches); otherwise the common
# error of the protocol (``_COMMON_GENERIC``).
_GENERIC_SHAPES: dict[str, tuple[str, ...]] = {
    # SQS RequestThrottled, SNS ThrottledException ("Throttled", 429)
    "throttle": ("RequestThrottled", "ThrottledException", "ThrottlingException", "TooManyRequestsException"),
    # SNS InternalErrorException ("InternalError"), Secrets Manager
    # InternalServiceError, Amazon MQ InternalServerErrorException
    "internal": ("InternalErrorException", "InternalServiceError", "InternalServerErrorException"),
    "unavailable": ("ServiceUnavailableException",),
}
# Services whose throttling error is older than the model listing it. SQS
# answered RequestThrottled (403) on the query protocol too: botocore's legacy
# retry table (botocore/data/_retry.json, "sqs") retries exactly that, though
# only the JSON-era model has the shape. Assumed: a query-protocol SQS client
# gets the same code.
_THROTTLE_CODE = {"sqs": "RequestThrottled"}

# What a dropped call looks like: kind -> (botocore exception class name, what it means).
CONNECTION_FAULTS: dict[str, tuple[str, str]] = {
    "closed": ("ConnectionClosedError", "connection closed before a response"),
    "refused": ("EndpointConnectionError", "could not connect to the endpoint"),
    "read-timeout": ("ReadTimeoutError", "read timeout"),
    "connect-timeout": ("ConnectTimeoutError", "connect timeout"),
}
# The connection faults that strike after the request went out.
_AFTER_CONNECT = ("closed", "read-timeout")
# botocore's default connect and read timeouts: how long a timed-out call takes.
DEFAULT_TIMEOUT = 60.0


class DroppedConnection(AwsError):
    """A call that got no HTTP answer.

    On the wire it becomes botocore's own exception; a call from inside the
    cloud (SNS delivering to SQS) sees it as this 503-like :class:`AwsError`.
    """

    code = "ServiceUnavailable"
    status = 503
    sender_fault = False

    def __init__(self, kind: str, *, processed: bool = False) -> None:
        self.kind = kind
        self.processed = processed
        self.exception_name, meaning = CONNECTION_FAULTS[kind]
        super().__init__(f"{meaning} (injected)")


@dataclass
class FaultEvent:
    """One fault the injector put into one call."""

    time: float
    rule: str
    action: str
    service: str
    operation: str
    region: str
    request_id: str
    attempt: int
    invocation: int | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _listify(value: str | Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    return frozenset(v for v in value if v)


class FaultRule(UndoneOnExit):
    """One rule: which calls it selects, which of them it breaks, and how.

    Made by :meth:`FaultInjector.inject`. A context manager: leaving the
    ``with`` block removes it.
    """

    def __init__(
        self,
        injector: FaultInjector,
        number: int,
        *,
        service: str | None,
        operations: frozenset[str] | None,
        region: str | None,
        resource: frozenset[str] | None,
        caller_az: str | None,
        error: str | AwsError | None,
        status: int | None,
        message: str | None,
        connection: str | None,
        processed: bool,
        latency: float | None,
        count: int | None,
        nth: int | None,
        percentage: float | None,
        start: float,
        end: float | None,
        include_internal: bool,
        label: str,
    ) -> None:
        self.injector = injector
        self.number = number
        self.service = service
        self.operations = operations
        self.region = region
        self.resource = resource
        self.caller_az = caller_az
        self.error = error
        self.status = status
        self.message = message
        self.connection = connection
        self.processed = processed
        self.latency = latency
        self.count = count
        self.nth = nth
        self.percentage = percentage
        self.start = start
        self.end = end
        self.include_internal = include_internal
        self.label = label
        self.matched = 0  # calls the selector and window let through
        self.injected = 0  # faults this rule put in
        self.removed = False
        self.owner: object | None = None  # the outage this rule is part of, if any
        # A rule of its own, seeded from the cloud's seed and the rule's
        # number: which calls a percentage breaks does not shift when the code
        # under test makes other calls, and ids handed out stay the same.
        self._random = IdSource(f"{injector.cloud.seed}/fault/{number}")

    # -- selecting and deciding ---------------------------------------------

    def selects(self, record: CallRecord, params: Mapping[str, Any], internal: bool) -> bool:
        """Whether this rule is about the call at all (ignoring time and count)."""
        if internal and not self.include_internal:
            return False
        if self.owner is not None and record.operation in service_class(record.service).wire_operations:
            # An outage's share of failing API calls is not about the wire: a broker's
            # reachability follows its AZ (services/mq/wire.py).
            return False
        if self.service is not None and record.service != self.service:
            return False
        if self.operations is not None and record.operation not in self.operations:
            return False
        if self.region is not None and record.region != self.region:
            return False
        if self.caller_az is not None and record.extra.get("az") != self.caller_az:
            return False
        if self.resource is None:
            return True
        names = service_class(record.service).resource_names(params, record.operation)
        return _names_resource(names, self.resource)

    def in_window(self, now: float) -> bool:
        return now >= self.start and (self.end is None or now < self.end)

    @property
    def spent(self) -> bool:
        """No call will ever fire it again (count used up, Nth call passed)."""
        if self.count is not None and self.injected >= self.count:
            return True
        return self.nth is not None and self.matched >= self.nth

    @property
    def active(self) -> bool:
        now = self.injector.cloud.clock.now()
        return not self.removed and not self.spent and (self.end is None or now < self.end)

    def fires(self, record: CallRecord, params: Mapping[str, Any], internal: bool, now: float) -> bool:
        if self.removed or self.spent or not self.in_window(now) or not self.selects(record, params, internal):
            return False
        self.matched += 1
        if self.nth is not None and self.matched != self.nth:
            return False
        # One draw per call this rule considers, from its own stream: the
        # same seed and the same calls give the same outcomes.
        if self.percentage is not None and self._random.random() * 100 >= self.percentage:
            return False
        self.injected += 1
        return True

    # -- acting ---------------------------------------------------------------

    def action(self) -> str:
        """What the rule does, in words, for logs and reports."""
        parts = []
        if self.latency:
            parts.append(f"+{self.latency:g}s latency")
        if self.connection:
            name, meaning = CONNECTION_FAULTS[self.connection]
            parts.append(f"{name} ({meaning}{', after processing' if self.processed else ''})")
        if self.error is not None:
            code = self.error.code if isinstance(self.error, AwsError) else self.error
            parts.append(f"error {code}")
        return ", ".join(parts)

    def make_error(self, record: CallRecord) -> AwsError:
        """The error to answer, shaped for the call's service and protocol."""
        if isinstance(self.error, AwsError):
            return copy.copy(self.error)  # a fresh exception (and traceback) per call
        code = str(self.error)
        if code in GENERIC_ERRORS:
            code = _generic_code(code, record.service, record.operation)
        message = self.message or f"{code} injected by pytest-awsmsg ({self.label})"
        own = service_class(record.service).error_class(code)
        if own is not None:
            # The service's own class: the status, query-protocol code and
            # fault the service itself answers with (SQS's
            # AWS.SimpleQueueService.NonExistentQueue, not QueueDoesNotExist).
            return own(message, status=self.status)
        status = self.status if self.status is not None else COMMON_ERRORS.get(code)
        sender_fault = None
        if code not in COMMON_ERRORS:
            shape_error = _error_metadata(record.service, code)
            sender_fault = bool(shape_error.get("senderFault", True))
        elif code in _SERVER_ERRORS:
            sender_fault = False
        return AwsError(message, code=code, status=status, sender_fault=sender_fault)

    def to_json(self) -> dict[str, Any]:
        """The rule as plain values: what it selects, when, what it does, what it did."""
        selects = {
            "service": self.service,
            "operations": sorted(self.operations) if self.operations else None,
            "region": self.region,
            "resource": sorted(self.resource) if self.resource else None,
            "caller_az": self.caller_az,
            "include_internal": self.include_internal,
            "count": self.count,
            "nth": self.nth,
            "percentage": self.percentage,
        }
        return {
            "label": self.label,
            "action": self.action(),
            "selects": {k: v for k, v in selects.items() if v not in (None, False)},
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "injected": self.injected,
            "removed": self.removed,
        }

    # -- lifecycle ------------------------------------------------------------

    def remove(self) -> None:
        """Stop injecting; what was logged stays in the log."""
        self.removed = True
        self.injector.discard(self)

    def undo(self) -> None:
        """Leaving ``with rule:`` removes it."""
        self.remove()

    def __repr__(self) -> str:
        return f"<FaultRule {self.label!r}: {self.action()}, injected {self.injected}>"


def _names_resource(names: Iterable[str], wanted: frozenset[str]) -> bool:
    """Whether a name, URL or ARN the call is about is, or ends with, a wanted name."""
    for value in names:
        for name in wanted:
            if value == name or value.endswith(("/" + name, ":" + name)):
                return True
    return False


def _generic_code(kind: str, service: str, operation: str) -> str:
    """The code ``service`` answers ``operation`` with for a generic fault (see ``_GENERIC_SHAPES``)."""
    from .registry import service_model

    model = service_model(service)
    wire = operation in service_class(service).wire_operations
    listed = set() if wire else {shape.name for shape in model.operation_model(operation).error_shapes}
    for name in _GENERIC_SHAPES[kind]:
        if name in listed:
            return name
    if kind == "throttle":
        return _THROTTLE_CODE.get(service) or ("Throttling" if model.protocol == "query" else "ThrottlingException")
    return "InternalFailure" if kind == "internal" else "ServiceUnavailable"


def _error_metadata(service: str, code: str) -> dict[str, Any]:
    from .registry import service_model

    try:
        shape = service_model(service).shape_for(code)
    except Exception:
        return {}
    return dict(shape.metadata.get("error", {}))


def _check_error(service: str | None, operations: frozenset[str] | None, error: str) -> None:
    """Refuse, when the rule is made, an error the selected operations cannot return."""
    if error in GENERIC_ERRORS or error in COMMON_ERRORS:
        return
    if service is None:
        raise ValueError(
            f"error={error!r} is a service's own error: say which service (service=...), or use one of "
            f"{', '.join(GENERIC_ERRORS)} or a common error ({', '.join(sorted(COMMON_ERRORS))})."
        )
    from .registry import service_model

    model = service_model(service)
    names = sorted(operations) if operations else model.operation_names
    wire = service_class(service).wire_operations
    for name in names:
        allowed = set() if name in wire else {shape.name for shape in model.operation_model(name).error_shapes}
        if error not in allowed:
            raise ValueError(
                f"{service} {name} never returns {error!r}. Its model allows: "
                f"{', '.join(sorted(allowed)) or '(no modelled errors)'}; any operation may also return "
                f"{', '.join(GENERIC_ERRORS)} or a common error ({', '.join(sorted(COMMON_ERRORS))})."
            )


def _check_action(
    error: str | AwsError | None, connection: str | None, processed: bool, latency: float | timedelta | None
) -> None:
    """Refuse, when a rule is made, what it would do that makes no sense."""
    if error is None and connection is None and latency is None:
        raise ValueError("Say what the fault does: error=..., connection=... and/or latency=...")
    if error is not None and connection is not None:
        raise ValueError("A call either gets an error answer or no answer at all: pass error or connection.")
    if connection is not None and connection not in CONNECTION_FAULTS:
        raise ValueError(f"connection={connection!r}: use one of {', '.join(CONNECTION_FAULTS)}.")
    if processed and connection not in _AFTER_CONNECT:
        # A refused or timed-out connection never carried the request:
        # the service cannot have handled it.
        raise ValueError(
            "processed=True loses the answer of a call the service handled: it needs a connection that "
            f"carried the request, connection={' or '.join(map(repr, _AFTER_CONNECT))}."
        )
    # Refused here, not found out when a call arrives: a negative latency
    # would make the clock refuse to move backwards in the middle of a call.
    if latency is not None and seconds(latency) < 0:
        raise ValueError(f"latency={latency!r}: a call cannot take less than no time.")


def _check_selection(
    service: str | None,
    ops: frozenset[str] | None,
    error: str | AwsError | None,
    percentage: float | None,
    count: int | None,
    nth: int | None,
    duration: float | timedelta | None,
) -> None:
    """Refuse, when a rule is made, a selection no call could ever match."""
    if service is not None:
        from .registry import faked_services, service_model

        if service not in faked_services():
            raise ValueError(
                f"pytest-awsmsg does not fake {service!r}, so no call to it would ever fail; "
                f"it fakes {', '.join(faked_services())}."
            )
        known = [*service_model(service).operation_names, *sorted(service_class(service).wire_operations)]
        unknown = sorted((ops or frozenset()) - set(known))
        if unknown:
            from .suggest import did_you_mean

            hints = "".join(did_you_mean(name, known) for name in unknown)
            raise ValueError(f"{service} has no operation {', '.join(unknown)}.{hints}")
    if isinstance(error, str):
        _check_error(service, ops, error)
    if percentage is not None and not 0 <= percentage <= 100:
        raise ValueError(f"percentage={percentage!r}: give a number from 0 to 100.")
    if (count is not None and count < 1) or (nth is not None and nth < 1):
        raise ValueError("count and nth count calls from 1.")
    # Refused here, not found out when a call arrives: an empty window would never break anything.
    if duration is not None and seconds(duration) <= 0:
        raise ValueError(f"duration={duration!r}: give a window longer than zero seconds.")


class FaultInjector:
    """The cloud's fault rules, and the log of what they did (``aws.faults``)."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.rules: list[FaultRule] = []  # in force (removed rules leave)
        self.made: list[FaultRule] = []  # every rule this cloud had, for the timeline
        self.log: list[FaultEvent] = []
        self._numbers = 0

    def inject(
        self,
        service: str | None = None,
        operations: str | Iterable[str] | None = None,
        *,
        region: str | None = None,
        resource: str | Iterable[str] | None = None,
        caller_az: str | None = None,
        error: str | AwsError | None = None,
        status: int | None = None,
        message: str | None = None,
        connection: str | None = None,
        processed: bool = False,
        latency: float | timedelta | None = None,
        count: int | None = None,
        nth: int | None = None,
        percentage: float | None = None,
        after: float | timedelta = 0.0,
        duration: float | timedelta | None = None,
        include_internal: bool = False,
        label: str | None = None,
    ) -> FaultRule:
        """Break the calls a rule selects, from now (or ``after`` seconds) on.

        Selectors: ``service`` (botocore name: ``"sqs"``), ``operations``
        (``"SendMessage"``, a list, or ``"A,B"``), ``region``, ``resource`` (a
        queue/topic/secret name, URL or ARN), ``caller_az`` (calls made inside
        :meth:`Topology.in_az`). Calls the cloud makes to itself (SNS
        delivering to SQS) are spared unless ``include_internal``.

        Which of them: every one, the next ``count``, only the ``nth``, a
        seeded ``percentage``, within ``after`` .. ``after + duration`` seconds
        of virtual time.

        What happens (at least one): ``error`` (an error shape of the
        operation's model, an AWS common error, or ``"throttle"``,
        ``"internal"``, ``"unavailable"``; optional ``status`` and
        ``message``), ``connection`` (``"closed"``, ``"refused"``,
        ``"read-timeout"``, ``"connect-timeout"``; with ``processed=True`` the
        service handles the call and only the answer is lost), ``latency``
        (virtual seconds added; a timeout takes botocore's default 60 s unless
        given).
        """
        ops = _listify(operations)
        _check_action(error, connection, processed, latency)
        _check_selection(service, ops, error, percentage, count, nth, duration)
        if caller_az is not None:
            caller_az = self.cloud.topology.zone(caller_az).name  # an AZ ID names the same zone
        if latency is None and connection in ("read-timeout", "connect-timeout"):
            latency = DEFAULT_TIMEOUT
        start = self.cloud.clock.now() + seconds(after)
        self._numbers += 1
        rule = FaultRule(
            self,
            self._numbers,
            service=service,
            operations=ops,
            region=region,
            resource=_listify(resource),
            caller_az=caller_az,
            error=error,
            status=status,
            message=message,
            connection=connection,
            processed=processed,
            latency=None if latency is None else seconds(latency),
            count=count,
            nth=nth,
            percentage=percentage,
            start=start,
            end=None if duration is None else start + seconds(duration),
            include_internal=include_internal,
            label=label or f"rule {self._numbers}",
        )
        with self.cloud.lock:
            self.rules.append(rule)
            self.made.append(rule)
        return rule

    def check(self, record: CallRecord, params: Mapping[str, Any], *, internal: bool = False) -> FaultRule | None:
        """Apply the first rule that fires to a call about to be dispatched.

        Adds its latency and names the fault on the record; raises the error
        or :class:`DroppedConnection` unless the service is to handle the call
        first (``processed``), in which case the caller calls :meth:`after`.
        """
        if not self.rules:
            return None
        now = self.cloud.clock.now()
        for rule in list(self.rules):
            if rule.fires(record, params, internal, now):
                break
        else:
            return None
        action = rule.action()
        record.fault = f"{rule.label}: {action}"
        self.log.append(
            FaultEvent(
                now,
                rule.label,
                action,
                record.service,
                record.operation,
                record.region,
                record.request_id,
                record.attempt,
                record.invocation,
            )
        )
        if rule.latency:
            self.cloud.clock.advance(rule.latency)
        if rule.error is not None:
            raise rule.make_error(record)
        if rule.connection is not None and not rule.processed:
            raise DroppedConnection(rule.connection)
        return rule

    @staticmethod
    def after(rule: FaultRule | None) -> None:
        """Drop the answer of a call the service handled, if its rule says so."""
        if rule is not None and rule.connection is not None and rule.processed:
            raise DroppedConnection(rule.connection, processed=True)

    def discard(self, rule: FaultRule) -> None:
        with self.cloud.lock:
            if rule in self.rules:
                self.rules.remove(rule)

    def clear(self) -> None:
        """Remove every rule but those of ongoing outages (end those with ``outage.end()``)."""
        for rule in list(self.rules):
            if rule.owner is None:
                rule.remove()

    @property
    def active(self) -> list[FaultRule]:
        """Rules that may still fire."""
        return [r for r in self.rules if r.active]

    def format(self) -> str:
        """The fault log, one line per injected fault, for reports."""
        lines = []
        for event in self.log:
            when = stamp(event.time)
            lines.append(
                f"{when} {event.region} {event.service}.{event.operation} attempt {event.attempt}: "
                f"{event.action} [{event.rule}]"
            )
        return "\n".join(lines) or "(no faults injected)"

    # -- AWS FIS -----------------------------------------------------------------

    def fis(self, template: Mapping[str, Any] | str | os.PathLike[str]) -> FisExperiment:
        """Start an AWS FIS experiment template's API fault actions, as written.

        ``template`` is the template as a dict, as JSON text, or a path to a
        JSON file; the ``{"experimentTemplate": ...}`` that the FIS API returns
        is accepted too. See :class:`~.fis.FisExperiment`.
        """
        from .fis import FisExperiment, load_template

        return FisExperiment(self, load_template(template))
