"""Errors: the API's (named after the model's error shapes) and the runtime's.

:class:`AwsError` subclasses answer a caller; :class:`StatesError` is an error
*inside* an execution (``States.Runtime``, a task's failure) that Retry and
Catch see, named as AWS names it.
"""

from __future__ import annotations

from ...core.errors import AwsError
from ...core.model_errors import ModelErrors


class StepFunctionsError(AwsError):
    """Base of Step Functions' own error classes."""


# One class per error shape of the model, made from it (see
# :mod:`pytest_awsmsg.core.model_errors`), so `client.exceptions.X` is raised.
ERRORS = ModelErrors("stepfunctions", base=StepFunctionsError)


def __getattr__(name: str) -> type[AwsError]:
    return ERRORS.attribute(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *ERRORS.codes()})


class UnsupportedByFake(StepFunctionsError):
    """Something AWS supports that this fake does not: refused loudly, never faked silently."""

    code = "ValidationException"


class StatesError(Exception):
    """An error raised inside an execution: what Retry/Catch match and histories record."""

    def __init__(self, error: str, cause: str = "", *, location: str | None = None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.location = location  # the field whose expression failed (EvaluationFailed's location)


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
