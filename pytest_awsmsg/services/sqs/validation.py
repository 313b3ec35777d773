"""Validating what is sent and shaping what is received, as AWS does.

Kept apart from the service class so each stays readable: these functions
know the message rules (allowed characters, attribute types, attribute name
selection), not the queues.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ...core.errors import InvalidParameterValue, MissingParameter
from .errors import (
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    InvalidMessageContents,
    TooManyEntriesInBatchRequest,
    invalid_value,
)
from .models import Message

MAX_ATTRIBUTES = 10
ALL_SYSTEM_NAMES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)
_INVALID_CHARS = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId: "alphanumeric characters and
# punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)", at most 128 (the SendMessage docs).
_TOKEN = re.compile(r"^[A-Za-z0-9!-/:-@\[-`{-~]{1,128}$")


def check_body(body: str) -> None:
    if body == "":
        raise MissingParameter("The request must contain the parameter MessageBody.")
    if _INVALID_CHARS.search(body):
        raise InvalidMessageContents(
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
            "#xE000 to #xFFFD | #x10000 to #x10FFFF"
        )


def check_message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> None:
    """AWS's rules for user message attributes (names, types, values, count)."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    for name, value in attributes.items():
        lowered = name.lower()
        if (
            not _ATTRIBUTE_NAME.match(name)
            or lowered.startswith(("aws.", "amazon."))
            or name.startswith(".")
            or name.endswith(".")
            or ".." in name
        ):
            raise InvalidParameterValue(
                f"Message (user) attribute name '{name}' is invalid. Names can contain alphanumeric characters, "
                "hyphens, underscores and periods, must not start or end with a period, must not contain "
                "consecutive periods and must not start with AWS. or Amazon."
            )
        check_attribute_value(name, value, "user")


def check_attribute_value(name: str, value: Mapping[str, Any], kind: str) -> None:
    data_type = str(value.get("DataType") or "")
    base = data_type.split(".", 1)[0]
    if base not in ("String", "Number", "Binary"):
        raise InvalidParameterValue(
            f"The type of message ({kind}) attribute '{name}' is invalid. You must use only the following "
            "supported type prefixes: Binary, Number, String."
        )
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise InvalidParameterValue(f"Message ({kind}) attribute '{name}': list values are not supported.")
    string, binary = value.get("StringValue"), value.get("BinaryValue")
    if base == "Binary":
        if not binary:
            raise InvalidParameterValue(
                f"The message ({kind}) attribute '{name}' must contain a non-empty message attribute value "
                f"for message attribute type '{data_type}'."
            )
        return
    if string is None or string == "":
        raise InvalidParameterValue(
            f"The message ({kind}) attribute '{name}' must contain a non-empty message attribute value "
            f"for message attribute type '{data_type}'."
        )
    if _INVALID_CHARS.search(str(string)):
        raise InvalidParameterValue(f"Message ({kind}) attribute '{name}' contains invalid characters.")
    if base == "Number":
        try:
            Decimal(str(string))
        except InvalidOperation:
            raise InvalidParameterValue(
                f"Can't cast the value of message ({kind}) attribute '{name}' to a number."
            ) from None


def check_system_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> None:
    for name, value in attributes.items():
        if name != "AWSTraceHeader":
            raise InvalidParameterValue(
                f"Message system attribute name '{name}' is invalid. The only supported name is AWSTraceHeader."
            )
        if value.get("DataType") != "String":
            raise InvalidParameterValue(f"The message system attribute '{name}' must be of type 'String'.")
        check_attribute_value(name, value, "system")


def check_token(value: str | None, name: str) -> None:
    """The rule for a group, deduplication or receive attempt id (wording assumed: AWS documents the rule)."""
    if value is not None and not _TOKEN.match(value):
        raise invalid_value(
            value, name, f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )


def check_batch_ids(ids: list[str], entry_name: str) -> None:
    """The checks AWS makes on a batch as a whole before looking at entries."""
    if not ids:
        raise EmptyBatchRequest(f"There should be at least one {entry_name} in the request.")
    if len(ids) > 10:
        raise TooManyEntriesInBatchRequest(f"Maximum number of entries per request are 10. You have sent {len(ids)}.")
    seen: set[str] = set()
    for entry_id in ids:
        if not _BATCH_ID.match(entry_id):
            raise InvalidBatchEntryId()
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def check_range(value: int | None, name: str, low: int, high: int, reason: str) -> None:
    if value is not None and not low <= value <= high:
        raise invalid_value(value, name, reason)


def wanted_system_names(*lists: list[str] | None) -> set[str]:
    """The system attributes a receive asked for: botocore sends AttributeNames, newer botocore
    MessageSystemAttributeNames too, and either may say ``All``."""
    names: set[str] = set()
    for names_list in lists:
        for name in names_list or ():
            if name == "All":
                names.update(ALL_SYSTEM_NAMES)
            else:
                names.add(name)
    return names


def select_message_attributes(
    attributes: dict[str, dict[str, Any]], patterns: list[str] | None
) -> dict[str, dict[str, Any]]:
    """The attributes a receive asked for: ``All``, ``.*``, ``prefix.*`` or exact names."""
    if not patterns or not attributes:
        return {}
    if "All" in patterns or ".*" in patterns:
        return attributes
    exact = {p for p in patterns if not p.endswith(".*")}
    prefixes = tuple(p[:-1] for p in patterns if p.endswith(".*"))  # keep the dot: "order.*" -> "order."
    return {k: v for k, v in attributes.items() if k in exact or (prefixes and k.startswith(prefixes))}


def system_attributes(message: Message, names: set[str]) -> dict[str, str]:
    """The ``Attributes`` of a received message, as strings as AWS sends them."""
    if not names:
        return {}
    values: dict[str, str | None] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(int(message.sent_at * 1000)),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": (
            str(int(message.first_received_at * 1000)) if message.first_received_at is not None else None
        ),
        "SequenceNumber": message.sequence_number,
        "MessageDeduplicationId": message.deduplication_id,
        "MessageGroupId": message.group_id,
        "AWSTraceHeader": (message.system_attributes.get("AWSTraceHeader") or {}).get("StringValue"),
        "DeadLetterQueueSourceArn": message.dead_letter_source_arn,
    }
    return {k: v for k, v in values.items() if k in names and v is not None}
