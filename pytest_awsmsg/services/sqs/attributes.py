"""Queue attributes: defaults, AWS's validation ranges and error wording.

Ranges and defaults come from the CreateQueue documentation in botocore's
model. AWS raised MaximumMessageSize (and its default) from 256 KiB to 1 MiB
in 2025; we follow the current documentation.
"""

from __future__ import annotations

import json
from typing import Any

from ...core.errors import AwsError, InvalidParameterValue
from .errors import InvalidAttributeName, InvalidAttributeValue

INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
STANDARD_DEFAULTS = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
SETTABLE = {
    *INTEGER_RANGES,
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
}
FIFO_ONLY = {"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
READ_ONLY = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
}
# The order AWS lists attributes in for "All" (observed order; clients must not depend on it).
ALL_ORDER = [
    "Policy",
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "ContentBasedDeduplication",
]
KNOWN = set(ALL_ORDER)


def invalid(name: str, reason: str = "") -> AwsError:
    return InvalidAttributeValue(f"Invalid value for the parameter {name}." + (f" Reason: {reason}" if reason else ""))


def unknown(name: str) -> AwsError:
    return InvalidAttributeName(f"Unknown Attribute {name}.")


def normalise(attributes: dict[str, str], *, fifo: bool, creating: bool) -> dict[str, str]:
    """Validate settable attributes and return them in their stored form.

    Cross-queue checks (a redrive policy's target) are the caller's: they need
    the other queues.
    """
    out: dict[str, str] = {}
    for name, raw in attributes.items():
        value = str(raw)
        if name in FIFO_ONLY:
            # FIFO attributes on a standard queue are unknown there, FifoQueue=false
            # included, whatever the docs list as valid (AWS answers so; reported
            # by SDK users since 2017).
            if not fifo:
                raise unknown(name)
            if name == "FifoQueue" and not creating:
                raise InvalidAttributeValue(
                    "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."
                )
        elif name not in SETTABLE:
            raise unknown(name)
        if name in INTEGER_RANGES:
            low, high = INTEGER_RANGES[name]
            try:
                number = int(value)
            except ValueError:
                raise invalid(name) from None
            if not low <= number <= high:
                raise invalid(name)
            out[name] = str(number)
        elif name in ("SqsManagedSseEnabled", "ContentBasedDeduplication", "FifoQueue"):
            if value.lower() not in ("true", "false"):
                raise invalid(name)
            out[name] = value.lower()
        elif name == "DeduplicationScope":
            if value not in ("messageGroup", "queue"):
                raise invalid(name)
            out[name] = value
        elif name == "FifoThroughputLimit":
            if value not in ("perQueue", "perMessageGroupId"):
                raise invalid(name)
            out[name] = value
        elif name == "Policy":
            if value:
                parsed = _json_object(name, value)
                if not isinstance(parsed.get("Statement", []), (list, dict)):
                    raise invalid(name)
            out[name] = value
        elif name == "RedrivePolicy":
            # Stored in canonical form (as AWS reports it), so CreateQueue's idempotency
            # check does not depend on how the caller spelled the JSON.
            out[name] = redrive_policy_text(*parse_redrive_policy(value)) if value else value
        elif name == "RedriveAllowPolicy":
            if value:
                check_redrive_allow_policy(value)
            out[name] = value
        else:
            out[name] = value
    return out


def same_value(name: str, stored: str, given: str) -> bool:
    """Whether a CreateQueue attribute matches the value the existing queue has.

    Both values are normalised. Policy documents compare by content: assumed,
    since AWS documents idempotency as "the exact same names and values" and
    SDKs and tools re-serialise JSON with their own spacing and key order.
    """
    if stored == given:
        return True
    if name in ("Policy", "RedriveAllowPolicy") and stored and given:
        try:
            return bool(json.loads(stored) == json.loads(given))
        except ValueError:
            return False
    return False


def redrive_policy_text(target_arn: str, max_receive_count: int) -> str:
    """A RedrivePolicy in the canonical form AWS reports."""
    return f'{{"deadLetterTargetArn":"{target_arn}","maxReceiveCount":{max_receive_count}}}'


def check_throughput(attributes: dict[str, str]) -> None:
    """High throughput FIFO needs per-group deduplication (assumed from AWS's setup guide)."""
    if (
        attributes.get("FifoThroughputLimit") == "perMessageGroupId"
        and attributes.get("DeduplicationScope") != "messageGroup"
    ):
        raise InvalidParameterValue(
            "Invalid value for the parameter FifoThroughputLimit. Reason: "
            "perMessageGroupId is only valid when DeduplicationScope is messageGroup."
        )


def _json_object(name: str, value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid(name) from None
    if not isinstance(parsed, dict):
        raise invalid(name)
    return parsed


def parse_redrive_policy(value: str) -> tuple[str, int]:
    """(deadLetterTargetArn, maxReceiveCount) from a RedrivePolicy document."""
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid("RedrivePolicy", "Redrive policy is not a valid JSON map.") from None
    if not isinstance(parsed, dict):
        raise invalid("RedrivePolicy", "Redrive policy is not a valid JSON map.")
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in parsed:
            raise invalid("RedrivePolicy", f"Redrive policy does not contain mandatory attribute: {key}.")
    try:
        count = int(parsed["maxReceiveCount"])
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise InvalidParameterValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: "
            f"{parsed['maxReceiveCount']}, valid values are from 1 to 1000 both inclusive."
        )
    return str(parsed["deadLetterTargetArn"]), count


def check_redrive_allow_policy(value: str) -> dict[str, Any]:
    parsed = _json_object("RedriveAllowPolicy", value)
    permission = parsed.get("redrivePermission")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid(
            "RedriveAllowPolicy", "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format."
        )
    sources = parsed.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not sources or len(sources) > 10:
            raise invalid("RedriveAllowPolicy", "sourceQueueArns must list between 1 and 10 queue ARNs for byQueue.")
    elif sources is not None:
        raise invalid("RedriveAllowPolicy", "sourceQueueArns can be set only when redrivePermission is byQueue.")
    return parsed


def redrive_allows(dlq_policy: str | None, source_arn: str) -> bool:
    """Whether a queue's RedriveAllowPolicy lets ``source_arn`` use it as its dead-letter queue."""
    if not dlq_policy:
        return True
    parsed = json.loads(dlq_policy)
    permission = parsed.get("redrivePermission")
    if permission == "denyAll":
        return False
    if permission == "byQueue":
        return source_arn in parsed.get("sourceQueueArns", [])
    return True
