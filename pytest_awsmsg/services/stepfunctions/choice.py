"""Choice rules: every comparison operator, the ``*Path`` forms, And/Or/Not.

A rule whose ``Variable`` is absent from the input is a ``States.Runtime``
error (only ``IsPresent`` may ask); comparing values of different types is
simply false, as the ASL specification says.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from . import paths
from .errors import RUNTIME, StatesError

_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

COMPARISONS = {
    "StringEquals": ("string", "=="),
    "StringLessThan": ("string", "<"),
    "StringGreaterThan": ("string", ">"),
    "StringLessThanEquals": ("string", "<="),
    "StringGreaterThanEquals": ("string", ">="),
    "NumericEquals": ("number", "=="),
    "NumericLessThan": ("number", "<"),
    "NumericGreaterThan": ("number", ">"),
    "NumericLessThanEquals": ("number", "<="),
    "NumericGreaterThanEquals": ("number", ">="),
    "BooleanEquals": ("boolean", "=="),
    "TimestampEquals": ("timestamp", "=="),
    "TimestampLessThan": ("timestamp", "<"),
    "TimestampGreaterThan": ("timestamp", ">"),
    "TimestampLessThanEquals": ("timestamp", "<="),
    "TimestampGreaterThanEquals": ("timestamp", ">="),
}
TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
OPERATORS = (
    set(COMPARISONS) | {name + "Path" for name in COMPARISONS} | {"StringMatches", "StringMatchesPath"} | set(TESTS)
)
OPERATORS.discard("StringMatchesPath")  # StringMatches has no Path form in ASL


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _typed(kind: str, value: Any) -> Any:
    """``value`` as a comparable of ``kind``, or ``None`` when it is not one."""
    if kind == "string":
        return value if isinstance(value, str) else None
    if kind == "number":
        return value if _is_number(value) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    return parse_timestamp(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return bool(left == right)
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


def string_matches(value: str, pattern: str) -> bool:
    """``*`` matches any run of characters; ``\\*`` and ``\\\\`` are literal."""
    regex = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if ch == "*" else re.escape(ch)
        i += 1
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _variable(rule: dict[str, Any], data: Any, context: Any) -> Any:
    path = rule["Variable"]
    try:
        return paths.resolve(path, data, context)
    except paths.PathNotFound:
        raise StatesError(
            RUNTIME, f"Invalid path '{path}': The choice state's condition path references an invalid value."
        ) from None


def evaluate(rule: dict[str, Any], data: Any, context: Any) -> bool:
    """Whether a choice rule (or a nested boolean expression) matches."""
    if "And" in rule:
        return all(evaluate(r, data, context) for r in rule["And"])
    if "Or" in rule:
        return any(evaluate(r, data, context) for r in rule["Or"])
    if "Not" in rule:
        return not evaluate(rule["Not"], data, context)
    if "IsPresent" in rule:
        path = rule["Variable"]
        present = paths.resolves(path, data, context)
        return present is bool(rule["IsPresent"])
    value = _variable(rule, data, context)
    for test in TESTS[:1] + TESTS[2:]:
        if test in rule:
            expected = bool(rule[test])
            actual = {
                "IsNull": value is None,
                "IsNumeric": _is_number(value),
                "IsString": isinstance(value, str),
                "IsBoolean": isinstance(value, bool),
                "IsTimestamp": parse_timestamp(value) is not None,
            }[test]
            return actual is expected
    if "StringMatches" in rule:
        return isinstance(value, str) and string_matches(value, rule["StringMatches"])
    for name, (kind, op) in COMPARISONS.items():
        if name in rule:
            other = rule[name]
        elif name + "Path" in rule:
            ref = rule[name + "Path"]
            try:
                other = paths.resolve(ref, data, context)
            except paths.PathNotFound:
                raise StatesError(
                    RUNTIME, f"Invalid path '{ref}': The choice state's condition path references an invalid value."
                ) from None
        else:
            continue
        left, right = _typed(kind, value), _typed(kind, other)
        if left is None or right is None:
            return False
        return _compare(op, left, right)
    raise StatesError(RUNTIME, f"Unsupported choice rule: {sorted(rule)}")
