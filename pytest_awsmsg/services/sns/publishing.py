"""Publish and PublishBatch: validation, FIFO deduplication and sequencing, then fan-out."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ...core.dedup import FirstSend
from ...core.deliveries import Publication
from ...core.errors import AwsError
from ...core.service import operation
from ..base import RequestContext
from .attributes import message_attributes_size, validate_message_attributes
from .common import SnsBase, endpoint_arn_parts
from .dataprotection import apply_inbound, parse_policy
from .errors import (
    BatchEntryIdsNotDistinctException,
    BatchRequestTooLongException,
    EmptyBatchRequestException,
    EndpointDisabledException,
    InvalidBatchEntryIdException,
    PlatformApplicationDisabledException,
    TooManyEntriesInBatchRequestException,
    invalid,
)
from .messages import Notification
from .models import Topic

DEFAULT_MAX_SIZE = 262_144
_ID_CHARS = re.compile(r"^[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PublishingMixin(SnsBase):
    @operation
    def publish(
        self,
        ctx: RequestContext,
        *,
        message: str,
        topic_arn: str | None = None,
        target_arn: str | None = None,
        phone_number: str | None = None,
        subject: str | None = None,
        message_structure: str | None = None,
        message_attributes: dict[str, dict[str, Any]] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> dict[str, Any]:
        given = [v for v in (topic_arn, target_arn, phone_number) if v]
        if not given:
            raise invalid("TopicArn or TargetArn", "no value for required parameter")
        if len(given) > 1:
            raise invalid("TopicArn", "Only one of TopicArn, TargetArn or PhoneNumber may be specified")
        entry = {
            "Message": message,
            "Subject": subject,
            "MessageStructure": message_structure,
            "MessageAttributes": message_attributes,
            "MessageDeduplicationId": message_deduplication_id,
            "MessageGroupId": message_group_id,
        }
        if phone_number:
            return self._publish_sms(ctx, phone_number, entry)
        arn = topic_arn or target_arn or ""
        if target_arn and ":endpoint/" in target_arn:
            return self._publish_endpoint(ctx, target_arn, entry)
        topic = self.topic_for(ctx, arn, "Publish", what="TopicArn" if topic_arn else "TargetArn")
        return self._publish_topic(ctx, topic, entry)

    @operation
    def publish_batch(
        self, ctx: RequestContext, *, topic_arn: str, publish_batch_request_entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        entries = publish_batch_request_entries
        if not entries:
            raise EmptyBatchRequestException("The batch request doesn't contain any entries.")
        if len(entries) > 10:
            raise TooManyEntriesInBatchRequestException("The batch request contains more entries than permissible.")
        topic = self.topic_for(ctx, topic_arn, "Publish")
        ids = [str(e.get("Id", "")) for e in entries]
        if len(set(ids)) != len(ids):
            raise BatchEntryIdsNotDistinctException("Two or more batch entries in the request have the same Id.")
        for entry_id in ids:
            if not _BATCH_ID.match(entry_id):
                raise InvalidBatchEntryIdException(
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                    "It can be at most 80 letters long."
                )
        for entry in entries:
            # An entry Publish would refuse fails the whole request, as on AWS: SNS validates
            # the batch before it publishes any of it. What goes wrong while publishing one
            # entry (a data protection policy denying it) is that entry's failure alone.
            self._prepare(ctx, entry, max_size=topic.max_message_size)
            self._check_ids(topic, entry)
        # The whole batch, bodies and attributes, must fit in the topic's MaximumMessageSize
        # (PublishBatch's documentation), the same limit as one message.
        total = sum(
            len(str(e.get("Message", "")).encode("utf-8")) + message_attributes_size(e.get("MessageAttributes"))
            for e in entries
        )
        if total > topic.max_message_size:
            raise BatchRequestTooLongException("The length of all the messages put together is more than the limit.")
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                result = self._publish_topic(ctx, topic, entry)
            except AwsError as error:
                serializer_code = _query_code(error)
                failed.append(
                    {
                        "Id": entry["Id"],
                        "Code": serializer_code,
                        "Message": error.message,
                        "SenderFault": error.sender_fault,
                    }
                )
                continue
            successful.append({"Id": entry["Id"], **result})
        return {"Successful": successful, "Failed": failed}

    # -- one message ------------------------------------------------------------------

    def _prepare(
        self, ctx: RequestContext, entry: dict[str, Any], *, max_size: int, protection: str = "", topic_arn: str = ""
    ) -> tuple[str, dict[str, Any] | None]:
        """Validate one message as Publish does; return its text and parsed MessageStructure.

        Shared by Publish, each PublishBatch entry and direct publishes, so a
        batch entry fails exactly as the same Publish would. The topic's data
        protection policy runs last, on what passed validation, and may mask
        the text (or refuse it) before anyone sees it.
        """
        message = entry.get("Message")
        if message is None or message == "":
            raise invalid("Empty message")
        subject = entry.get("Subject")
        if subject is not None and (not subject or len(subject) >= 100 or _CONTROL.search(subject)):
            raise invalid("Subject")
        structure: dict[str, Any] | None = None
        kind = entry.get("MessageStructure")
        if kind is not None:
            if kind != "json":
                raise invalid("MessageStructure")
            try:
                structure = json.loads(message)
            except ValueError:
                raise invalid("Message Structure - JSON message body failed to parse") from None
            if not isinstance(structure, dict) or not isinstance(structure.get("default"), str):
                raise invalid("Message Structure - No default entry in JSON message body")
        size = len(message.encode("utf-8")) + validate_message_attributes(entry.get("MessageAttributes"))
        if size > max_size:
            raise invalid("Message too long")
        if protection:
            statements = parse_policy(protection)
            message = apply_inbound(message, statements, topic_arn)
            if structure is not None:
                structure = {
                    k: apply_inbound(v, statements, topic_arn) if isinstance(v, str) else v
                    for k, v in structure.items()
                }
        return message, structure

    def _publish_topic(self, ctx: RequestContext, topic: Topic, entry: dict[str, Any]) -> dict[str, Any]:
        """One message to a topic: FIFO checks, deduplication and sequencing, the log, then fan-out."""
        message, structure = self._prepare(
            ctx, entry, max_size=topic.max_message_size, protection=topic.data_protection_policy, topic_arn=topic.arn
        )
        self._check_ids(topic, entry)
        group_id = entry.get("MessageGroupId")
        dedup_id = entry.get("MessageDeduplicationId")
        sequence: str | None = None
        if topic.fifo:
            assert group_id is not None  # _check_ids
            dedup_id = dedup_id or hashlib.sha256(message.encode("utf-8")).hexdigest()
            duplicate = self._duplicate(topic, group_id, dedup_id, ctx.now)
            if duplicate is not None:
                return self._accept_duplicate(ctx, topic, entry, message, duplicate, dedup_id)
            topic.next_sequence += 1
            sequence = f"{10_000_000_000_000_000_000 + topic.next_sequence:020d}"
        message_id = self.cloud.ids.uuid4()
        if topic.fifo and dedup_id:
            topic.dedup.remember(_dedup_key(topic, group_id, dedup_id), FirstSend(message_id, sequence), ctx.now)
        note = Notification(
            message_id,
            topic.arn,
            topic.region,
            message,
            ctx.now,
            subject=entry.get("Subject"),
            structure=structure,
            attributes=dict(entry.get("MessageAttributes") or {}),
            group_id=group_id,
            deduplication_id=dedup_id if topic.fifo else None,
            sequence_number=sequence,
            signature_version=topic.signature_version,
            account_id=topic.account_id,
        )
        publication = self.cloud.deliveries.record(
            _publication(ctx, topic, entry, message_id, message, note.deduplication_id)
        )
        self.fanout.publish(topic, note, publication)
        return _published(message_id, sequence)

    def _accept_duplicate(
        self, ctx: RequestContext, topic: Topic, entry: dict[str, Any], message: str, first: FirstSend, dedup_id: str
    ) -> dict[str, Any]:
        """A FIFO duplicate is accepted but reaches nobody (Publish's documentation); it is logged with a note.

        Assumption: the answer repeats the first message's id and sequence
        number (AWS does not document what it returns).
        """
        note = f"duplicate of message {first.message_id} (deduplication id {dedup_id}): accepted, not delivered"
        self.cloud.deliveries.record(_publication(ctx, topic, entry, first.message_id, message, dedup_id, note))
        return _published(first.message_id, first.sequence_number)

    def _check_ids(self, topic: Topic, entry: dict[str, Any]) -> None:
        """MessageGroupId and MessageDeduplicationId as the topic's kind requires them."""
        group_id = entry.get("MessageGroupId")
        dedup_id = entry.get("MessageDeduplicationId")
        if group_id is not None and not _ID_CHARS.match(group_id):
            raise invalid(
                "MessageGroupId",
                "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
            )
        if dedup_id is not None and not _ID_CHARS.match(dedup_id):
            raise invalid(
                "MessageDeduplicationId",
                "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
            )
        if topic.fifo:
            if not group_id:
                raise invalid("The MessageGroupId parameter is required for FIFO topics")
            if not dedup_id and not topic.content_based_dedup:
                raise invalid(
                    "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                    "provided explicitly"
                )
        elif dedup_id is not None:
            raise invalid(
                "MessageDeduplicationId",
                "The request includes MessageDeduplicationId parameter that is not valid for this topic type",
            )

    def _duplicate(self, topic: Topic, group_id: str, dedup_id: str, now: float) -> FirstSend | None:
        """The first send of this deduplication id inside the window, if any."""
        return topic.dedup.get(_dedup_key(topic, group_id, dedup_id), now)

    def _publish_direct(
        self, ctx: RequestContext, protocol: str, target: str, name: str, entry: dict[str, Any]
    ) -> dict[str, Any]:
        """A publish with no topic (a platform endpoint or a phone number): one delivery, no filters."""
        message, structure = self._prepare(ctx, entry, max_size=DEFAULT_MAX_SIZE)
        message_id = self.cloud.ids.uuid4()
        note = Notification(
            message_id,
            target,
            ctx.region,
            message,
            ctx.now,
            subject=entry.get("Subject"),
            structure=structure,
            attributes=dict(entry.get("MessageAttributes") or {}),
            account_id=ctx.account_id,
        )
        publication = self.cloud.deliveries.record(
            Publication(ctx.now, "sns", target, name, message_id, message, note.subject, note.attributes)
        )
        self.fanout.publish_direct(protocol, target, note, publication)
        return {"MessageId": message_id}

    def _publish_endpoint(self, ctx: RequestContext, arn: str, entry: dict[str, Any]) -> dict[str, Any]:
        endpoint_arn_parts(arn, "TargetArn")
        endpoint = self.find_endpoint(arn)
        if endpoint is None:
            raise invalid("TargetArn", "No endpoint found for the target arn specified")
        application = self.find_application(endpoint.application_arn)
        if application is not None and not application.enabled:
            raise PlatformApplicationDisabledException("Platform application is disabled.")
        if not endpoint.enabled:
            raise EndpointDisabledException("Endpoint is disabled")
        return self._publish_direct(ctx, "application", arn, arn.split("/")[-2] + "/" + arn.split("/")[-1], entry)

    def _publish_sms(self, ctx: RequestContext, phone: str, entry: dict[str, Any]) -> dict[str, Any]:
        normalised = "+" + phone.lstrip("+").replace("-", "").replace(" ", "")
        if not _PHONE.match(normalised):
            raise invalid("PhoneNumber", f"{phone} is not valid to publish to")
        return self._publish_direct(ctx, "sms", normalised, normalised, entry)


def _dedup_key(topic: Topic, group_id: str | None, dedup_id: str) -> tuple[str, str]:
    """Where a deduplication id must be unique: the whole topic, or its message group.

    The topic's FifoThroughputScope decides (Topic by default), as Publish's
    documentation of MessageDeduplicationId says.
    """
    if topic.attributes.get("FifoThroughputScope") == "MessageGroup":
        return (group_id or "", dedup_id)
    return ("", dedup_id)


def _query_code(error: AwsError) -> str:
    """The code a batch entry reports: the model's query code for the error shape."""
    from ...core.protocols import serializer_for
    from ...core.registry import service_model

    return serializer_for(service_model("sns"), "query").query_error_code(error)


def _publication(
    ctx: RequestContext,
    topic: Topic,
    entry: dict[str, Any],
    message_id: str,
    message: str,
    dedup_id: str | None,
    note: str = "",
) -> Publication:
    """The delivery log's record of one message published to a topic."""
    attributes = dict(entry.get("MessageAttributes") or {})
    group_id = entry.get("MessageGroupId")
    return Publication(
        ctx.now,
        "sns",
        topic.arn,
        topic.name,
        message_id,
        message,
        entry.get("Subject"),
        attributes,
        group_id,
        dedup_id,
        note=note,
    )


def _published(message_id: str, sequence: str | None) -> dict[str, Any]:
    """Publish's answer: the message id, and the sequence number on a FIFO topic."""
    answer: dict[str, Any] = {"MessageId": message_id}
    if sequence:
        answer["SequenceNumber"] = sequence
    return answer
