"""Sending, receiving, deleting and changing visibility of messages.

Long polls never sleep: a ReceiveMessage with a wait is the cloud's one
waiting primitive (``cloud.wait_for``), woken by any change and by the next
instant a message becomes visible. Whether the wait moves virtual time or
waits for another thread follows the rule of who moves time
(:mod:`pytest_awsmsg.core.threads`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from ...core.dedup import FirstSend
from ...core.errors import AwsError, InvalidParameterValue, MissingParameter
from ...core.service import operation
from ..base import RequestContext
from . import validation as rules
from .attributes import parse_redrive_policy
from .common import SqsBase
from .errors import (
    BatchRequestTooLong,
    OverLimit,
    PurgeQueueInProgress,
    ReceiptHandleIsInvalid,
    invalid_value,
)
from .md5 import md5_of_attributes, md5_of_body
from .models import (
    PURGE_INTERVAL,
    Message,
    Queue,
    ReceiveAttempt,
    message_size,
    parse_receipt,
)

MAX_VISIBILITY = 43_200
MAX_BATCH_BYTES = 1_048_576  # the sum of a batch's messages, whatever the queue's MaximumMessageSize


class MessagingMixin(SqsBase):
    # -- sending ----------------------------------------------------------------

    @operation
    def send_message(
        self,
        ctx: RequestContext,
        *,
        queue_url: str,
        message_body: str,
        delay_seconds: int | None = None,
        message_attributes: dict[str, dict[str, Any]] | None = None,
        message_system_attributes: dict[str, dict[str, Any]] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        return self.enqueue(
            ctx,
            queue,
            body=message_body,
            delay_seconds=delay_seconds,
            attributes=message_attributes or {},
            system_attributes=_with_trace_header(ctx, message_system_attributes),
            deduplication_id=message_deduplication_id,
            group_id=message_group_id,
        )

    @operation
    def send_message_batch(
        self, ctx: RequestContext, *, queue_url: str, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        rules.check_batch_ids([e["Id"] for e in entries], "SendMessageBatchRequestEntry")
        total = sum(message_size(e["MessageBody"], e.get("MessageAttributes") or {}) for e in entries)
        if total > MAX_BATCH_BYTES:
            raise BatchRequestTooLong(
                f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes."
            )
        if queue.fifo:
            # A FIFO entry without its group or deduplication id fails the whole request, not the entry.
            for entry in entries:
                _check_fifo_ids(queue, entry.get("MessageGroupId"), entry.get("MessageDeduplicationId"))
        successful, failed = [], []
        for entry in entries:
            try:
                result = self.enqueue(
                    ctx,
                    queue,
                    body=entry["MessageBody"],
                    delay_seconds=entry.get("DelaySeconds"),
                    attributes=entry.get("MessageAttributes") or {},
                    system_attributes=_with_trace_header(ctx, entry.get("MessageSystemAttributes")),
                    deduplication_id=entry.get("MessageDeduplicationId"),
                    group_id=entry.get("MessageGroupId"),
                )
            except AwsError as error:
                failed.append(_failure(entry["Id"], error))
            else:
                successful.append({"Id": entry["Id"], **result})
        return {"Successful": successful, "Failed": failed or None}

    def enqueue(
        self,
        ctx: RequestContext,
        queue: Queue,
        *,
        body: str,
        delay_seconds: int | None,
        attributes: dict[str, dict[str, Any]],
        system_attributes: dict[str, dict[str, Any]],
        deduplication_id: str | None,
        group_id: str | None,
        dead_letter_source_arn: str | None = None,
    ) -> dict[str, Any]:
        """Validate and store one message; the SendMessage result for it."""
        rules.check_body(body)
        rules.check_message_attributes(attributes)
        rules.check_system_attributes(system_attributes)
        rules.check_range(delay_seconds, "DelaySeconds", 0, 900, "DelaySeconds must be >= 0 and <= 900")
        if group_id:  # an empty one on a FIFO queue is a missing one, below
            rules.check_token(group_id, "MessageGroupId")
        rules.check_token(deduplication_id, "MessageDeduplicationId")
        if message_size(body, attributes) > queue.max_message_size:
            raise InvalidParameterValue(
                "One or more parameters are invalid. "
                f"Reason: Message must be shorter than {queue.max_message_size} bytes."
            )
        now = ctx.now
        wrong_type = "The request include parameter that is not valid for this queue type."
        if queue.fifo:
            # AWS refuses a per-message delay on FIFO queues; 0 changes nothing, so we let it through.
            if delay_seconds:
                raise invalid_value(delay_seconds, "DelaySeconds", wrong_type)
            _check_fifo_ids(queue, group_id, deduplication_id)
            if deduplication_id is None:
                deduplication_id = hashlib.sha256(body.encode("utf-8")).hexdigest()
            seen = queue.dedup.get(queue.dedup_key(group_id, deduplication_id), now)
            if seen is not None:
                # A duplicate inside the 5-minute window is accepted and dropped; AWS answers
                # with the original message's id (assumed: the id is all its docs promise).
                return self._sent_result(body, attributes, system_attributes, seen.message_id, seen.sequence_number)
        elif deduplication_id is not None:
            raise invalid_value(deduplication_id, "MessageDeduplicationId", wrong_type)
        delay = queue.delay_seconds if delay_seconds is None else delay_seconds
        sequence = None
        if queue.fifo:
            queue.next_sequence += self.cloud.ids.randrange(1, 1 << 16)
            sequence = f"{queue.next_sequence:020d}"
        message = Message(
            key=0,  # set by Queue.add
            message_id=self.cloud.ids.uuid4(),
            body=body,
            md5_of_body=md5_of_body(body),
            message_attributes=attributes,
            md5_of_message_attributes=md5_of_attributes(attributes),
            system_attributes=system_attributes,
            md5_of_system_attributes=md5_of_attributes(system_attributes),
            sent_at=now,
            sender_id=ctx.account_id,  # what AWS reports for the account's root user; IAM ids are not modelled
            visible_at=now + delay,
            group_id=group_id,
            deduplication_id=deduplication_id if queue.fifo else None,
            sequence_number=sequence,
            dead_letter_source_arn=dead_letter_source_arn,
        )
        queue.add(message, now)
        if queue.fifo and deduplication_id is not None:
            queue.dedup.remember(
                queue.dedup_key(group_id, deduplication_id), FirstSend(message.message_id, sequence), now
            )
        return self._sent_result(body, attributes, system_attributes, message.message_id, sequence)

    def _sent_result(
        self,
        body: str,
        attributes: dict[str, dict[str, Any]],
        system_attributes: dict[str, dict[str, Any]],
        message_id: str,
        sequence: str | None,
    ) -> dict[str, Any]:
        return {
            "MD5OfMessageBody": md5_of_body(body),
            "MD5OfMessageAttributes": md5_of_attributes(attributes),
            "MD5OfMessageSystemAttributes": md5_of_attributes(system_attributes),
            "MessageId": message_id,
            "SequenceNumber": sequence,
        }

    # -- receiving ----------------------------------------------------------------

    @operation
    def receive_message(
        self,
        ctx: RequestContext,
        *,
        queue_url: str,
        attribute_names: list[str] | None = None,
        message_system_attribute_names: list[str] | None = None,
        message_attribute_names: list[str] | None = None,
        max_number_of_messages: int | None = None,
        visibility_timeout: int | None = None,
        wait_time_seconds: int | None = None,
        receive_request_attempt_id: str | None = None,
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        rules.check_range(
            max_number_of_messages, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided."
        )
        rules.check_range(wait_time_seconds, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided.")
        rules.check_range(
            visibility_timeout, "VisibilityTimeout", 0, MAX_VISIBILITY, "Must be >= 0 and <= 43200, if provided."
        )
        limit = max_number_of_messages or 1
        visibility = queue.visibility_timeout if visibility_timeout is None else visibility_timeout
        wait = queue.int_attribute("ReceiveMessageWaitTimeSeconds") if wait_time_seconds is None else wait_time_seconds
        names = rules.wanted_system_names(attribute_names, message_system_attribute_names)
        if queue.fifo:
            rules.check_token(receive_request_attempt_id, "ReceiveRequestAttemptId")
        if queue.fifo and receive_request_attempt_id:
            replay = self._replay(queue, receive_request_attempt_id, ctx.now, visibility)
            if replay is not None:
                return {"Messages": replay or None}
        clock = self.cloud.clock
        taken: list[Message] = []

        def arrived() -> bool:
            nonlocal taken
            if queue.name not in self.store(queue.account_id, queue.region).queues:
                return True  # deleted while we waited: answer empty
            taken = self.take(queue, clock.now(), limit, visibility, long_poll=wait > 0)
            return bool(taken)

        self.cloud.wait_for(arrived, wait, next_change=lambda: queue.next_visible_at(clock.now()))
        result = [self._received(m, names, message_attribute_names) for m in taken]
        if queue.fifo and receive_request_attempt_id:
            # Recorded even when empty, so a retry inside five minutes is empty too. Assumed: AWS
            # promises "the same set of messages" for a retry and does not single out an empty set.
            queue.attempts.remember(
                receive_request_attempt_id,
                ReceiveAttempt(taken, [m.receipt_handle or "" for m in taken], result),
                clock.now(),
            )
        return {"Messages": result or None}

    def _replay(self, queue: Queue, attempt_id: str, now: float, visibility: int) -> list[dict[str, Any]] | None:
        """The same answer for a retried FIFO receive, while none of its messages changed."""
        attempt = queue.attempts.get(attempt_id, now)
        if attempt is None:
            return None
        for message, handle in zip(attempt.messages, attempt.handles, strict=False):
            if queue.messages.get(message.key) is not message or message.receipt_handle != handle:
                return None
        for message in attempt.messages:
            queue.index.retime(message, now + visibility, now)  # a retry inside the interval resets the timeout
        return attempt.result

    def take(self, queue: Queue, now: float, limit: int, visibility: int, *, long_poll: bool = False) -> list[Message]:
        """Receive up to ``limit`` messages now, moving over-received ones to the dead-letter queue.

        At the in-flight limit a short poll of a standard queue raises OverLimit;
        a long poll, and any receive from a FIFO queue, gets no messages instead
        (AWS's quotas page documents both).
        """
        queue.settle(now)
        if not (queue.index.has_ready_group() if queue.fifo else queue.index.counts["visible"]):
            return []
        room = self.in_flight_limit - queue.index.counts["in-flight"]
        if room <= 0:
            if queue.fifo or long_poll:
                return []
            # Assumed wording: AWS documents the error, not its message.
            raise OverLimit(f"The queue has reached its limit of {self.in_flight_limit} in-flight messages.")
        limit = min(limit, room)
        if queue.fifo:
            return self._take_from_groups(queue, now, limit, visibility)
        redrive = self.redrive_target(queue)
        quirks = self.quirks_for(queue)
        shuffled: Iterator[Message] | None = None
        if quirks is not None and quirks.reorder:
            candidates = queue.index.visible()
            self.cloud.ids.shuffle(candidates)
            shuffled = iter(candidates)
        newest = queue.next_key  # copies left behind by this receive wait for the next one
        taken: list[Message] = []
        again: list[Message] = []  # received already (a visibility timeout of 0) and visible still
        while len(taken) < limit:
            message = next(shuffled, None) if shuffled is not None else queue.index.pop_visible(newest)
            if message is None:
                break
            if message in taken:
                again.append(message)
            elif redrive is not None and message.receive_count >= redrive[1]:
                self.move_to_dead_letter_queue(queue, message, redrive[0], now)
            else:
                self._deliver(queue, message, now, visibility)
                taken.append(message)
        for message in again:
            queue.index.refile(message, now)
        return taken

    def _take_from_groups(self, queue: Queue, now: float, limit: int, visibility: int) -> list[Message]:
        """A FIFO receive: as many messages of one group as it can, oldest group first, then the next.

        A group is locked while its head (oldest message) is in flight or delayed. Once the
        head is visible again the group is unlocked even if later messages of it are still in
        flight: a receive returns the head and stops at the first message of the group that is
        not visible, so order within the group holds. Assumed: AWS's FIFO guide says in-flight
        messages block their group without saying which ones; answers recorded from AWS return
        a group again as soon as its head is visible.
        """
        redrive = self.redrive_target(queue)
        taken: list[Message] = []
        moved: list[Message] = []
        walked: list[str] = []
        while len(taken) < limit:
            group_id = queue.index.pop_ready_group()
            if group_id is None:
                break
            if group_id in walked:
                continue  # walked already by this call (it is offered again below)
            walked.append(group_id)
            for message in queue.index.walk(group_id):
                if redrive is not None and message.receive_count >= redrive[1]:
                    moved.append(message)  # after the walk: a group cannot change while it is walked
                    continue
                self._deliver(queue, message, now, visibility)
                taken.append(message)
                if len(taken) >= limit:
                    break
            for message in moved:
                assert redrive is not None
                self.move_to_dead_letter_queue(queue, message, redrive[0], now)
            moved.clear()
        for group_id in walked:
            queue.index.offer(group_id)  # still unlocked after a receive with a visibility timeout of 0
        return taken

    def _deliver(self, queue: Queue, message: Message, now: float, visibility: int) -> None:
        message.receive_count += 1
        if message.first_received_at is None:
            message.first_received_at = now
        message.received_at = now
        message.receipt_handle = queue.new_receipt(message, self.cloud.ids.hex(32))
        queue.index.retime(message, now + visibility, now)
        quirks = self.quirks_for(queue)
        if quirks is not None and quirks.duplicate_rate and self.cloud.ids.random() < quirks.duplicate_rate:
            # At-least-once delivery: a second copy stays behind, visible, with its own receipts.
            twin = Message(**{**message.__dict__, "receipt_handle": None})
            twin.visible_at = now
            queue.add(twin, now)

    def redrive_target(self, queue: Queue) -> tuple[Queue, int] | None:
        """(dead-letter queue, maxReceiveCount) of a queue with a RedrivePolicy.

        ``None`` also when the dead-letter queue was deleted since: its messages are then
        delivered however often they were received (assumed; AWS does not say what happens).
        """
        policy = queue.attributes.get("RedrivePolicy")
        if not policy:
            return None
        arn, count = parse_redrive_policy(policy)
        target = self.queue_by_arn(arn)
        return (target, count) if target is not None else None

    def move_to_dead_letter_queue(self, source: Queue, message: Message, target: Queue, now: float) -> None:
        """Move a message whose receives exceeded maxReceiveCount.

        Assumed from AWS's docs: the message keeps its id, body and attributes;
        its receive count starts again; a standard queue keeps the original
        enqueue timestamp (retention counts from it) while a FIFO queue's
        timestamp resets when the message moves.
        """
        sent_at = now if target.fifo else message.sent_at
        self.transfer(source, message, target, now, dead_letter_source_arn=source.arn, sent_at=sent_at)

    def _received(self, message: Message, names: set[str], patterns: list[str] | None) -> dict[str, Any]:
        selected = rules.select_message_attributes(message.message_attributes, patterns)
        return {
            "MessageId": message.message_id,
            "ReceiptHandle": message.receipt_handle,
            "MD5OfBody": message.md5_of_body,
            "Body": message.body,
            "Attributes": rules.system_attributes(message, names) or None,
            "MD5OfMessageAttributes": md5_of_attributes(selected),
            "MessageAttributes": selected or None,
        }

    # -- deleting and visibility ---------------------------------------------------

    def _find(self, queue: Queue, handle: str) -> Message | None:
        """The message a receipt handle belongs to (``None`` if gone); garbage is refused."""
        parsed = parse_receipt(handle)
        if parsed is None or parsed[0] != queue.arn:
            raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
        message = queue.messages.get(parsed[2])
        return message if message is not None and message.message_id == parsed[1] else None

    def _delete(self, queue: Queue, handle: str, now: float) -> None:
        message = self._find(queue, handle)
        if message is None:
            return  # already deleted or expired: AWS answers success
        if queue.fifo and (message.receipt_handle != handle or not message.in_flight(now)):
            # AWS's words for a FIFO handle past its visibility timeout (it never deletes with it).
            raise invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.")
        if message.receipt_handle != handle:
            # Documented: an old handle "succeeds, but the message might not be deleted". We never
            # delete, so a consumer relying on a stale handle fails in tests rather than in production.
            return
        queue.index.remove(message)

    @operation
    def delete_message(self, ctx: RequestContext, *, queue_url: str, receipt_handle: str) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        self._delete(queue, receipt_handle, ctx.now)
        return {}

    @operation
    def delete_message_batch(
        self, ctx: RequestContext, *, queue_url: str, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        rules.check_batch_ids([e["Id"] for e in entries], "DeleteMessageBatchRequestEntry")
        successful, failed = [], []
        for entry in entries:
            try:
                self._delete(queue, entry["ReceiptHandle"], ctx.now)
            except AwsError as error:
                failed.append(_failure(entry["Id"], error))
            else:
                successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed or None}

    def _change_visibility(self, queue: Queue, handle: str, timeout: int, now: float) -> None:
        # The parameter is checked before the message, as for every other request.
        rules.check_range(timeout, "VisibilityTimeout", 0, MAX_VISIBILITY, "Must be >= 0 and <= 43200, if provided.")
        message = self._find(queue, handle)
        if message is None:
            raise invalid_value(
                handle, "ReceiptHandle", "Message does not exist or is not available for visibility timeout change."
            )
        # AWS accepts an expired or older receipt handle while its message is still in the queue,
        # and the change applies to the message (assumed: recorded answers show the acceptance,
        # not what became of the message; a visible message is hidden again for the timeout).
        received_at = message.received_at if message.received_at is not None else now
        if now - received_at + timeout > MAX_VISIBILITY:
            raise invalid_value(
                timeout,
                "VisibilityTimeout",
                "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
            )
        queue.index.retime(message, now + timeout, now)

    @operation
    def change_message_visibility(
        self, ctx: RequestContext, *, queue_url: str, receipt_handle: str, visibility_timeout: int
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        self._change_visibility(queue, receipt_handle, visibility_timeout, ctx.now)
        return {}

    @operation
    def change_message_visibility_batch(
        self, ctx: RequestContext, *, queue_url: str, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        rules.check_batch_ids([e["Id"] for e in entries], "ChangeMessageVisibilityBatchRequestEntry")
        successful, failed = [], []
        for entry in entries:
            try:
                # The entry's VisibilityTimeout is optional in the model and its default undocumented;
                # assumed to be the queue's, as for a ReceiveMessage without one.
                timeout = entry.get("VisibilityTimeout")
                self._change_visibility(
                    queue, entry["ReceiptHandle"], queue.visibility_timeout if timeout is None else timeout, ctx.now
                )
            except AwsError as error:
                failed.append(_failure(entry["Id"], error))
            else:
                successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed or None}

    @operation
    def purge_queue(self, ctx: RequestContext, *, queue_url: str) -> dict[str, Any]:
        queue = self.queue_for_url(ctx, queue_url)
        now = ctx.now
        if queue.last_purge_at is not None and now - queue.last_purge_at < PURGE_INTERVAL:
            raise PurgeQueueInProgress(f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.")
        queue.last_purge_at = now
        # AWS takes up to 60 seconds and may let a message slip through meanwhile; we purge at once.
        queue.index.clear()
        queue.dedup.clear()  # a message sent again after a purge is a new message
        queue.attempts.clear()
        return {}


def _check_fifo_ids(queue: Queue, group_id: str | None, deduplication_id: str | None) -> None:
    if not group_id:
        raise MissingParameter("The request must contain the parameter MessageGroupId.")
    if deduplication_id is None and not queue.content_based_dedup:
        raise InvalidParameterValue(
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly"
        )


def _with_trace_header(ctx: RequestContext, given: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """A message's system attributes: the request's ``X-Amzn-Trace-Id`` header (botocore sends it
    inside Lambda) becomes ``AWSTraceHeader``, unless the request sets that attribute itself,
    which AWS's X-Ray guide says wins."""
    attributes = dict(given or {})
    header = ctx.headers.get("x-amzn-trace-id")
    if header and "AWSTraceHeader" not in attributes:
        attributes["AWSTraceHeader"] = {"DataType": "String", "StringValue": header}
    return attributes


def _failure(entry_id: str, error: AwsError) -> dict[str, Any]:
    """A batch entry's failure: the error an entry sent alone would raise, as a result entry."""
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}
