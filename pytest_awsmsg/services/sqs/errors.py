"""SQS errors, named after the error shapes of the botocore model.

``code`` is the JSON protocol's code (the shape name); ``query_code`` is the
code of the old ``query`` protocol, which AWS still reports in the
``x-amzn-query-error`` header and which older botocore matches on.
"""

from __future__ import annotations

from ...core.errors import AwsError, InvalidParameterValue, MissingParameter

__all__ = [
    "BatchEntryIdsNotDistinct",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "InvalidAddress",
    "InvalidAttributeName",
    "InvalidAttributeValue",
    "InvalidBatchEntryId",
    "InvalidIdFormat",
    "InvalidMessageContents",
    "InvalidParameterValue",
    "InvalidSecurity",
    "MessageNotInflight",
    "MissingParameter",
    "OverLimit",
    "PurgeQueueInProgress",
    "QueueDeletedRecently",
    "QueueDoesNotExist",
    "QueueNameExists",
    "ReceiptHandleIsInvalid",
    "RequestThrottled",
    "ResourceNotFoundException",
    "TooManyEntriesInBatchRequest",
    "UnsupportedOperation",
]

_PREFIX = "AWS.SimpleQueueService."


class QueueDoesNotExist(AwsError):
    status = 400
    query_code = _PREFIX + "NonExistentQueue"
    default_message = "The specified queue does not exist."


class QueueNameExists(AwsError):
    status = 400
    query_code = "QueueAlreadyExists"


class QueueDeletedRecently(AwsError):
    status = 400
    query_code = _PREFIX + "QueueDeletedRecently"
    default_message = (
        "You must wait 60 seconds after deleting a queue before you can create another with the same name."
    )


class PurgeQueueInProgress(AwsError):
    status = 403
    query_code = _PREFIX + "PurgeQueueInProgress"


class BatchEntryIdsNotDistinct(AwsError):
    status = 400
    query_code = _PREFIX + "BatchEntryIdsNotDistinct"


class BatchRequestTooLong(AwsError):
    status = 400
    query_code = _PREFIX + "BatchRequestTooLong"


class EmptyBatchRequest(AwsError):
    status = 400
    query_code = _PREFIX + "EmptyBatchRequest"


class InvalidBatchEntryId(AwsError):
    status = 400
    query_code = _PREFIX + "InvalidBatchEntryId"
    default_message = (
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long."
    )


class TooManyEntriesInBatchRequest(AwsError):
    status = 400
    query_code = _PREFIX + "TooManyEntriesInBatchRequest"


class MessageNotInflight(AwsError):
    status = 400
    query_code = _PREFIX + "MessageNotInflight"


class UnsupportedOperation(AwsError):
    status = 400
    query_code = _PREFIX + "UnsupportedOperation"


class OverLimit(AwsError):
    status = 403


class ResourceNotFoundException(AwsError):
    status = 404


class ReceiptHandleIsInvalid(AwsError):
    status = 400


class InvalidAttributeName(AwsError):
    status = 400


class InvalidAttributeValue(AwsError):
    status = 400


class InvalidMessageContents(AwsError):
    status = 400


class InvalidIdFormat(AwsError):
    status = 400


class InvalidAddress(AwsError):
    status = 404


class InvalidSecurity(AwsError):
    status = 403


class RequestThrottled(AwsError):
    status = 403


def invalid_value(value: object, parameter: str, reason: str) -> InvalidParameterValue:
    """AWS's usual wording for a rejected parameter value."""
    return InvalidParameterValue(f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")
