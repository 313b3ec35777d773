"""SNS's errors: one class per error shape of the botocore model, made from it.

Each class is named after its shape (``NotFoundException``; see
:mod:`pytest_awsmsg.core.model_errors`); the query protocol layer reads the
shape's ``error.code`` (``NotFound``) and ``httpStatusCode`` (404) from the
model, so ``client.exceptions.NotFoundException`` is what the user catches and
``error.response["Error"]["Code"]`` is AWS's code.
"""

from __future__ import annotations

from ...core.errors import AwsError
from ...core.model_errors import ModelErrors


class SnsError(AwsError):
    """Base of SNS's own error classes."""


ERRORS = ModelErrors("sns", base=SnsError)


@ERRORS.declare
class InvalidParameterException(SnsError):
    """Written out because :class:`~.filter_policy.FilterPolicyError` subclasses it."""


def __getattr__(name: str) -> type[AwsError]:
    return ERRORS.attribute(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *ERRORS.codes()})


def invalid(what: str, reason: str | None = None) -> InvalidParameterException:
    """AWS's usual wording: ``Invalid parameter: <what>[ Reason: <reason>]``."""
    return InvalidParameterException(f"Invalid parameter: {what}" + (f" Reason: {reason}" if reason else ""))
