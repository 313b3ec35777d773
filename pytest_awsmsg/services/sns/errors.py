"""SNS's errors, one class per error shape of the botocore model.

Each class is named after its shape (``NotFoundException``); the query
protocol layer reads the shape's ``error.code`` (``NotFound``) and
``httpStatusCode`` (404) from the model, so ``client.exceptions.NotFoundException``
is what the user catches and ``error.response["Error"]["Code"]`` is AWS's code.
"""

from __future__ import annotations

from ...core.errors import AwsError


class AuthorizationErrorException(AwsError):
    pass


class BatchEntryIdsNotDistinctException(AwsError):
    pass


class BatchRequestTooLongException(AwsError):
    pass


class ConcurrentAccessException(AwsError):
    pass


class EmptyBatchRequestException(AwsError):
    pass


class EndpointDisabledException(AwsError):
    pass


class FilterPolicyLimitExceededException(AwsError):
    pass


class InternalErrorException(AwsError):
    sender_fault = False


class InvalidBatchEntryIdException(AwsError):
    pass


class InvalidParameterException(AwsError):
    pass


class InvalidParameterValueException(AwsError):
    pass


class InvalidSecurityException(AwsError):
    pass


class InvalidStateException(AwsError):
    pass


class KMSAccessDeniedException(AwsError):
    pass


class KMSDisabledException(AwsError):
    pass


class KMSInvalidStateException(AwsError):
    pass


class KMSNotFoundException(AwsError):
    pass


class KMSOptInRequired(AwsError):
    pass


class KMSThrottlingException(AwsError):
    pass


class NotFoundException(AwsError):
    pass


class OptedOutException(AwsError):
    pass


class PlatformApplicationDisabledException(AwsError):
    pass


class ReplayLimitExceededException(AwsError):
    pass


class ResourceNotFoundException(AwsError):
    pass


class StaleTagException(AwsError):
    pass


class SubscriptionLimitExceededException(AwsError):
    pass


class TagLimitExceededException(AwsError):
    pass


class TagPolicyException(AwsError):
    pass


class ThrottledException(AwsError):
    pass


class TooManyEntriesInBatchRequestException(AwsError):
    pass


class TopicLimitExceededException(AwsError):
    pass


class UserErrorException(AwsError):
    pass


class ValidationException(AwsError):
    pass


class VerificationException(AwsError):
    pass


def invalid(what: str, reason: str | None = None) -> InvalidParameterException:
    """AWS's usual wording: ``Invalid parameter: <what>[ Reason: <reason>]``."""
    return InvalidParameterException(f"Invalid parameter: {what}" + (f" Reason: {reason}" if reason else ""))
