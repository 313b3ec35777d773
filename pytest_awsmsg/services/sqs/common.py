"""What every part of the SQS fake shares: finding queues and their quirks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...core.quirks import QuirkSettings
from ...core.seams import QueueRef
from ..base import RequestContext, Service
from .attributes import parse_redrive_policy
from .errors import ERRORS, QueueDoesNotExist
from .models import Message, Queue, Quirks, SqsStore
from .policy import policy_allows

if TYPE_CHECKING:
    from ...core.cloud import Cloud

_QUEUE_URL = re.compile(r"^https?://(?P<host>[^/]+)/(?P<account>\d{12})/(?P<name>[^/?#]+)/?$")
_HOST_REGION = re.compile(r"^(?:sqs\.)?([a-z]{2}(?:-[a-z]+)+-\d)\.(?:queue\.)?amazonaws\.com")
_QUEUE_ARN = re.compile(r"^arn:aws[a-z-]*:sqs:(?P<region>[^:]+):(?P<account>\d{12}):(?P<name>[^:]+)$")


class SqsBase(Service[SqsStore]):
    """State and lookups the SQS mixins build on."""

    name = "sqs"
    error_classes = ERRORS
    # Batch entry ids, message groups and the like are no queue's name.
    not_resources = frozenset(
        {"Id", "MessageGroupId", "MessageDeduplicationId", "ReceiveRequestAttemptId", "QueueOwnerAWSAccountId"}
    )
    #: Messages a queue may have in flight (AWS: about 120,000 for standard and FIFO queues).
    #: A test may lower it on ``aws.sqs`` to exercise OverLimit without 120,000 messages.
    in_flight_limit: int = 120_000

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        # Production quirks (see view.py): None is "every queue", else a queue name.
        self.quirk_settings: QuirkSettings[Quirks] = QuirkSettings()

    def new_store(self, account_id: str, region: str) -> SqsStore:
        return SqsStore(account_id, region)

    def dispatch(self, ctx: RequestContext, operation: Any, params: dict[str, Any]) -> dict[str, Any]:
        result = super().dispatch(ctx, operation, params)
        return {k: _compact(v) for k, v in result.items() if v is not None}

    def queue_for_url(self, ctx: RequestContext, queue_url: str) -> Queue:
        """The queue a QueueUrl names (any account, the URL's region or the caller's), or a bare name."""
        found = _QUEUE_URL.match(queue_url)
        if found is None:
            # AWS takes anything that is not a queue URL as a queue name in the caller's
            # account and region (a bare name works; anything else names no queue).
            named = self.store(ctx.account_id, ctx.region).queues.get(queue_url)
            if named is None:
                raise QueueDoesNotExist()
            return named
        host = found.group("host").lower()
        region_match = _HOST_REGION.match(host)
        region = (
            region_match.group(1) if region_match else ("us-east-1" if host == "queue.amazonaws.com" else ctx.region)
        )
        queue = self.store(found.group("account"), region).queues.get(found.group("name"))
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    def queue_by_arn(self, arn: str) -> Queue | None:
        """The queue with this ARN, or ``None``."""
        found = _QUEUE_ARN.match(arn or "")
        if found is None:
            return None
        store = self._stores.get((found.group("account"), found.group("region")))
        return store.queues.get(found.group("name")) if store else None

    # -- the QueueTarget seam (core/seams.py): what other services may ask --------

    def find_queue(self, arn: str) -> QueueRef | None:
        """The queue with this ARN as other services may know it, or ``None``."""
        queue = self.queue_by_arn(arn)
        if queue is None:
            return None
        return QueueRef(queue.name, queue.url, queue.arn, queue.fifo, queue.account_id, queue.region)

    def queue_allows(
        self,
        queue_arn: str,
        *,
        action: str = "sqs:SendMessage",
        principal_service: str | None = "sns.amazonaws.com",
        source_arn: str | None = None,
        principal_account: str | None = None,
    ) -> bool:
        """Whether the queue's policy lets a principal do ``action``.

        A queue without a policy admits its own account only; a service
        principal needs an Allow naming it (or ``*``) whose conditions
        (``aws:SourceArn`` with ArnEquals/ArnLike...) match ``source_arn``.
        """
        queue = self.queue_by_arn(queue_arn)
        if queue is None:
            return False
        return policy_allows(
            queue.attributes.get("Policy"),
            queue_arn=queue.arn,
            owner_account=queue.account_id,
            action=action,
            principal_service=principal_service,
            principal_account=principal_account,
            source_arn=source_arn,
        )

    def dead_letter_sources(self, queue: Queue) -> list[Queue]:
        """The queues whose RedrivePolicy names ``queue``, by name."""
        found = []
        for candidate in sorted(self.store(queue.account_id, queue.region).queues.values(), key=lambda q: q.name):
            policy = candidate.attributes.get("RedrivePolicy")
            if policy and parse_redrive_policy(policy)[0] == queue.arn:
                found.append(candidate)
        return found

    def transfer(
        self,
        source: Queue,
        message: Message,
        target: Queue,
        now: float,
        *,
        dead_letter_source_arn: str | None,
        sent_at: float,
    ) -> None:
        """Move a message to another queue (dead-lettering, redrive): the same id, body and
        attributes, never received there, visible at once. ``sent_at`` is where its retention
        counts from, which differs between the two kinds of move."""
        source.index.remove(message)
        message.receive_count = 0
        message.first_received_at = None
        message.received_at = None
        message.receipt_handle = None
        message.visible_at = now
        message.dead_letter_source_arn = dead_letter_source_arn
        message.sent_at = sent_at
        target.add(message, now)

    def quirks_for(self, queue: Queue) -> Quirks | None:
        """The quirks switched on for a standard queue, if any."""
        if queue.fifo or not self.quirk_settings:
            return None
        return self.quirk_settings.lookup(queue.name)


def _compact(value: Any) -> Any:
    """The result without ``None`` members, which the model does not allow (results are built with them for clarity)."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value
