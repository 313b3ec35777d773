"""SWF's errors, named after the error shapes of its botocore model.

SWF's messages are terse: a fault about a domain carries the domain's name, a
fault about a type names it as ``WorkflowType=[name=..., version=...]``, and an
unknown resource says what was not found (``Unknown domain: orders``). Where
AWS's exact wording is not documented, the message follows that style.
"""

from __future__ import annotations

from typing import Any

from ...core.errors import AwsError


class SwfError(AwsError):
    """Base of this service's errors (every shape has a ``message`` member)."""


class UnknownResourceFault(SwfError):
    pass


class OperationNotPermittedFault(SwfError):
    pass


class DomainAlreadyExistsFault(SwfError):
    pass


class DomainDeprecatedFault(SwfError):
    pass


class TypeAlreadyExistsFault(SwfError):
    pass


class TypeDeprecatedFault(SwfError):
    pass


class TypeNotDeprecatedFault(SwfError):
    pass


class WorkflowExecutionAlreadyStartedFault(SwfError):
    pass


class DefaultUndefinedFault(SwfError):
    pass


class LimitExceededFault(SwfError):
    pass


class TooManyTagsFault(SwfError):
    pass


class ValidationException(SwfError):
    """A value outside the model's constraints: AWS's common validation error."""


def invalid(value: Any, member: str, constraint: str) -> ValidationException:
    """AWS's wording for one constraint a member fails."""
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
    )


def type_label(kind: str, name: str, version: str) -> str:
    """How SWF names a type in its faults: ``ActivityType=[name=charge, version=1]``."""
    return f"{kind}=[name={name}, version={version}]"
