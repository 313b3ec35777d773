"""Mock configuration files in Step Functions Local's format (``MockConfigFile.json``).

Teams that tested with Step Functions Local bring these files: ``StateMachines``
names test cases per state machine (state name -> mocked response name) and
``MockedResponses`` lists, per invocation of a Task (``"0"``, or an inclusive
range ``"1-2"``), a ``Return`` (the result) or a ``Throw`` (``Error`` and
``Cause``). An execution started with ``stateMachineArn#TestCase`` answers
the Tasks its test case names from the file; every other state runs as usual.

A file is checked as a whole when it is loaded: a mistake names its place
(``MockedResponses.MockedLambdaRetry."1-2".Throw``) and the file, never
discovered halfway through a run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import StatesError
from .mocks import TaskFailure

ENVIRONMENT_VARIABLE = "SFN_MOCK_CONFIG"
_INVOCATIONS = re.compile(r"^(\d+)(?:-(\d+))?$")
# Assumed: Step Functions Local fails an execution whose mocked Task runs out of
# responses ("If you do not specify a mocked response, the state machine execution
# will fail") without naming the error; States.Runtime is the error that fails an
# execution outright (never retried or caught).
_RUNTIME = "States.Runtime"


class MockConfigError(ValueError):
    """A mock configuration file the kit cannot use: the message names the file and the place."""


@dataclass(frozen=True)
class TestCase:
    """One test case: the answers for each mocked state, by invocation (0 first)."""

    __test__ = False  # not a pytest test class

    machine: str
    name: str
    answers: Mapping[str, tuple[str, tuple[Any, ...]]]  # state -> (mocked response name, answers)


@dataclass
class TestCaseRun:
    """A test case as one execution uses it: how many times each mocked state was invoked."""

    case: TestCase
    invocations: dict[str, int] = field(default_factory=dict)

    def fresh(self) -> TestCaseRun:
        return TestCaseRun(self.case)

    def take(self, state: str) -> tuple[bool, Any]:
        """``(True, answer)`` for a state the test case mocks, else ``(False, None)``.

        A mocked state invoked more times than it has responses fails the execution.
        """
        found = self.case.answers.get(state)
        if found is None:
            return False, None
        response, answers = found
        index = self.invocations.get(state, 0)
        self.invocations[state] = index + 1
        if index >= len(answers):
            raise StatesError(
                _RUNTIME,
                f"The mocked response {response!r} of state {state!r} in test case {self.case.name!r} has no "
                f"response for invocation {index} (it defines invocations 0-{len(answers) - 1}).",
            )
        return True, answers[index]


class MockConfig:
    """A loaded, checked mock configuration."""

    def __init__(self, data: Any, source: str = "mock configuration") -> None:
        self.source = source
        self._responses: dict[str, tuple[Any, ...]] = {}
        self._machines: dict[str, dict[str, dict[str, str]]] = {}
        self._check(data)

    @classmethod
    def load(cls, spec: str | os.PathLike[str] | Mapping[str, Any]) -> MockConfig:
        """From a mapping (already parsed) or the path of a JSON file."""
        if isinstance(spec, Mapping):
            return cls(spec)
        path = Path(spec)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise MockConfigError(f"Step Functions mock configuration {str(path)!r} cannot be read: {error}") from None
        try:
            data = json.loads(text)
        except ValueError as error:
            raise MockConfigError(f"Step Functions mock configuration {str(path)!r} is not JSON: {error}") from None
        return cls(data, str(path))

    # -- lookups ------------------------------------------------------------------------

    def test_case(self, machine: str, name: str) -> TestCase:
        """The test case ``name`` of state machine ``machine``; a miss says what there is."""
        cases = self._machines.get(machine)
        if cases is None:
            known = ", ".join(sorted(self._machines)) or "none"
            raise KeyError(f"{self.source} has no state machine {machine!r} under StateMachines (it has: {known})")
        states = cases.get(name)
        if states is None:
            known = ", ".join(sorted(cases)) or "none"
            raise KeyError(f"{self.source} has no test case {name!r} for state machine {machine!r} (it has: {known})")
        return TestCase(machine, name, {state: (resp, self._responses[resp]) for state, resp in states.items()})

    def mocks(self, machine: str, state: str) -> bool:
        """Whether some test case of ``machine`` mocks ``state`` (so CreateStateMachine may accept it)."""
        return any(state in states for states in self._machines.get(machine, {}).values())

    # -- checking -----------------------------------------------------------------------

    def _fail(self, place: str, problem: str) -> MockConfigError:
        return MockConfigError(f"{self.source}: {place}: {problem}")

    def _object(self, value: Any, place: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self._fail(place, f"must be a JSON object, not {json.dumps(value)[:60]}")
        return value

    def _check(self, data: Any) -> None:
        top = self._object(data, "the top level")
        unknown = sorted(set(top) - {"StateMachines", "MockedResponses"})
        if unknown:
            raise self._fail(
                "the top level", f"unknown field {unknown[0]!r} (the fields are StateMachines and MockedResponses)"
            )
        for name, response in self._object(top.get("MockedResponses", {}), "MockedResponses").items():
            self._responses[name] = self._answers(response, f"MockedResponses.{name}")
        for machine, spec in self._object(top.get("StateMachines", {}), "StateMachines").items():
            self._machines[machine] = self._test_cases(spec, f"StateMachines.{machine}")

    def _test_cases(self, spec: Any, place: str) -> dict[str, dict[str, str]]:
        fields = self._object(spec, place)
        if set(fields) != {"TestCases"}:
            raise self._fail(place, "must hold exactly one field, TestCases")
        out: dict[str, dict[str, str]] = {}
        for case, states in self._object(fields["TestCases"], f"{place}.TestCases").items():
            where = f"{place}.TestCases.{case}"
            out[case] = {}
            for state, response in self._object(states, where).items():
                if not isinstance(response, str):
                    raise self._fail(f"{where}.{state}", "must name a mocked response (a string)")
                if response not in self._responses:
                    known = ", ".join(sorted(self._responses)) or "none"
                    raise self._fail(
                        f"{where}.{state}", f"names {response!r}, which is not in MockedResponses (it has: {known})"
                    )
                out[case][state] = response
        return out

    def _answers(self, response: Any, place: str) -> tuple[Any, ...]:
        """A mocked response's answers in invocation order; its keys must cover 0..n without gaps."""
        spans = []
        for key, value in self._object(response, place).items():
            found = _INVOCATIONS.match(key)
            if found is None:
                raise self._fail(f'{place}."{key}"', 'must be an invocation number ("0") or an inclusive range ("1-2")')
            first = int(found.group(1))
            last = int(found.group(2) or first)
            if last < first:
                raise self._fail(f'{place}."{key}"', "the range ends before it starts")
            spans.append((first, last, key, self._answer(value, f'{place}."{key}"')))
        if not spans:
            raise self._fail(place, "defines no response")
        spans.sort(key=lambda span: span[0])
        answers: list[Any] = []
        for first, last, key, answer in spans:
            if first != len(answers):
                problem = "overlaps" if first < len(answers) else f"leaves invocation {len(answers)} without a response"
                raise self._fail(f'{place}."{key}"', f"{problem}: invocations must run 0, 1, 2... without gaps")
            answers.extend([answer] * (last - first + 1))
        return tuple(answers)

    def _answer(self, value: Any, place: str) -> Any:
        fields = self._object(value, place)
        if len(fields) != 1 or next(iter(fields)) not in ("Return", "Throw"):
            raise self._fail(place, "must hold exactly one field, Return or Throw")
        if "Return" in fields:
            return fields["Return"]
        thrown = self._object(fields["Throw"], f"{place}.Throw")
        for part in ("Error", "Cause"):
            if not isinstance(thrown.get(part), str):
                raise self._fail(f"{place}.Throw", f"needs {part!r} (a string)")
        return TaskFailure(thrown["Error"], thrown["Cause"])


def from_environment() -> MockConfig | None:
    """The file ``SFN_MOCK_CONFIG`` names, as Step Functions Local reads it; ``None`` when unset."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    if not path:
        return None
    try:
        return MockConfig.load(path)
    except MockConfigError as error:
        raise MockConfigError(f"{error} (from the {ENVIRONMENT_VARIABLE} environment variable)") from None


__all__ = ["ENVIRONMENT_VARIABLE", "MockConfig", "MockConfigError", "TestCase", "TestCaseRun", "from_environment"]
