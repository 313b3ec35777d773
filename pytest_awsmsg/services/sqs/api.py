"""The Amazon SQS fake: one method per operation of botocore's ``sqs`` model.

Queue management lives here; sending, receiving and visibility in
:mod:`.messaging` (the message rules in :mod:`.validation`); message move
tasks in :mod:`.movetasks`; the Python view for assertions and the production
quirks in :mod:`.view`; policies in :mod:`.policy`. Each operation group is a
mixin of :class:`SqsService`, so every operation is still a method of one
class.
"""

from __future__ import annotations

import re
from typing import Any

from ...core.endpoints import caller_url
from ...core.errors import InvalidParameterValue
from ...core.paging import InvalidPageToken, page
from ...core.service import operation
from ..base import RequestContext
from . import attributes as attrs
from .errors import QueueDeletedRecently, QueueDoesNotExist, QueueNameExists, invalid_value
from .messaging import MessagingMixin
from .models import RECREATE_INTERVAL, Queue
from .movetasks import MoveTaskMixin
from .policy import add_permission, remove_permission
from .view import ViewMixin

_STANDARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
MAX_TAGS = 50
_TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")  # \w: Unicode letters and digits, and _


class SqsService(MessagingMixin, MoveTaskMixin, ViewMixin):
    """Standard and FIFO queues, dead-letter queues and message move tasks."""

    name = "sqs"

    # -- queues -----------------------------------------------------------------

    @operation
    def create_queue(
        self,
        ctx: RequestContext,
        *,
        queue_name: str,
        attributes: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        given = dict(attributes or {})
        fifo = str(given.get("FifoQueue", "false")).lower() == "true"
        if fifo and not _FIFO_NAME.match(queue_name):
            raise InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length."
            )
        if not fifo and not _STANDARD_NAME.match(queue_name):
            raise InvalidParameterValue(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
            )
        normalised = attrs.normalise(given, fifo=fifo, creating=True)
        store = self.ctx_store(ctx)
        now = ctx.now
        existing = store.queues.get(queue_name)
        if existing is not None:
            for name, value in normalised.items():
                if not attrs.same_value(name, existing.attributes.get(name, ""), value):
                    raise QueueNameExists(
                        f"A queue already exists with the same name and a different value for attribute {name}"
                    )
            return {"QueueUrl": caller_url(existing.url)}
        deleted_at = store.deleted.get(queue_name)
        if deleted_at is not None and now - deleted_at < RECREATE_INTERVAL:
            raise QueueDeletedRecently()
        values = dict(attrs.STANDARD_DEFAULTS)
        if fifo:
            values.update(attrs.FIFO_DEFAULTS)
        values.update(normalised)
        attrs.check_throughput(values)
        arn = f"arn:aws:sqs:{ctx.region}:{ctx.account_id}:{queue_name}"
        self._check_redrive(values, arn, fifo)
        if tags:
            self._check_tags(queue_name, {}, tags)
        queue = Queue(
            name=queue_name,
            account_id=ctx.account_id,
            region=ctx.region,
            url=f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account_id}/{queue_name}",
            arn=arn,
            fifo=fifo,
            attributes=values,
            created_at=now,
            last_modified_at=now,
            tags=dict(tags or {}),
            next_sequence=self.cloud.ids.randrange(10**19, 2 * 10**19),
        )
        store.queues[queue_name] = queue
        store.deleted.pop(queue_name, None)
        return {"QueueUrl": caller_url(queue.url)}

    def _check_redrive(self, values: dict[str, str], source_arn: str, fifo: bool) -> None:
        policy = values.get("RedrivePolicy")
        if not policy:
            values.pop("RedrivePolicy", None)
            return
        target_arn, _ = attrs.parse_redrive_policy(policy)
        target = self.queue_by_arn(target_arn)
        if target is None:
            raise invalid_value(policy, "RedrivePolicy", "Dead letter target does not exist.")
        if target.fifo != fifo:
            raise invalid_value(policy, "RedrivePolicy", "Dead-letter queue must be same type of queue as the source.")
        # Assumed wording: AWS documents that the RedriveAllowPolicy is enforced, not its message.
        if not attrs.redrive_allows(target.attributes.get("RedriveAllowPolicy"), source_arn):
            raise invalid_value(
                policy,
                "RedrivePolicy",
                f"Queue {target_arn} does not allow {source_arn} to use it as a dead-letter queue.",
            )

    @operation
    def get_queue_url(
        self, ctx: RequestContext, *, queue_name: str, queue_owner_aws_account_id: str | None = None
    ) -> dict[str, Any]:
        queue = self.store(queue_owner_aws_account_id or ctx.account_id, ctx.region).queues.get(queue_name)
        if queue is None:
            raise QueueDoesNotExist()
        return {"QueueUrl": caller_url(queue.url)}

    @operation
    def delete_queue(self, ctx: RequestContext, *, queue_url: str) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        store = self.store(queue.account_id, queue.region)
        del store.queues[queue.name]
        store.deleted[queue.name] = ctx.now
        self.cancel_tasks_of(queue)
        return {}

    @operation
    def list_queues(
        self,
        ctx: RequestContext,
        *,
        queue_name_prefix: str | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> dict[str, Any]:
        store = self.ctx_store(ctx)
        names = sorted(n for n in store.queues if n.startswith(queue_name_prefix or ""))
        urls, token = _page([caller_url(store.queues[n].url) for n in names], next_token, max_results)
        return {"QueueUrls": urls or None, "NextToken": token}

    @operation
    def list_dead_letter_source_queues(
        self, ctx: RequestContext, *, queue_url: str, next_token: str | None = None, max_results: int | None = None
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        urls, token = _page([caller_url(q.url) for q in self.dead_letter_sources(queue)], next_token, max_results)
        return {"queueUrls": urls, "NextToken": token}

    # -- attributes -------------------------------------------------------------

    @operation
    def get_queue_attributes(
        self, ctx: RequestContext, *, queue_url: str, attribute_names: list[str] | None = None
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        for name in attribute_names or ():
            if name != "All" and name not in attrs.KNOWN:
                raise attrs.unknown(name)
        wanted = set(attribute_names or ())
        if "All" in wanted:
            wanted = set(attrs.KNOWN)
        values = queue.reported_attributes(*queue.counts(ctx.now))
        found = {name: values[name] for name in attrs.ALL_ORDER if name in wanted and name in values}
        return {"Attributes": found or None}

    @operation
    def set_queue_attributes(
        self, ctx: RequestContext, *, queue_url: str, attributes: dict[str, str]
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        normalised = attrs.normalise(attributes, fifo=queue.fifo, creating=False)
        values = {**queue.attributes, **normalised}
        if "KmsMasterKeyId" in normalised and normalised["KmsMasterKeyId"] and "SqsManagedSseEnabled" not in normalised:
            values["SqsManagedSseEnabled"] = "false"  # one server-side encryption option at a time
        attrs.check_throughput(values)
        self._check_redrive(values, queue.arn, queue.fifo)
        for name in ("Policy", "RedriveAllowPolicy", "KmsMasterKeyId"):
            if values.get(name) == "":
                del values[name]
        queue.attributes = values
        queue.last_modified_at = ctx.now
        return {}

    # -- tags and permissions -----------------------------------------------------

    def _check_tags(self, queue_name: str, current: dict[str, str], new: dict[str, str]) -> None:
        """The tag rules of AWS's queue quotas page (the wording of the errors is assumed)."""
        for key, value in new.items():
            if not 1 <= len(key) <= 128 or len(value) > 256:
                raise InvalidParameterValue(
                    f"Tag {key}: a key must be 1 to 128 characters long and a value at most 256."
                )
            if not (_TAG_TEXT.match(key) and _TAG_TEXT.match(value)):
                raise InvalidParameterValue(
                    f"Tag {key}: keys and values can only include letters, digits, whitespace and _ . : / = + - @"
                )
            if key.lower().startswith("aws:") or value.lower().startswith("aws:"):
                raise InvalidParameterValue(f"Tag {key}: keys and values cannot start with the reserved prefix aws:")
        if len({**current, **new}) > MAX_TAGS:
            raise InvalidParameterValue(f"Too many tags added for queue {queue_name}.")

    @operation
    def tag_queue(self, ctx: RequestContext, *, queue_url: str, tags: dict[str, str]) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        self._check_tags(queue.name, queue.tags, tags)
        queue.tags.update(tags)
        return {}

    @operation
    def untag_queue(self, ctx: RequestContext, *, queue_url: str, tag_keys: list[str]) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        for key in tag_keys:
            queue.tags.pop(key, None)
        return {}

    @operation
    def list_queue_tags(self, ctx: RequestContext, *, queue_url: str) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        return {"Tags": dict(queue.tags) or None}

    @operation
    def add_permission(
        self,
        ctx: RequestContext,
        *,
        queue_url: str,
        label: str,
        aws_account_ids: list[str],
        actions: list[str],
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        policy = add_permission(
            queue.attributes.get("Policy"),
            queue_arn=queue.arn,
            label=label,
            account_ids=aws_account_ids,
            actions=actions,
        )
        queue.attributes["Policy"] = policy
        queue.last_modified_at = ctx.now
        return {}

    @operation
    def remove_permission(self, ctx: RequestContext, *, queue_url: str, label: str) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        policy = remove_permission(queue.attributes.get("Policy"), label)
        if policy:
            queue.attributes["Policy"] = policy
        else:
            queue.attributes.pop("Policy", None)
        queue.last_modified_at = ctx.now
        return {}


def _page(items: list[str], next_token: str | None, max_results: int | None) -> tuple[list[str], str | None]:
    """One page of a listing; a NextToken only when MaxResults was given, as AWS does."""
    if max_results is not None and not 1 <= max_results <= 1000:
        raise invalid_value(max_results, "MaxResults", "MaxResults must be an integer between 1 and 1000.")
    try:
        chunk, token = page(items, next_token, max_results, default_size=1000)
    except InvalidPageToken:
        raise InvalidParameterValue("Invalid NextToken value.") from None
    return chunk, token if max_results is not None else None
