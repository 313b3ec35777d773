"""Validation of topic and subscription attributes, delivery policies and message attributes.

Everything is checked where it is configured (CreateTopic, SetTopicAttributes,
Subscribe, SetSubscriptionAttributes, Publish), with AWS's error codes; where
AWS's exact wording is not documented the message keeps AWS's
``Invalid parameter: <Name>`` form and says what is wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import InvalidParameterException, InvalidParameterValueException, invalid

_FEEDBACK = [
    f"{proto}{kind}"
    for proto in ("HTTP", "Firehose", "Lambda", "Application", "SQS")
    for kind in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
]
TOPIC_ATTRIBUTES = {
    "DeliveryPolicy",
    "DisplayName",
    "Policy",
    "TracingConfig",
    "KmsMasterKeyId",
    "SignatureVersion",
    "ContentBasedDeduplication",
    "FifoTopic",
    "ArchivePolicy",
    "FifoThroughputScope",
    "MaximumMessageSize",
    *_FEEDBACK,
}
FIFO_ONLY = {"ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"}
SUBSCRIPTION_ATTRIBUTES = {
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
}
RAW_PROTOCOLS = {"sqs", "http", "https", "firehose"}
BACKOFF_FUNCTIONS = {"linear", "arithmetic", "geometric", "exponential"}
MAX_RETRY_SECONDS = 3600
CONTENT_TYPES = {
    "application/json",
    "application/xml",
    "text/plain",
    "text/html",
    "text/xml",
    "text/csv",
    "application/x-www-form-urlencoded",
}
_BOOL = {"true", "false"}
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_\-.]{1,256}$")
_RESERVED_PREFIXES = ("aws.", "amazon.")
_ALLOWED_RESERVED = ("AWS.SNS.", "AWS.MM.")  # SMS, mobile push and data protection settings


def _bool(name: str, value: str) -> str:
    if value.lower() not in _BOOL:
        raise invalid(f"{name}: Invalid value [{value}]. Must be true or false.")
    return value.lower()


def _json(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise invalid(f"{name}: failed to parse JSON.") from None


def validate_topic_attribute(name: str, value: str, *, fifo: bool, creating: bool = False) -> str:
    """The value to store for a topic attribute, or raise as AWS does."""
    if name not in TOPIC_ATTRIBUTES or (name == "FifoTopic" and not creating):
        raise invalid("AttributeName")
    if name in FIFO_ONLY and not fifo:
        raise invalid(name, f"{name} is only valid for FIFO topics")
    if name in ("FifoTopic", "ContentBasedDeduplication"):
        return _bool(name, value)
    if name == "DisplayName" and len(value) > 100:
        raise invalid("DisplayName", "must be at most 100 characters long")
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise invalid("SignatureVersion", "must be 1 or 2")
    if name == "TracingConfig":
        if value not in ("PassThrough", "Active"):
            raise invalid("TracingConfig", "must be PassThrough or Active")
        if value == "Active" and fifo:
            raise invalid("TracingConfig", "Active tracing is only supported on standard topics")
    if name == "FifoThroughputScope" and value not in ("Topic", "MessageGroup"):
        raise invalid("FifoThroughputScope", "must be Topic or MessageGroup")
    if name == "MaximumMessageSize" and (not value.isdigit() or not 1024 <= int(value) <= 1_048_576):
        raise invalid("MaximumMessageSize", "must be an integer from 1024 to 1048576")
    if name.endswith("SampleRate") and (not value.isdigit() or int(value) > 100):
        raise invalid(name, "must be an integer from 0 to 100")
    if name == "Policy":
        validate_access_policy(value)
    if name == "DeliveryPolicy" and value:
        validate_delivery_policy(value, topic=True)
    if name == "ArchivePolicy" and value:
        policy = _json("ArchivePolicy", value)
        period = policy.get("MessageRetentionPeriod") if isinstance(policy, dict) else None
        if not str(period).isdigit() or not 1 <= int(str(period)) <= 365:
            raise invalid("ArchivePolicy", "MessageRetentionPeriod must be from 1 to 365 days")
    return value


def validate_access_policy(value: str) -> None:
    policy = _json("Policy", value)
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), (list, dict)):
        raise invalid("Policy Error: the policy must be a JSON object with a Statement")


def validate_delivery_policy(value: str, *, topic: bool) -> dict[str, Any]:
    """Check an HTTP/S delivery policy (topic form ``{"http": {...}}`` or subscription form)."""
    policy = _json("DeliveryPolicy", value)
    if not isinstance(policy, dict):
        raise invalid("DeliveryPolicy: must be a JSON object")
    if topic:
        unknown = set(policy) - {"http", "https"}
        if unknown:
            raise invalid(f"DeliveryPolicy: Unsupported protocol {sorted(unknown)[0]}")
        for section in policy.values():
            retry = section.get("defaultHealthyRetryPolicy") if isinstance(section, dict) else None
            if retry is not None:
                validate_retry_policy(retry)
            _check_request_policy(section.get("defaultRequestPolicy") if isinstance(section, dict) else None)
    else:
        retry = policy.get("healthyRetryPolicy")
        if retry is not None:
            validate_retry_policy(retry)
        _check_request_policy(policy.get("requestPolicy"))
    return policy


def _check_request_policy(request: Any) -> None:
    if request is None:
        return
    content_type = str(request.get("headerContentType", "text/plain")).split(";")[0].strip()
    if content_type not in CONTENT_TYPES:
        raise invalid(f"DeliveryPolicy: headerContentType {content_type} is not supported")


def validate_retry_policy(retry: Any) -> None:
    if not isinstance(retry, dict):
        raise invalid("DeliveryPolicy: healthyRetryPolicy must be an object")
    numbers: dict[str, int] = {}
    for key, default, low, high in (
        ("minDelayTarget", 20, 1, MAX_RETRY_SECONDS),
        ("maxDelayTarget", 20, 1, MAX_RETRY_SECONDS),
        ("numRetries", 3, 0, 100),
        ("numNoDelayRetries", 0, 0, 100),
        ("numMinDelayRetries", 0, 0, 100),
        ("numMaxDelayRetries", 0, 0, 100),
    ):
        raw = retry.get(key, default)
        if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
            raise invalid(f"DeliveryPolicy: {key} must be an integer from {low} to {high}")
        numbers[key] = raw
    if numbers["minDelayTarget"] > numbers["maxDelayTarget"]:
        raise invalid("DeliveryPolicy: minDelayTarget must be less than or equal to maxDelayTarget")
    phases = numbers["numNoDelayRetries"] + numbers["numMinDelayRetries"] + numbers["numMaxDelayRetries"]
    if phases > numbers["numRetries"]:
        raise invalid("DeliveryPolicy: numRetries must be at least the sum of the retries of every phase")
    if retry.get("backoffFunction", "linear") not in BACKOFF_FUNCTIONS:
        raise invalid(f"DeliveryPolicy: backoffFunction must be one of {', '.join(sorted(BACKOFF_FUNCTIONS))}")
    from .delivery import retry_delays  # the same schedule delivery follows

    if sum(retry_delays(retry)) > MAX_RETRY_SECONDS:
        raise invalid(f"DeliveryPolicy: the total retry time cannot be greater than {MAX_RETRY_SECONDS} seconds")


def validate_subscription_attribute(
    name: str, value: str, *, protocol: str, fifo: bool, subscribing: bool = False
) -> str:
    """The value to store for a subscription attribute, or AWS's error.

    ``fifo``: a FIFO topic's subscription of a FIFO queue, whose dead-letter queue
    must be FIFO too. AWS words the same fault two ways: SetSubscriptionAttributes says
    ``Invalid parameter: <fault>``, Subscribe ``Invalid parameter: Attributes
    Reason: <fault>``.
    """

    def bad(fault: str) -> InvalidParameterException:
        return invalid("Attributes", fault) if subscribing else invalid(fault)

    if name not in SUBSCRIPTION_ATTRIBUTES:
        raise bad("AttributeName")
    if name == "RawMessageDelivery":
        if value.lower() not in _BOOL:
            raise bad(f"RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        value = value.lower()
        if value == "true" and protocol not in RAW_PROTOCOLS:
            raise invalid(f"Delivery protocol [{protocol}] does not support raw message delivery.")
    elif name == "DeliveryPolicy" and value:
        if protocol not in ("http", "https"):
            raise invalid("DeliveryPolicy", f"Delivery protocol [{protocol}] does not support delivery policies")
        validate_delivery_policy(value, topic=False)
    elif name == "FilterPolicyScope" and value not in ("MessageAttributes", "MessageBody"):
        raise bad(f"FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes")
    elif name == "RedrivePolicy" and value:
        try:
            policy = json.loads(value)
        except ValueError:
            raise bad("RedrivePolicy: failed to parse JSON.") from None
        target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
        if not isinstance(target, str) or not target.startswith("arn:") or len(target.split(":")) != 6:
            raise bad("RedrivePolicy: deadLetterTargetArn is an invalid arn")
        if target.split(":")[2] != "sqs":
            raise bad("RedrivePolicy: deadLetterTargetArn must be an Amazon SQS queue ARN")
        if fifo and not target.endswith(".fifo"):
            raise bad("RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.")
        if not fifo and target.endswith(".fifo"):
            raise bad("RedrivePolicy: must use a standard queue as DLQ for a subscription to a standard topic.")
    elif name == "SubscriptionRoleArn" and protocol != "firehose":
        raise invalid("SubscriptionRoleArn", "only Amazon Data Firehose subscriptions use a role")
    elif name == "ReplayPolicy" and value:
        # Fail loudly: message archiving and replay are not faked.
        raise InvalidParameterException(
            "Invalid parameter: ReplayPolicy: pytest-awsmsg does not fake message replay (ReplayPolicy)."
        )
    return value


# -- message attributes (Publish) ------------------------------------------------------


def message_attributes_size(attributes: dict[str, dict[str, Any]] | None) -> int:
    """Bytes that MessageAttributes add to a message's size: each name, data type and value.

    Assumption: counted as SQS documents it (name, data type and value bytes);
    SNS's documentation only says that attributes count toward the limit.
    """
    size = 0
    for name, attribute in (attributes or {}).items():
        data_type = str(attribute.get("DataType", ""))
        value: Any = attribute.get("BinaryValue") if data_type.startswith("Binary") else attribute.get("StringValue")
        size += len(name.encode("utf-8")) + len(data_type.encode("utf-8"))
        size += len(value) if isinstance(value, bytes) else len(str(value or "").encode("utf-8"))
    return size


def validate_message_attributes(attributes: dict[str, dict[str, Any]] | None) -> int:
    """Check Publish's MessageAttributes; return their size in bytes (counted toward the limit)."""
    if not attributes:
        return 0
    # No count limit here: ten is SQS's limit, which SNS applies only when it delivers raw
    # to a queue (developer guide, "Amazon SNS message attributes"); see delivery.py.
    for name, attribute in attributes.items():
        _check_attribute_name(name)
        data_type = str(attribute.get("DataType", ""))
        base = data_type.split(".")[0]
        if base not in ("String", "Number", "Binary"):
            raise InvalidParameterValueException(
                f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
                "type prefixes is Binary, Number, and String."
            )
        if base == "Binary":
            value: Any = attribute.get("BinaryValue")
            if not value:
                raise InvalidParameterValueException(
                    f"The message attribute '{name}' must contain non-empty message attribute value "
                    f"for message attribute type '{data_type}'."
                )
        else:
            text = attribute.get("StringValue")
            if text is None or text == "":
                raise InvalidParameterValueException(
                    f"The message attribute '{name}' must contain non-empty message attribute value "
                    f"for message attribute type '{data_type}'."
                )
            if base == "Number":
                _check_number(name, text)
            if data_type.startswith("String.Array"):
                _check_array(name, text)
    return message_attributes_size(attributes)


def _check_attribute_name(name: str) -> None:
    bad = (
        not _ATTRIBUTE_NAME.match(name)
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
        or (name.lower().startswith(_RESERVED_PREFIXES) and not name.startswith(_ALLOWED_RESERVED))
    )
    if bad:
        raise InvalidParameterValueException(
            f"The message attribute name '{name}' is invalid: names may contain letters, digits, '_', '-' and "
            "'.', must not start or end with '.' or contain '..', and must not start with 'AWS.' or 'Amazon.'."
        )


def _check_number(name: str, text: str) -> None:
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number != number or abs(number) == float("inf"):
        raise InvalidParameterValueException(
            f"The message attribute '{name}' with type 'Number' must use a valid number value: {text}"
        )


def _check_array(name: str, text: str) -> None:
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, list):
        raise InvalidParameterValueException(
            f"The message attribute '{name}' with type 'String.Array' must be a JSON array: {text}"
        )
