"""JSONata in Step Functions: ``{% ... %}`` expressions, the ``$states`` object and AWS's function set.

A field of a JSONata state holds JSON in which every string that starts with
``{%`` and ends with ``%}`` is an expression; :func:`render` evaluates them all.
Expressions see ``$states`` (``input``, ``context``, and per phase ``result``
or ``errorOutput``) and the workflow variables as ``$name``. Evaluation is
done by jsonata-python (a port of the reference implementation), with the
functions AWS adds (``$partition``, ``$range``, ``$hash``, ``$random``,
``$uuid``, ``$parse``), without ``$eval`` (AWS removes it), and with
``$now``/``$millis`` on the cloud's clock so runs stay deterministic.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jsonata  # type: ignore[import-untyped]
from jsonata import functions as jsonata_functions
from jsonata import utils as jsonata_utils

from . import intrinsics
from .errors import StatesError

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
_NULL = jsonata_utils.Utils.NULL_VALUE


def js_number(value: float) -> str:
    """A number as the reference JSONata writes it: JavaScript's Number#toString, fractions to 15 digits.

    jsonata-python writes ``$string(1e20)`` as ``1e+20`` where the reference
    writes ``100000000000000000000`` (found by benchmarks/differential/jsonata_oracle.py).
    """
    if isinstance(value, int) and abs(value) < 2**53:
        return str(value)
    # Measured on the reference: whole numbers keep every digit a double holds; fractions get 15.
    rounded = float(value) if float(value).is_integer() else float(f"{value:.15g}")
    if rounded == 0:
        return "0"
    sign, digits_tuple, exponent = Decimal(repr(rounded)).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple))
    k, n = len(digits), len(digits) + int(exponent)  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return ("-" if sign else "") + text


def _js_json(value: Any, indent: str = "", step: str = "") -> str:
    """JSON text as the reference JSONata's $string writes it (JSON.stringify, its number rule, functions as "")."""
    if value is None or value is _NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    inner = indent + step
    newline, colon = ("\n", ": ") if step else ("", ":")
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [newline + inner + _js_json(item, inner, step) for item in value]
        return "[" + ",".join(items) + newline + indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = [
            newline + inner + json.dumps(key, ensure_ascii=False) + colon + _js_json(item, inner, step)
            for key, item in value.items()
        ]
        return "{" + ",".join(members) + newline + indent + "}"
    return '""'  # a function


# jsonata-python's $string (and the string conversions of & and friends) write numbers the
# Python way; the kit's expressions must give the reference implementation's text.
def _js_string(arg: Any, prettify: bool) -> str:
    """$string of a value that is not a string: a function is "" (inside an object, the JSON string "")."""
    if not (arg is _NULL or isinstance(arg, (type(None), bool, int, float, str, list, dict))):
        return ""
    return _js_json(arg, "", "  " if prettify else "")


jsonata_functions.Functions._string = staticmethod(_js_string)


class QuerySyntaxError(ValueError):
    """An expression that does not parse (found at CreateStateMachine)."""


def is_expression(value: Any) -> bool:
    """Whether ``value`` is a JSONata expression: exactly ``{%`` ... ``%}``, no space outside them."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


@lru_cache(maxsize=4096)
def _compiled(body: str) -> Any:
    """The parsed expression (cached: a machine evaluates the same ones again and again).

    Nothing per evaluation is stored on it: ``$states``, the variables and the
    functions that read the cloud's seed and clock come in as bindings.
    """
    expr = jsonata.Jsonata(body)
    expr.set_output_convert_nulls(False)  # keep null apart from undefined
    expr.set_validate_input(False)  # the interpreter hands it JSON values only
    expr.register_function("eval", None)  # AWS removes $eval: $parse reads JSON instead
    return expr


def check(text: str) -> None:
    """Raise :class:`QuerySyntaxError` unless ``{% text %}``'s body parses."""
    try:
        _compiled(text[2:-2])
    except Exception as error:  # jsonata-python reports syntax errors as JException
        raise QuerySyntaxError(str(error)) from None


class _NotJson(ValueError):
    """A JSONata result JSON cannot hold (a function)."""


def _plain(value: Any) -> Any:
    """A JSONata result as JSON values: its null marker becomes None, whole floats stay floats.

    A function is no JSON value: :class:`_NotJson` (the state's expression fails).
    """
    if value is _NULL:
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise _NotJson(type(value).__name__)


class Environment:
    """What an expression may read: ``$states``, the variables, seeded randomness and the clock."""

    def __init__(
        self, states: dict[str, Any], variables: Mapping[str, Any], rng: random.Random, now_ms: Callable[[], int]
    ) -> None:
        self.states = states
        self.variables = variables
        self.rng = rng
        self.now_ms = now_ms

    def _intrinsic(self, name: str, args: list[Any]) -> Any:
        # AWS's JSONata functions mirror these intrinsics, argument checks included.
        try:
            return intrinsics.FUNCTIONS[name]([_plain(a) for a in args], self.rng)
        except StatesError as error:
            raise StatesError(QUERY_EVALUATION_ERROR, error.cause) from None

    def _random(self, seed: Any = None) -> float:
        if seed is None or seed is _NULL:
            return self.rng.random()
        return random.Random(str(_plain(seed))).random()

    def _parse(self, text: Any) -> Any:
        if not isinstance(text, str):
            raise StatesError(QUERY_EVALUATION_ERROR, "The argument of $parse must be a string")
        try:
            return json.loads(text)
        except ValueError as error:
            raise StatesError(QUERY_EVALUATION_ERROR, f"$parse could not parse its argument as JSON: {error}") from None

    def _now(self, *_: Any) -> str:
        ms = self.now_ms()
        when = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"

    def evaluate(self, text: str, field: str) -> Any:
        """The value of ``{% text %}`` for ``field``; failures are States.QueryEvaluationError."""
        body = text[2:-2]
        try:
            expr = _compiled(body)
            functions: dict[str, Callable[..., Any]] = {
                "partition": lambda array, size: self._intrinsic("States.ArrayPartition", [array, size]),
                "range": lambda start, end, step: self._intrinsic("States.ArrayRange", [start, end, step]),
                "hash": lambda data, algorithm: self._intrinsic("States.Hash", [data, algorithm]),
                "random": self._random,
                "uuid": lambda: self.rng_uuid(),
                "parse": self._parse,
                "now": self._now,
                "millis": lambda: self.now_ms(),
            }
            bindings = {name: jsonata.Jsonata.JLambda(function) for name, function in functions.items()}
            # A top-level None would read as undefined: JSONata's null is its own marker.
            variables = {name: _NULL if value is None else value for name, value in self.variables.items()}
            states = {name: _NULL if value is None else value for name, value in self.states.items()}
            value = expr.evaluate(None, {**variables, **bindings, "states": states})
        except StatesError as error:
            error.location = error.location or field
            raise
        except Exception as error:  # JException, and Python errors the port lets through
            raise StatesError(
                QUERY_EVALUATION_ERROR,
                f"The JSONata expression '{body.strip()}' specified for the field '{field}' threw an error "
                f"during evaluation. {error}",
                location=field,
            ) from None
        if value is None:
            raise StatesError(
                QUERY_EVALUATION_ERROR,
                f"The JSONata expression '{body.strip()}' specified for the field '{field}' returned nothing "
                "(undefined).",
                location=field,
            )
        try:
            return _plain(value)
        except _NotJson:
            # Assumption: AWS's wording; a function has no JSON form, so the field cannot take it.
            raise StatesError(
                QUERY_EVALUATION_ERROR,
                f"The JSONata expression '{body.strip()}' specified for the field '{field}' returned an "
                "unsupported result type.",
                location=field,
            ) from None

    def rng_uuid(self) -> str:
        uuid4 = getattr(self.rng, "uuid4", None)
        if uuid4 is not None:
            return str(uuid4())
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def render(self, node: Any, field: str) -> Any:
        """``node`` with every expression string in it (at any depth) replaced by its value."""
        if is_expression(node):
            return self.evaluate(node, field)
        if isinstance(node, dict):
            return {key: self.render(value, field) for key, value in node.items()}
        if isinstance(node, list):
            return [self.render(item, field) for item in node]
        return node


def expressions(node: Any) -> list[str]:
    """Every expression string in a field's JSON (for checking at creation)."""
    if is_expression(node):
        return [node]
    if isinstance(node, dict):
        return [e for value in node.values() for e in expressions(value)]
    if isinstance(node, list):
        return [e for item in node for e in expressions(item)]
    return []
