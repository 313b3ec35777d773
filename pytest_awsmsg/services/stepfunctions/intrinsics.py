"""Intrinsic functions (``States.Format(...)`` and friends) with AWS's argument rules.

An expression is parsed once (at CreateStateMachine, so a malformed one is an
InvalidDefinition) into a small tree, and evaluated against the effective input
and the context object. Runtime misuse raises ``States.IntrinsicFailure``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import paths
from .errors import INTRINSIC_FAILURE, StatesError

MAX_NESTING = 10
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


class IntrinsicSyntaxError(ValueError):
    """An intrinsic expression that cannot be parsed (an InvalidDefinition)."""


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class PathArg:
    path: str  # as written: ``$.a``, ``$$.Execution.Id`` or ``$variable.a``


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


def looks_intrinsic(text: str) -> bool:
    return text.startswith("States.")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def fail(self, why: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(
            f"The value for the field must be a valid intrinsic function: {why} in {self.text!r}"
        )

    def ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1

    def call(self, depth: int) -> Call:
        if depth > MAX_NESTING:
            raise self.fail(f"more than {MAX_NESTING} nested intrinsic functions")
        start = self.i
        while self.i < len(self.text) and (self.text[self.i].isalnum() or self.text[self.i] == "."):
            self.i += 1
        name = self.text[start : self.i]
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function {name!r}")
        self.ws()
        if self.i >= len(self.text) or self.text[self.i] != "(":
            raise self.fail(f"expected '(' after {name}")
        self.i += 1
        args: list[Any] = []
        self.ws()
        if self.i < len(self.text) and self.text[self.i] == ")":
            self.i += 1
            return Call(name, ())
        while True:
            self.ws()
            args.append(self.arg(depth))
            self.ws()
            if self.i >= len(self.text):
                raise self.fail("missing ')'")
            if self.text[self.i] == ",":
                self.i += 1
                continue
            if self.text[self.i] == ")":
                self.i += 1
                return Call(name, tuple(args))
            raise self.fail(f"unexpected {self.text[self.i]!r}")

    def arg(self, depth: int) -> Any:
        text, i = self.text, self.i
        if i >= len(text):
            raise self.fail("missing argument")
        ch = text[i]
        if ch == "'":
            return Literal(self.string())
        if ch == "$":
            return self.path()
        if text.startswith("States.", i):
            return self.call(depth + 1)
        start = i
        while self.i < len(text) and text[self.i] not in ",) ":
            self.i += 1
        token = text[start : self.i]
        if token == "null":
            return Literal(None)
        if token in ("true", "false"):
            return Literal(token == "true")
        try:
            number = json.loads(token)
        except ValueError:
            raise self.fail(f"invalid argument {token!r}") from None
        if not isinstance(number, (int, float)):
            raise self.fail(f"invalid argument {token!r}")
        return Literal(number)

    def string(self) -> str:
        self.i += 1
        out = []
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch == "\\" and self.i + 1 < len(self.text):
                out.append("\\" + self.text[self.i + 1] if self.text[self.i + 1] in "{}" else self.text[self.i + 1])
                self.i += 2
                continue
            if ch == "'":
                self.i += 1
                return "".join(out)
            out.append(ch)
            self.i += 1
        raise self.fail("unterminated string")

    def path(self) -> PathArg:
        start = self.i
        depth = 0
        quote = False
        while self.i < len(self.text):
            ch = self.text[self.i]
            if quote:
                quote = ch != "'"
            elif ch == "'":
                quote = True
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            self.i += 1
        raw = self.text[start : self.i].rstrip()
        try:
            paths.parse_any(raw)
        except paths.PathError as error:
            raise self.fail(str(error)) from None
        return PathArg(raw)


@lru_cache(maxsize=4096)
def parse(text: str) -> Call:
    """The expression's tree (cached: the same definition is evaluated again and again)."""
    parser = _Parser(text.strip())
    call = parser.call(1)
    parser.ws()
    if parser.i != len(parser.text):
        raise parser.fail("unexpected text after the function")
    return call


def evaluate(expr: Call, data: Any, context: Any, rng: random.Random) -> Any:
    args = [_value(arg, data, context, rng) for arg in expr.args]
    return FUNCTIONS[expr.name](args, rng)


def _value(arg: Any, data: Any, context: Any, rng: random.Random) -> Any:
    if isinstance(arg, Literal):
        return arg.value
    if isinstance(arg, PathArg):
        try:
            return paths.resolve(arg.path, data, context)
        except paths.PathNotFound:
            raise StatesError(INTRINSIC_FAILURE, f"The JsonPath {arg.path} could not be found in the input.") from None
    return evaluate(arg, data, context, rng)


def _fail(name: str, why: str) -> StatesError:
    return StatesError(INTRINSIC_FAILURE, f"Invalid arguments in {name}: {why}")


def _count(name: str, args: list[Any], *counts: int) -> None:
    if len(args) not in counts:
        expected = " or ".join(str(c) for c in counts)
        raise _fail(name, f"the function takes {expected} argument(s), got {len(args)}")


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def _rounded(value: Any) -> int | None:
    """A number as the math and array functions take it, or None if it is not one.

    AWS's intrinsic reference: "If you specify a non-integer value ... Step
    Functions will round it off to the nearest integer" (as Java's Math.round:
    halves go up).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        return math.floor(value + 0.5) if math.isfinite(value) else None
    return value


_INT32 = (-(2**31), 2**31 - 1)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _json_key(value: Any) -> str:
    """``value`` as a key that is equal only for equal JSON values.

    Python's ``==`` says ``True == 1`` and ``[True] == [1]``; JSON does not, and
    neither does Step Functions. Assumption: like the Jackson nodes AWS
    compares, ``1`` and ``1.0`` are different values too.
    """
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _format(args: list[Any], rng: random.Random) -> Any:
    if not args or not isinstance(args[0], str):
        raise _fail("States.Format", "the first argument must be a string template")
    template, values = args[0], args[1:]
    pieces: list[str] = []
    used = 0
    i = 0
    while i < len(template):
        if template.startswith("\\{", i) or template.startswith("\\}", i):
            pieces.append(template[i + 1])
            i += 2
        elif template.startswith("{}", i):
            if used >= len(values):
                raise _fail("States.Format", "number of arguments does not match the number of placeholders")
            value = values[used]
            used += 1
            if isinstance(value, (dict, list)):
                raise _fail("States.Format", "only string, number, boolean and null values can be formatted")
            pieces.append(
                "null" if value is None else ("true" if value is True else "false" if value is False else str(value))
            )
            i += 2
        else:
            pieces.append(template[i])
            i += 1
    if used != len(values):
        raise _fail("States.Format", "number of arguments does not match the number of placeholders")
    return "".join(pieces)


def _string_to_json(args: list[Any], rng: random.Random) -> Any:
    _count("States.StringToJson", args, 1)
    if not isinstance(args[0], str):
        raise _fail("States.StringToJson", "the argument must be a string")
    try:
        return json.loads(args[0])
    except ValueError:
        raise _fail("States.StringToJson", f"{args[0]!r} is not valid JSON") from None


def _json_to_string(args: list[Any], rng: random.Random) -> Any:
    _count("States.JsonToString", args, 1)
    return _dumps(args[0])


def _array(args: list[Any], rng: random.Random) -> Any:
    return list(args)


def _array_partition(args: list[Any], rng: random.Random) -> Any:
    _count("States.ArrayPartition", args, 2)
    array, size = args
    if not isinstance(array, list):
        raise _fail("States.ArrayPartition", "the first argument must be an array")
    chunk = _rounded(size)
    if chunk is None or chunk <= 0:
        raise _fail("States.ArrayPartition", "the chunk size must be a positive integer")
    size = chunk
    return [array[i : i + size] for i in range(0, len(array), size)]


def _array_contains(args: list[Any], rng: random.Random) -> Any:
    _count("States.ArrayContains", args, 2)
    if not isinstance(args[0], list):
        raise _fail("States.ArrayContains", "the first argument must be an array")
    wanted = _json_key(args[1])
    return any(_json_key(item) == wanted for item in args[0])


def _array_range(args: list[Any], rng: random.Random) -> Any:
    _count("States.ArrayRange", args, 3)
    numbers_in = [_rounded(a) for a in args]
    if any(n is None for n in numbers_in):
        raise _fail("States.ArrayRange", "all arguments must be integers")
    start, end, step = (int(n or 0) for n in numbers_in)
    if step == 0:
        raise _fail("States.ArrayRange", "the step must not be 0")
    numbers = range(start, end + (1 if step > 0 else -1), step)
    if len(numbers) > 1000:  # measured before building it: ArrayRange(0, 10**12, 1) must not fill memory
        raise _fail("States.ArrayRange", "the result may hold at most 1000 items")
    return list(numbers)


def _array_get_item(args: list[Any], rng: random.Random) -> Any:
    _count("States.ArrayGetItem", args, 2)
    array, index = args
    if not isinstance(array, list):
        raise _fail("States.ArrayGetItem", "the first argument must be an array")
    if not _is_int(index) or not 0 <= int(index) < len(array):
        raise _fail("States.ArrayGetItem", f"index {index} is out of bounds")
    return array[int(index)]


def _array_length(args: list[Any], rng: random.Random) -> Any:
    _count("States.ArrayLength", args, 1)
    if not isinstance(args[0], list):
        raise _fail("States.ArrayLength", "the argument must be an array")
    return len(args[0])


def _array_unique(args: list[Any], rng: random.Random) -> Any:
    _count("States.ArrayUnique", args, 1)
    if not isinstance(args[0], list):
        raise _fail("States.ArrayUnique", "the argument must be an array")
    unique: dict[str, Any] = {}
    for item in args[0]:
        unique.setdefault(_json_key(item), item)
    return list(unique.values())


def _base64_encode(args: list[Any], rng: random.Random) -> Any:
    _count("States.Base64Encode", args, 1)
    if not isinstance(args[0], str) or len(args[0]) > 10_000:
        raise _fail("States.Base64Encode", "the argument must be a string of at most 10000 characters")
    return base64.b64encode(args[0].encode()).decode()


def _base64_decode(args: list[Any], rng: random.Random) -> Any:
    _count("States.Base64Decode", args, 1)
    if not isinstance(args[0], str) or len(args[0]) > 10_000:
        raise _fail("States.Base64Decode", "the argument must be a string of at most 10000 characters")
    try:
        return base64.b64decode(args[0], validate=True).decode()
    except ValueError:
        raise _fail("States.Base64Decode", "the argument is not valid base64") from None


def _hash(args: list[Any], rng: random.Random) -> Any:
    _count("States.Hash", args, 2)
    data, algorithm = args
    if algorithm not in _HASHES:
        raise _fail("States.Hash", f"the algorithm must be one of {', '.join(_HASHES)}")
    # Assumption: non-string data is hashed as its compact JSON text.
    text = data if isinstance(data, str) else _dumps(data)
    if len(text) > 10_000:
        raise _fail("States.Hash", "the data may hold at most 10000 characters")
    return hashlib.new(_HASHES[algorithm], text.encode()).hexdigest()


def _json_merge(args: list[Any], rng: random.Random) -> Any:
    _count("States.JsonMerge", args, 3)
    left, right, deep = args
    if not isinstance(left, dict) or not isinstance(right, dict):
        raise _fail("States.JsonMerge", "the first two arguments must be JSON objects")
    if deep is not False:
        raise _fail("States.JsonMerge", "only shallow merging is supported: the third argument must be false")
    return {**left, **right}


def _math_random(args: list[Any], rng: random.Random) -> Any:
    _count("States.MathRandom", args, 2, 3)
    numbers = [_rounded(a) for a in args]
    if any(n is None for n in numbers):
        raise _fail("States.MathRandom", "all arguments must be integers")
    start, end = int(numbers[0] or 0), int(numbers[1] or 0)
    if end <= start:
        raise _fail("States.MathRandom", "the end must be greater than the start")
    source = random.Random(numbers[2]) if len(args) == 3 else rng
    return source.randrange(start, end)  # start inclusive, end exclusive


def _math_add(args: list[Any], rng: random.Random) -> Any:
    _count("States.MathAdd", args, 2)
    numbers = [_rounded(a) for a in args]
    low, high = _INT32
    if any(n is None or not low <= n <= high for n in numbers):
        raise _fail("States.MathAdd", f"both arguments must be integers between {low} and {high}")
    return int(numbers[0] or 0) + int(numbers[1] or 0)


def _string_split(args: list[Any], rng: random.Random) -> Any:
    _count("States.StringSplit", args, 2)
    text, delimiters = args
    if not isinstance(text, str) or not isinstance(delimiters, str):
        raise _fail("States.StringSplit", "both arguments must be strings")
    # Every character of the second argument is a delimiter and empty pieces
    # are dropped (AWS splits like a tokenizer: "a,,b" gives ["a", "b"]).
    pieces, current = [], ""
    for ch in text:
        if ch in delimiters:
            if current:
                pieces.append(current)
            current = ""
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def _uuid(args: list[Any], rng: random.Random) -> Any:
    _count("States.UUID", args, 0)
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (0x4000 << 64)
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)
    hex_ = f"{value:032x}"
    return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"


FUNCTIONS: dict[str, Callable[[list[Any], random.Random], Any]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}

__all__ = ["FUNCTIONS", "Call", "IntrinsicSyntaxError", "evaluate", "looks_intrinsic", "parse"]
