"""What every fake service is built from.

A service is a plain Python class: one method per operation of its botocore
model, named after it in snake_case, taking a :class:`RequestContext` and the
operation's input members as snake_case keyword arguments (nested values keep
the model's member names), and returning the output members as a dict. State
lives in one store per (account, region), built by :meth:`Service.new_store`.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from botocore import xform_name
from botocore.model import OperationModel

from ..core.errors import AwsError

if TYPE_CHECKING:
    from ..core.cloud import Cloud

StoreT = TypeVar("StoreT")


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


class Service(Generic[StoreT]):
    """Base of every fake: dispatch by operation name, and per-region stores."""

    #: The botocore service name (``sqs``, ``sns``, ``stepfunctions`` ...).
    name: ClassVar[str]

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self._stores: dict[tuple[str, str], StoreT] = {}
        self._handlers: dict[str, tuple[Callable[..., Any], dict[str, str]]] = {}

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
        # The handler and its keyword names are worked out once per operation:
        # this runs on every call.
        entry = self._handlers.get(operation.name)
        if entry is None:
            method = getattr(self, python_name(operation.name), None)
            if method is None:
                raise NotImplementedOperation(f"{self.name} {operation.name} is not implemented by pytest-awsmsg.")
            entry = self._handlers[operation.name] = (method, {})
        method, names = entry
        kwargs = {}
        for key, value in params.items():
            arg = names.get(key)
            if arg is None:
                arg = names[key] = python_name(key)
            kwargs[arg] = value
        return method(ctx, **kwargs) or {}

    def report_sections(self) -> list[tuple[str, str]]:
        """(title, text) sections this service adds to a failed test's report."""
        return []

    def redact(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Params as they may be shown in the call log and reports.

        Services holding secrets override this so a value never reaches a log.
        """
        return params
