"""What every fake service is built from.

A service is a plain Python class: one handler per operation of its botocore
model, declared with :func:`operation` and named after the operation in
snake_case, taking a :class:`RequestContext` and the operation's input members
as snake_case keyword arguments (nested values keep the model's member names),
and returning the output members as a dict. State lives in one store per
(account, region), built by :meth:`Service.new_store`.

Calls reach handlers through a dispatch table built once per class from the
model's operation names and the declared handlers (:meth:`Service.handlers`),
so a helper method is never reachable as an operation, whatever its name.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from botocore import xform_name
from botocore.model import OperationModel

from .errors import AwsError
from .model_errors import ModelErrors

if TYPE_CHECKING:
    from .cloud import Cloud
    from .views import ServiceView

StoreT = TypeVar("StoreT")
FuncT = TypeVar("FuncT", bound=Callable[..., Any])

# Marks a function as the handler of the operation its name stands for.
_HANDLER_MARK = "__awsmsg_operation__"
# Members naming the resource a call is about: QueueUrl, TopicArn, SecretId,
# stateMachineArn, and SWF's nested taskList {"name": ...}.
_RESOURCE_MEMBER = re.compile(r"^(?:url|arn|id|name)$|(?:Url|Arn|Id|Name)$")


@dataclass
class RequestContext:
    """Who is calling, where, and when: what an operation needs besides its input."""

    cloud: Cloud
    service: str
    operation: str
    region: str
    account_id: str
    request_id: str
    protocol: str = "json"
    #: The request's HTTP headers, lower-cased (empty for in-cloud calls): for the few
    #: operations that read one, such as SQS carrying ``X-Amzn-Trace-Id`` into a message.
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.cloud.clock.now()

    @property
    def now_dt(self) -> datetime:
        return self.cloud.clock.now_dt()

    def arn(self, resource: str, service: str | None = None) -> str:
        return f"arn:aws:{service or self.service}:{self.region}:{self.account_id}:{resource}"


class NotImplementedOperation(AwsError):
    code = "NotImplemented"
    status = 501


def python_name(member: str) -> str:
    """The keyword argument a model member becomes: QueueUrl -> queue_url."""
    name = str(xform_name(member))
    return name + "_" if keyword.iskeyword(name) else name


def operation(func: FuncT) -> FuncT:
    """Declare a method the handler of the operation it is named after.

    ``send_message`` handles ``SendMessage``. Only declared handlers are
    dispatched to; every other method is a helper no call can reach.
    """
    setattr(func, _HANDLER_MARK, True)
    return func


@dataclass(frozen=True)
class Handler:
    """One row of a dispatch table: the method, and its keyword per input member."""

    method: str
    keywords: dict[str, str]


class HandlerError(TypeError):
    """A service class whose handlers do not match its model."""


class Service(Generic[StoreT]):
    """Base of every fake: model-driven dispatch to declared handlers, and per-region stores."""

    #: The botocore service name (``sqs``, ``sns``, ``stepfunctions`` ...).
    name: ClassVar[str]
    #: Operations AWS answers without a signature (SNS's ConfirmSubscription,
    #: reached by GETting a SubscribeURL); served endpoints refuse the rest unsigned.
    unauthenticated_operations: ClassVar[frozenset[str]] = frozenset()
    #: What ``aws.<name>`` is: the service's view (:mod:`.views`), the surface
    #: a test uses beside the API. ``None`` (an extension without one): the
    #: service itself.
    view_class: ClassVar[type[ServiceView[Any]] | None] = None
    #: The service's error classes; a service sets the one its errors module
    #: builds (with its overrides), else they are made from the model alone.
    error_classes: ClassVar[ModelErrors | None] = None
    #: Members that end like a resource's (``...Id``) but name none: an SQS
    #: message group "orders" is not the queue "orders".
    not_resources: ClassVar[frozenset[str]] = frozenset()
    #: Members that name a resource though they do not end like one (SWF's ``domain``).
    resource_members: ClassVar[frozenset[str]] = frozenset()
    #: What reaches the service other than its API (a broker connection's
    #: ``Connect``): in the call log, and selectable by fault rules.
    wire_operations: ClassVar[frozenset[str]] = frozenset()
    # Built on first use (loading a model is not free), once per class.
    _dispatch_table: ClassVar[dict[str, Handler] | None] = None

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self._stores: dict[tuple[str, str], StoreT] = {}
        self._bound: dict[str, tuple[Callable[..., Any], dict[str, str]]] = {}

    # -- what the fault injector asks --------------------------------------------

    @classmethod
    def error_class(cls, code: str) -> type[AwsError] | None:
        """The class this service raises for an error shape, or ``None`` if its model has no such shape."""
        errors = cls.error_classes
        if errors is None:
            errors = cls.error_classes = ModelErrors(cls.name)
        return errors.get(code)

    @classmethod
    def resource_names(cls, params: Mapping[str, Any], operation: str | None = None) -> list[str]:
        """The names, URLs and ARNs of the resources a call is about, nested members included.

        With ``operation`` the walk follows its input shape, so the keys of a
        map (message attributes, tags) are never taken for members.
        """
        shape = None
        if operation is not None and operation not in cls.wire_operations:
            from .registry import service_model

            shape = service_model(cls.name).operation_model(operation).input_shape
        found: list[str] = []
        _collect_resources(params, shape, cls, found)
        return found

    # -- the dispatch table ----------------------------------------------------

    @classmethod
    def declared_handlers(cls) -> set[str]:
        """Names of the methods declared with :func:`operation`, inherited ones included."""
        return {
            attr for klass in cls.__mro__ for attr, value in vars(klass).items() if getattr(value, _HANDLER_MARK, False)
        }

    @classmethod
    def handlers(cls) -> dict[str, Handler]:
        """Operation name -> its handler, from the installed model and the declared handlers.

        Raises :class:`HandlerError` for a method named like an operation but
        not declared (a helper that a call would otherwise reach, or a
        forgotten ``@operation``). A handler of an operation this botocore's
        model lacks is left out: it serves a newer botocore.
        """
        built: dict[str, Handler] | None = cls.__dict__.get("_dispatch_table")
        if built is not None:
            return built
        from .registry import service_model

        model = service_model(cls.name)
        declared = cls.declared_handlers()
        table: dict[str, Handler] = {}
        for op_name in model.operation_names:
            method = python_name(op_name)
            if method in declared:
                shape = model.operation_model(op_name).input_shape
                members = shape.members if shape is not None else {}
                table[op_name] = Handler(method, {m: python_name(m) for m in members})
            elif callable(getattr(cls, method, None)):
                raise HandlerError(
                    f"{cls.__qualname__}.{method} is named after {cls.name} {op_name} but not declared "
                    "its handler: decorate it with @operation, or rename the helper."
                )
        cls._dispatch_table = table
        return table

    @classmethod
    def handler_problems(cls) -> list[str]:
        """What is wrong between the class and the installed model (empty: nothing)."""
        from .registry import service_model

        try:
            table = cls.handlers()
        except HandlerError as error:
            return [str(error)]
        known = {python_name(op) for op in service_model(cls.name).operation_names}
        problems = [f"no handler for {op}" for op in service_model(cls.name).operation_names if op not in table]
        problems += [
            f"{name} is declared a handler, but {cls.name} has no such operation"
            for name in sorted(cls.declared_handlers() - known)
        ]
        return problems

    def new_store(self, account_id: str, region: str) -> StoreT:
        """Fresh state for one account and region."""
        raise NotImplementedError

    def store(self, account_id: str, region: str) -> StoreT:
        key = (account_id, region)
        found = self._stores.get(key)
        if found is None:
            found = self._stores[key] = self.new_store(account_id, region)
        return found

    def stores(self) -> dict[tuple[str, str], StoreT]:
        """Every (account, region) store created so far."""
        return dict(self._stores)

    def ctx_store(self, ctx: RequestContext) -> StoreT:
        return self.store(ctx.account_id, ctx.region)

    def dispatch(self, ctx: RequestContext, operation: OperationModel, params: dict[str, Any]) -> dict[str, Any]:
        """Call the operation's declared handler with the params as keywords."""
        # Runs on every call: the bound method is looked up once per operation.
        entry = self._bound.get(operation.name)
        if entry is None:
            handler = self.handlers().get(operation.name)
            if handler is None:
                raise NotImplementedOperation(f"{self.name} {operation.name} is not implemented by pytest-awsmsg.")
            entry = self._bound[operation.name] = (getattr(self, handler.method), handler.keywords)
        method, keywords = entry
        kwargs = {keywords.get(key) or python_name(key): value for key, value in params.items()}
        return method(ctx, **kwargs) or {}

    def report_sections(self) -> list[tuple[str, str]]:
        """(title, text) sections this service adds to a failed test's report."""
        return []

    def resource(self, path: str) -> tuple[str, bytes] | None:
        """A document at a URL this service hands out (SNS's SigningCertURL), as
        (content type, body), for served endpoints to answer GETs of; ``None`` if not ours."""
        return None

    def close(self) -> None:
        """Release what the service holds outside the cloud (threads, sockets); called when the cloud ends."""

    def secret_values(self) -> list[str]:
        """Values this service holds that no report may show (the cloud scrubs every spelling of them)."""
        return []

    def redact(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Params as they may be shown in the call log and reports.

        Services holding secrets override this so a value never reaches a log.
        """
        return params


def _collect_resources(value: Any, shape: Any, service: type[Service[Any]], found: list[str]) -> None:
    """Append the resource-naming string members of ``value`` (see :meth:`Service.resource_names`)."""
    type_name = getattr(shape, "type_name", None)
    if isinstance(value, Mapping):
        if type_name == "map":
            return
        members = shape.members if type_name == "structure" else {}
        for key, item in value.items():
            if isinstance(item, str):
                named = key in service.resource_members or _RESOURCE_MEMBER.search(key)
                if named and key not in service.not_resources:
                    found.append(item)
            elif isinstance(item, (Mapping, list)):
                _collect_resources(item, members.get(key), service, found)
    elif isinstance(value, list):
        member = shape.member if type_name == "list" else None
        for item in value:
            if isinstance(item, (Mapping, list)):
                _collect_resources(item, member, service, found)
