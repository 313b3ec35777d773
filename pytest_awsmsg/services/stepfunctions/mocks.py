"""Mocked Task states: a test answers a Task without writing a stand-in.

``aws.stepfunctions.mock_task("Charge", TaskFailure("Card.Declined"), {"ok": True})``
makes the first call to state ``Charge`` fail and every later call succeed
(the last answer repeats). A mock configuration file (Step Functions Local's
format, :mod:`.mock_config`) answers the states of the test case an execution
was started with; its answers come first, ``mock_task`` ones next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mock_config import MockConfig, TestCaseRun


class TaskFailure:
    """A mocked error: ``aws.stepfunctions.mock_task("Charge", TaskFailure("Card.Declined", "..."))``."""

    def __init__(self, error: str, cause: str = "") -> None:
        self.error = error
        self.cause = cause

    def __repr__(self) -> str:
        return f"TaskFailure({self.error!r}, {self.cause!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TaskFailure) and (other.error, other.cause) == (self.error, self.cause)

    def __hash__(self) -> int:
        return hash((self.error, self.cause))


class _NoMock:
    def __repr__(self) -> str:
        return "<no mock>"


NO_MOCK: Any = _NoMock()


@dataclass
class _Answers:
    answers: list[Any]
    calls: int = 0
    machine: str | None = None


@dataclass
class Mocks:
    """Mocked answers by state name, optionally for one state machine only."""

    _by_key: dict[tuple[str | None, str], _Answers] = field(default_factory=dict)
    config: MockConfig | None = None  # the mock configuration file in force, if any

    def add(self, state: str, answers: list[Any], machine: str | None = None) -> None:
        if not answers:
            raise ValueError("mock_task needs at least one answer (a result, or a TaskFailure)")
        self._by_key[(machine, state)] = _Answers(list(answers), machine=machine)

    def remove(self, state: str, machine: str | None = None) -> None:
        self._by_key.pop((machine, state), None)

    def has(self, machine: str | None, state: str) -> bool:
        if machine is not None and self.config is not None and self.config.mocks(machine, state):
            return True
        return (machine, state) in self._by_key or (None, state) in self._by_key

    def answer(self, test_case: TestCaseRun | None, machine: str, state: str) -> Any:
        """The next answer for ``state``: the execution's test case first, then ``mock_task``; else :data:`NO_MOCK`."""
        if test_case is not None:
            mocked, answer = test_case.take(state)
            if mocked:
                return answer
        return self.take(machine, state)

    def take(self, machine: str, state: str) -> Any:
        """The next answer for ``state`` in ``machine``, or :data:`NO_MOCK`."""
        found = self._by_key.get((machine, state)) or self._by_key.get((None, state))
        if found is None:
            return NO_MOCK
        answer = found.answers[min(found.calls, len(found.answers) - 1)]
        found.calls += 1
        return answer

    def calls(self, state: str, machine: str | None = None) -> int:
        found = self._by_key.get((machine, state))
        return found.calls if found else 0
