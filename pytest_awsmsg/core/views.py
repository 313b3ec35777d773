"""What a test sees of a service: ``aws.sqs``, ``aws.sns``, ``aws.stepfunctions`` ...

The view is not the service. The service answers API calls; its view is the
deliberate, documented surface a test uses beside the API, the same shape for
every service:

* lookups (``queue``, ``topic``, ``secret``, ``execution`` ...) that return
  live, read-only views of one resource and, on a miss, raise
  :class:`NotFound` naming what exists in the account and region looked in,
  and where else a resource of that name is;
* one ``quirks(...)``, switching the service's production quirks (where it
  has any), with the resource it applies to as a keyword (``queue=``);
* ``assert_*`` helpers on the resource views that explain a miss
  (:func:`explain`);
* the few controls that stand for what happens outside the API (a person
  confirming a subscription, a worker answering a task).

Everything else of the service (its stores, its internal steps) is out of
reach, so a test cannot put the fake in a state AWS could not be in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from .cloud import Cloud
    from .service import Service

ServiceT = TypeVar("ServiceT", bound="Service[Any]")
T = TypeVar("T")


class NotFound(KeyError):
    """A lookup from a test found nothing: the message names what exists and where.

    A :class:`KeyError` (and so a :class:`LookupError`), as a mapping's miss is.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def explain(headline: str, details: Iterable[str] = ()) -> AssertionError:
    """How an ``assert_*`` helper fails: what was expected, then what there is instead.

    ``raise explain("No message ... matches ...", [repr(m) for m in messages])``
    """
    lines = [headline, *(f"  {line}" for line in details)]
    return AssertionError("\n".join(lines))


class ServiceView(Generic[ServiceT]):
    """Base of every service's view: where lookups look, and how a miss reads."""

    #: How the service is named in messages ("SQS", "Secrets Manager").
    title: ClassVar[str] = ""

    def __init__(self, service: ServiceT) -> None:
        self._service = service

    @property
    def _cloud(self) -> Cloud:
        return self._service.cloud

    def _where(self, region: str | None, account_id: str | None) -> tuple[str, str]:
        return account_id or self._cloud.account_id, region or self._cloud.region

    def _lookup(
        self,
        kind: str,
        name: str,
        index: Callable[[Any], Mapping[str, T]],
        *,
        region: str | None = None,
        account_id: str | None = None,
        plural: str | None = None,
    ) -> T:
        """The resource ``name`` in one account and region's store (``index`` maps names to resources).

        Raises :class:`NotFound` saying what is there, and in which other
        accounts and regions a resource of that name exists.
        """
        account, where = self._where(region, account_id)
        with self._cloud.lock:
            stores = self._service.stores()
            store = stores.get((account, where))
            here = index(store) if store is not None else {}
            found = here.get(name)
            if found is not None:
                return found
            elsewhere = [f"{a}/{r}" for (a, r), s in sorted(stores.items()) if name in index(s)]
            raise NotFound(
                f"No {self.title} {kind} {name!r} in {account}/{where}; {plural or kind + 's'} there: "
                f"{sorted(here)}" + (f"; {name!r} exists in {', '.join(elsewhere)}" if elsewhere else "")
            )

    def __repr__(self) -> str:
        return f"<{self.title} view of {self._cloud!r}>"


def arn_parts(arn: str) -> tuple[str, str, str] | None:
    """(region, account, resource) of an ARN, or ``None`` for anything else."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[3], parts[4], parts[5]
