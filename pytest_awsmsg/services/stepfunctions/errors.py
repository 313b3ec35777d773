"""Errors: the API's (named after the model's error shapes) and the runtime's.

:class:`AwsError` subclasses answer a caller; :class:`StatesError` is an error
*inside* an execution (``States.Runtime``, a task's failure) that Retry and
Catch see, named as AWS names it.
"""

from __future__ import annotations

from ...core.errors import AwsError

# Step Functions' error shapes, one class each, so `client.exceptions.X` is raised.


class ActivityAlreadyExists(AwsError):
    pass


class ActivityDoesNotExist(AwsError):
    pass


class ActivityLimitExceeded(AwsError):
    pass


class ActivityWorkerLimitExceeded(AwsError):
    pass


class ConflictException(AwsError):
    pass


class ExecutionAlreadyExists(AwsError):
    pass


class ExecutionDoesNotExist(AwsError):
    pass


class ExecutionLimitExceeded(AwsError):
    pass


class ExecutionNotRedrivable(AwsError):
    pass


class InvalidArn(AwsError):
    pass


class InvalidDefinition(AwsError):
    pass


class InvalidExecutionInput(AwsError):
    pass


class InvalidName(AwsError):
    pass


class InvalidOutput(AwsError):
    pass


class InvalidToken(AwsError):
    pass


class MissingRequiredParameter(AwsError):
    pass


class ResourceNotFound(AwsError):
    pass


class ServiceQuotaExceededException(AwsError):
    pass


class StateMachineAlreadyExists(AwsError):
    pass


class StateMachineDeleting(AwsError):
    pass


class StateMachineDoesNotExist(AwsError):
    pass


class StateMachineTypeNotSupported(AwsError):
    pass


class TaskDoesNotExist(AwsError):
    pass


class TaskTimedOut(AwsError):
    pass


class TooManyTags(AwsError):
    pass


class ValidationException(AwsError):
    pass


class InvalidLoggingConfiguration(AwsError):
    pass


class InvalidTracingConfiguration(AwsError):
    pass


class InvalidEncryptionConfiguration(AwsError):
    pass


class UnsupportedByFake(AwsError):
    """Something AWS supports that this fake does not: refused loudly, never faked silently."""

    code = "ValidationException"


class StatesError(Exception):
    """An error raised inside an execution: what Retry/Catch match and histories record."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


# Predefined error names (Amazon States Language, "Error names").
ALL = "States.ALL"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
TASK_FAILED = "States.TaskFailed"
RUNTIME = "States.Runtime"
PERMISSIONS = "States.Permissions"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"

# Errors no retrier or catcher matches. ASL: States.ALL does not match
# States.DataLimitExceeded nor (since 2023) States.Runtime. The developer guide
# goes further: "A States.Runtime error isn't retriable, and will always cause
# the execution to fail", so not even a retrier or catcher that names it
# matches; and it calls States.DataLimitExceeded "a terminal error". We assume
# terminal means a catcher naming it cannot catch it either, so an over-large
# task input ends the execution as an over-large state output does.
NEVER_MATCHED = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED})
