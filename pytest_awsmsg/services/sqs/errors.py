"""SQS errors: one class per error shape of the botocore model, made from it.

``from .errors import QueueDoesNotExist`` gives the class for that shape (see
:mod:`pytest_awsmsg.core.model_errors`). ``code`` is the JSON protocol's code
(the shape name); ``query_code`` is the code of the old ``query`` protocol,
which AWS still reports in the ``x-amzn-query-error`` header and which older
botocore matches on. The JSON-era model no longer carries those codes nor the
statuses, so they are written down here (from botocore 1.34's query model).
"""

from __future__ import annotations

from typing import Any

from ...core.errors import AwsError, InvalidParameterValue
from ...core.model_errors import ModelErrors

_PREFIX = "AWS.SimpleQueueService."
# Shapes whose query code is the prefix and their own name.
_PREFIXED = (
    "BatchEntryIdsNotDistinct",
    "BatchRequestTooLong",
    "EmptyBatchRequest",
    "InvalidBatchEntryId",
    "MessageNotInflight",
    "PurgeQueueInProgress",
    "QueueDeletedRecently",
    "TooManyEntriesInBatchRequest",
    "UnsupportedOperation",
)
_OVERRIDES: dict[str, dict[str, Any]] = {code: {"query_code": _PREFIX + code} for code in _PREFIXED}
for _code, _status in {
    "PurgeQueueInProgress": 403,
    "OverLimit": 403,
    "ResourceNotFoundException": 404,
    "InvalidAddress": 404,
    "InvalidSecurity": 403,
    "RequestThrottled": 403,
}.items():
    _OVERRIDES.setdefault(_code, {})["status"] = _status
_OVERRIDES["QueueDoesNotExist"] = {
    "query_code": _PREFIX + "NonExistentQueue",
    "default_message": "The specified queue does not exist.",
}
_OVERRIDES["QueueNameExists"] = {"query_code": "QueueAlreadyExists"}
_OVERRIDES["QueueDeletedRecently"]["default_message"] = (
    "You must wait 60 seconds after deleting a queue before you can create another with the same name."
)
_OVERRIDES["InvalidBatchEntryId"]["default_message"] = (
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
    "It can be at most 80 letters long."
)


class SqsError(AwsError):
    """Base of SQS's own error classes."""


ERRORS = ModelErrors("sqs", base=SqsError, overrides=_OVERRIDES)


def __getattr__(name: str) -> type[AwsError]:
    return ERRORS.attribute(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *ERRORS.codes()})


def invalid_value(value: object, parameter: str, reason: str) -> InvalidParameterValue:
    """AWS's usual wording for a rejected parameter value."""
    return InvalidParameterValue(f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")
