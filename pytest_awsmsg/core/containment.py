"""Crash containment: a bug of the kit never looks like an answer of AWS.

An unexpected exception inside a fake (anything but an :class:`AwsError`)
becomes what the service answers for an internal fault (HTTP 500, its
``InternalFailure``-like error), the call is logged as a failure of the kit,
and the test fails at teardown with the kit's traceback. So a caller's retry
loop, which would swallow a 500, cannot hide it.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import cache

from .calllog import CallRecord
from .errors import AwsError, InternalFailure

# The internal-fault shapes services model; a service that models none
# answers AWS's common InternalFailure.
_INTERNAL_SHAPES = (
    "InternalErrorException",
    "InternalServiceError",
    "InternalServerErrorException",
    "InternalServerError",
)


@dataclass
class KitFailure:
    """One unexpected exception inside the kit, with the call it broke."""

    where: str
    traceback: str

    def format(self) -> str:
        return f"{self.where}\n{self.traceback}"


class KitBug(AssertionError):
    """Raised at a test's teardown when the kit crashed while answering a call."""


@cache
def internal_error_code(service_name: str) -> str:
    from .registry import service_model

    names = {shape.name for shape in service_model(service_name).error_shapes}
    return next((name for name in _INTERNAL_SHAPES if name in names), "InternalFailure")


def internal_error(service_name: str) -> AwsError:
    """What ``service_name`` answers for a fault of its own, in its model's shape."""
    return AwsError(
        InternalFailure.default_message, code=internal_error_code(service_name), status=500, sender_fault=False
    )


def note(failures: list[KitFailure], where: str, error: BaseException) -> None:
    """Note ``error`` (raised outside any call, e.g. by a timer) as a kit failure."""
    failures.append(KitFailure(where, "".join(traceback.format_exception(type(error), error, error.__traceback__))))


def contain(failures: list[KitFailure], service_name: str, record: CallRecord | None, error: BaseException) -> AwsError:
    """Note ``error`` as a kit failure (on the call's record too) and give the service's internal error."""
    note(failures, record.summary() if record is not None else f"{service_name} (while reading the request)", error)
    answer = internal_error(service_name)
    if record is not None:
        record.status = 500
        record.error_code = answer.code
        record.error_message = f"{answer.message} [pytest-awsmsg bug: {type(error).__name__}: {error}]"
        record.extra["kit_failure"] = True
    return answer


def raise_kit_failures(failures: list[KitFailure]) -> None:
    """Fail loudly, once, with every traceback the kit produced."""
    if not failures:
        return
    details = "\n".join(f.format() for f in failures)
    count = len(failures)
    failures.clear()
    raise KitBug(
        f"pytest-awsmsg crashed {count} time(s) answering calls; each caller was answered with an internal "
        f"error (HTTP 500). This is a bug of the kit, not of the code under test: please report it.\n{details}"
    )
