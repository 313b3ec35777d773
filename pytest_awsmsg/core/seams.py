"""Typed seams between services: what one fake may ask of another.

A fake never reaches into another fake's models. It asks through one of these
interfaces, which the other fake implements, and it changes the other's state
only through the API (``cloud.call(...)``, with its validation, faults and
call log), as a real AWS service does.

* :class:`QueueTarget` (SQS): find a queue by ARN, ask whether its access
  policy lets a principal act on it; messages then go in through the API,
  ``cloud.call("sqs", "SendMessage", {"QueueUrl": ref.url, ...},
  region=ref.region, account_id=ref.account_id)``. SNS fan-out uses it; so
  can an extension's EventBridge or S3 notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .cloud import Cloud


@dataclass(frozen=True)
class QueueRef:
    """What another service may know of a queue: where it is and what kind."""

    name: str
    url: str
    arn: str
    fifo: bool
    account_id: str
    region: str


@runtime_checkable
class QueueTarget(Protocol):
    """A queue service seen from another service of the cloud."""

    def find_queue(self, arn: str) -> QueueRef | None:
        """The queue with this ARN, or ``None`` if there is none."""

    def queue_allows(
        self,
        queue_arn: str,
        *,
        action: str = "sqs:SendMessage",
        principal_service: str | None = "sns.amazonaws.com",
        source_arn: str | None = None,
        principal_account: str | None = None,
    ) -> bool:
        """Whether the queue's access policy lets the principal do ``action``."""


def queue_target(cloud: Cloud, service: str = "sqs") -> QueueTarget | None:
    """The cloud's queue service as a :class:`QueueTarget`, or ``None`` if it is not one."""
    found = cloud.service(service)
    return found if isinstance(found, QueueTarget) else None
