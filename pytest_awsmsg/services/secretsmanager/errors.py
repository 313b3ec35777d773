"""Secrets Manager's errors, named after the error shapes of its botocore model.

Messages follow AWS's wording where it is known; none of them ever carries a
secret's value (the caller's ``SecretId`` is not secret, the value is).
"""

from __future__ import annotations

from ...core.errors import AwsError

# What AWS answers for a secret that does not exist (or is hidden from the caller).
NOT_FOUND = "Secrets Manager can't find the specified secret."
# What AWS answers for most operations on a secret scheduled for deletion.
MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."
# What AWS answers for a write sent to a replica instead of its primary.
REPLICA_READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
# What AWS answers (ValidationException) for a name or SecretId with other characters.
INVALID_NAME = (
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)


class SecretsManagerError(AwsError):
    """Base of this service's errors (every shape has a ``Message`` member)."""


class ResourceNotFoundException(SecretsManagerError):
    default_message = NOT_FOUND


class InvalidRequestException(SecretsManagerError):
    pass


class InvalidParameterException(SecretsManagerError):
    pass


class ResourceExistsException(SecretsManagerError):
    pass


class InvalidNextTokenException(SecretsManagerError):
    default_message = "The NextToken value is invalid."


class LimitExceededException(SecretsManagerError):
    pass


class MalformedPolicyDocumentException(SecretsManagerError):
    pass


class PublicPolicyException(SecretsManagerError):
    default_message = "This resource policy will grant public access to the secret."


class PreconditionNotMetException(SecretsManagerError):
    pass


class EncryptionFailure(SecretsManagerError):
    pass


class DecryptionFailure(SecretsManagerError):
    pass


class ValidationException(SecretsManagerError):
    """Not a shape of the model, but the code AWS answers for a syntactically invalid name."""


class InternalServiceError(SecretsManagerError):
    status = 500
    sender_fault = False
    default_message = "An error occurred on the server side."
