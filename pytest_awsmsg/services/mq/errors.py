"""Amazon MQ's errors, named after the error shapes of its botocore model.

Each carries the model's ``ErrorAttribute`` (the wire's ``errorAttribute``):
the request member the error is about, as Amazon MQ names it.
"""

from __future__ import annotations

from ...core.errors import AwsError


class MqError(AwsError):
    """Base of Amazon MQ's errors: a message and the attribute at fault."""

    def __init__(self, message: str, attribute: str | None = None) -> None:
        super().__init__(message)
        self.fields = {"ErrorAttribute": attribute} if attribute else {}


class BadRequestException(MqError):
    status = 400


class NotFoundException(MqError):
    status = 404


class ConflictException(MqError):
    status = 409


class ForbiddenException(MqError):
    status = 403


class UnauthorizedException(MqError):
    status = 401
