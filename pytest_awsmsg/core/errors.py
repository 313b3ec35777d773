"""The one error type the fakes raise.

A service raises :class:`AwsError` (or a subclass named after an error shape of
its botocore model); the protocol layer turns it into the error document AWS
sends, so botocore raises the modelled exception class the user catches
(``client.exceptions.QueueDoesNotExist``).
"""

from __future__ import annotations

from typing import ClassVar


class AwsError(Exception):
    """An error answered to the caller exactly as AWS would answer it.

    Subclasses name the error shape they stand for; ``code`` defaults to the
    class name, which is the shape name in the botocore model. ``query_code``
    is the code a service that moved from the ``query`` protocol still reports
    (SQS's ``AWS.SimpleQueueService.NonExistentQueue``); ``None`` means the
    code itself.
    """

    code: ClassVar[str] = "InternalFailure"
    # None: the status the service model gives the error shape, else 400
    # (500 when the fault is the server's).
    status: ClassVar[int | None] = None
    sender_fault: ClassVar[bool] = True
    query_code: ClassVar[str | None] = None
    default_message: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        query_code: str | None = None,
    ) -> None:
        self.message = self.default_message if message is None else message
        # Instance attributes shadow the class defaults only when given, so a
        # generic AwsError can carry any code without a subclass per code.
        if code is not None:
            self.code = code  # type: ignore[misc]
        if status is not None:
            self.status = status  # type: ignore[misc]
        if sender_fault is not None:
            self.sender_fault = sender_fault  # type: ignore[misc]
        if query_code is not None:
            self.query_code = query_code  # type: ignore[misc]
        #: Other members of the error's shape, by model member name (Amazon MQ's ErrorAttribute).
        self.fields: dict[str, object] = {}
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message!r}, status={self.status})"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# Errors common to every AWS service (AWS's "Common Errors" reference page).


class ValidationError(AwsError):
    """The input fails to satisfy the constraints of the operation."""


class InvalidParameterValue(AwsError):
    """A parameter's value is outside what the operation accepts."""


class InvalidParameterCombination(AwsError):
    """Parameters that must not be used together were."""


class MissingParameter(AwsError):
    """A required parameter is absent."""


class InvalidAction(AwsError):
    """The action or operation requested is invalid."""


class AccessDenied(AwsError):
    status = 403


class ThrottlingException(AwsError):
    status = 400
    default_message = "Rate exceeded"


class InternalFailure(AwsError):
    status = 500
    sender_fault = False
    default_message = "The request processing has failed because of an unknown error, exception or failure."


class ServiceUnavailable(AwsError):
    status = 503
    sender_fault = False
    default_message = "The request has failed due to a temporary failure of the server."


class UnfakedServiceError(RuntimeError):
    """A call reached a service this kit does not fake.

    Raised from the ``before-send`` handler, so nothing leaves the process.
    """
