"""Every intrinsic function, its argument rules, and JSONPath as Step Functions reads it."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from .conftest import Runner, single

DATA = {
    "name": "Ada",
    "n": 3,
    "arr": [1, 2, 2, 3],
    "obj": {"a": 1, "b": {"c": 2}},
    "other": {"b": 9, "d": 4},
    "text": "a,b;c",
    "json": '{"k":[1,2]}',
    "items": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 5}],
}


def evaluate(run: Runner, expression: str, data: Any = None) -> Any:
    described = run(single({"Type": "Pass", "Parameters": {"r.$": expression}}), DATA if data is None else data)
    if described["status"] != "SUCCEEDED":
        return (described["error"], described["cause"])
    return described["out"]["r"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("States.Format('Hi {}, you are {}', $.name, $.n)", "Hi Ada, you are 3"),
        ("States.Format('literal \\{\\} and {}', $.name)", "literal {} and Ada"),
        ("States.Format('{} {} {}', true, null, 1.5)", "true null 1.5"),
        ("States.StringToJson($.json)", {"k": [1, 2]}),
        ("States.JsonToString($.obj)", '{"a":1,"b":{"c":2}}'),
        ("States.Array($.name, 1, 'x')", ["Ada", 1, "x"]),
        ("States.Array()", []),
        ("States.ArrayPartition($.arr, 3)", [[1, 2, 2], [3]]),
        ("States.ArrayContains($.arr, 3)", True),
        ("States.ArrayContains($.arr, 7)", False),
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayGetItem($.arr, 3)", 3),
        ("States.ArrayLength($.arr)", 4),
        ("States.ArrayUnique($.arr)", [1, 2, 3]),
        # JSON's equality, not Python's: true is not 1.
        ("States.ArrayContains($.arr, true)", False),
        ("States.ArrayUnique(States.Array(1, true, 1, false, 0, true))", [1, True, False, 0]),
        ("States.ArrayContains(States.Array($.obj), $.obj)", True),
        ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
        ("States.Hash('input data', 'SHA-256')", hashlib.sha256(b"input data").hexdigest()),
        ("States.Hash($.name, 'MD5')", hashlib.md5(b"Ada").hexdigest()),
        ("States.JsonMerge($.obj, $.other, false)", {"a": 1, "b": 9, "d": 4}),
        ("States.MathAdd($.n, -5)", -2),
        ("States.StringSplit($.text, ',;')", ["a", "b", "c"]),
        ("States.ArrayLength(States.StringSplit(States.Format('{}-{}', 'a', 'b'), '-'))", 2),
        ("$.items[?(@.qty > 2)].sku", ["y"]),
        ("$.items[*].sku", ["x", "y"]),
        ("$..c", [2]),
        ("$.arr[1:3]", [2, 2]),
        ("$.arr[-1]", 3),
        ("$['obj']['b']", {"c": 2}),
    ],
)
def test_intrinsic_results(run: Runner, expression: str, expected: Any) -> None:
    assert evaluate(run, expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "States.Format('{} {}', $.name)",
        "States.StringToJson($.n)",
        "States.ArrayPartition($.arr, 0)",
        "States.ArrayRange(1, 2000, 1)",
        "States.ArrayRange(0, 1000000000000, 1)",
        "States.ArrayRange(1, 5, 0)",
        "States.ArrayGetItem($.arr, 10)",
        "States.ArrayLength($.name)",
        "States.Base64Decode('***')",
        "States.Hash($.name, 'SHA-3')",
        "States.JsonMerge($.obj, $.other, true)",
        "States.MathRandom(5, 1)",
        "States.MathAdd(2147483648, 1)",
        "States.MathAdd('1', 1)",
        "States.UUID(1)",
        "States.Format('{}', $.obj)",
        "States.ArrayLength($.missing)",
    ],
)
def test_argument_rules_raise_intrinsic_failure(run: Runner, expression: str) -> None:
    error, cause = evaluate(run, expression)
    assert error == "States.IntrinsicFailure"
    assert cause


def test_math_random_and_uuid_come_from_the_seeded_source(run: Runner) -> None:
    value = evaluate(run, "States.MathRandom(1, 10)")
    assert 1 <= value < 10
    seeded = [evaluate(run, "States.MathRandom(1, 1000, 7)") for _ in range(2)]
    assert seeded[0] == seeded[1]
    uuid = evaluate(run, "States.UUID()")
    assert len(uuid) == 36
    assert uuid[14] == "4"


def test_intrinsics_see_the_context_object(run: Runner) -> None:
    assert evaluate(run, "States.Format('{}/{}', $$.StateMachine.Name, $$.State.Name)", {}).endswith("/S")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # AWS's reference: non-integers are rounded to the nearest integer, not refused.
        ("States.MathAdd(1.5, 1)", 3),
        ("States.MathAdd(-1.5, 0)", -1),
        ("States.MathAdd(999999999, 1)", 1000000000),
        ("States.MathAdd(2147483647, -1)", 2147483646),
        ("States.ArrayRange(0.6, 4.4, 1.2)", [1, 2, 3, 4]),
        ("States.ArrayPartition($.arr, 1.6)", [[1, 2], [2, 3]]),
    ],
)
def test_math_and_array_functions_round_numbers_as_aws_does(run: Runner, expression: str, expected: Any) -> None:
    assert evaluate(run, expression) == expected


def test_math_random_rounds_its_bounds(run: Runner) -> None:
    assert evaluate(run, "States.MathRandom(0.6, 1.6, 7)") == 1  # rounded to [1, 2): only 1
