"""Secrets Manager's errors, named after the error shapes of its botocore model.

Messages follow AWS's wording where it is known; none of them ever carries a
secret's value (the caller's ``SecretId`` is not secret, the value is).
"""

from __future__ import annotations

from ...core.errors import AwsError
from ...core.model_errors import ModelErrors

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


# One class per error shape of the model, made from it (see
# :mod:`pytest_awsmsg.core.model_errors`); what the model does not say is here.
ERRORS = ModelErrors(
    "secretsmanager",
    base=SecretsManagerError,
    overrides={
        "ResourceNotFoundException": {"default_message": NOT_FOUND},
        "InvalidNextTokenException": {"default_message": "The NextToken value is invalid."},
        "PublicPolicyException": {"default_message": "This resource policy will grant public access to the secret."},
        "InternalServiceError": {
            "status": 500,
            "sender_fault": False,
            "default_message": "An error occurred on the server side.",
        },
    },
)


@ERRORS.declare
class ValidationException(SecretsManagerError):
    """Not a shape of the model, but the code AWS answers for a syntactically invalid name."""


def __getattr__(name: str) -> type[AwsError]:
    return ERRORS.attribute(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *ERRORS.codes()})
