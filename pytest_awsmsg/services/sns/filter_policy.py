"""The subscription filter policy engine: validation with AWS's limits, and matching.

A policy is validated once, when it is set (Subscribe, SetSubscriptionAttributes),
and compiled to a tree of :class:`Condition` objects; matching a message walks
that tree and, when it fails, says which key stopped it (the delivery log shows
it). Semantics follow the SNS developer guide ("Amazon SNS message filtering"):

* ``MessageAttributes`` scope (the default): flat keys; ``String`` values match
  string conditions, ``Number`` values numeric ones, each element of a
  ``String.Array`` matches on its own JSON type; ``Binary`` attributes are not
  compared at all (the guide's "Filter policy constraints": policies are
  compared only with String, String.Array and Number attributes), so to a
  policy, even to ``exists``, a Binary attribute is as good as absent.
* ``MessageBody`` scope: the message must be a JSON object; keys nest; a JSON
  array matches when any of its elements does (arrays of objects too).
* A key matches when any condition in its list does; a policy matches when all
  its keys do; ``$or`` needs one of its branches on top of its siblings.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import InvalidParameterException

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_POLICY_BYTES = 256 * 1024
NUMERIC_LIMIT = Decimal(1_000_000_000)
_PRECISION = Decimal("0.00001")  # "five digits of accuracy after the decimal point"
_MISSING: Any = object()


class FilterPolicyError(InvalidParameterException):
    """A policy AWS refuses; the message reads as AWS's ``Invalid parameter: FilterPolicy: ...``."""

    code = "InvalidParameterException"

    def __init__(self, detail: str) -> None:
        super().__init__(f"Invalid parameter: FilterPolicy: {detail}")


def _number(value: Any) -> Decimal | None:
    """A JSON number as a Decimal rounded to AWS's precision; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = Decimal(str(value))
    if not number.is_finite() or abs(number) >= NUMERIC_LIMIT * 1000:
        return number  # far outside any policy bound: rounding changes nothing (and would overflow)
    return number.quantize(_PRECISION)


def _describe(value: Any) -> str:
    return json.dumps(value, default=str)


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f")


# -- conditions -----------------------------------------------------------------


class Condition:
    """One element of a key's list: matches a single (present) value."""

    def matches(self, value: Any) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass
class Exact(Condition):
    expected: Any  # str, Decimal, bool or None

    def matches(self, value: Any) -> bool:
        if self.expected is None:
            return value is None
        if isinstance(self.expected, bool):
            return value is self.expected
        if isinstance(self.expected, Decimal):
            return _number(value) == self.expected
        return isinstance(value, str) and value == self.expected

    def describe(self) -> str:
        if isinstance(self.expected, Decimal):
            return _fmt(self.expected)
        return _describe(self.expected)


@dataclass
class Prefix(Condition):
    prefix: str

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and value.startswith(self.prefix)

    def describe(self) -> str:
        return f'{{"prefix": {_describe(self.prefix)}}}'


@dataclass
class Suffix(Condition):
    suffix: str

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and value.endswith(self.suffix)

    def describe(self) -> str:
        return f'{{"suffix": {_describe(self.suffix)}}}'


@dataclass
class EqualsIgnoreCase(Condition):
    expected: str

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and value.casefold() == self.expected.casefold()

    def describe(self) -> str:
        return f'{{"equals-ignore-case": {_describe(self.expected)}}}'


@dataclass
class AnythingBut(Condition):
    """``anything-but``: values, a prefix or a suffix the value must not have.

    Assumption (AWS does not document it): the comparison is type-aware, so
    ``{"anything-but": [100]}`` matches the string ``"100"``, and a prefix or
    suffix form matches any non-string value other than null.
    """

    excluded: list[Condition]
    text: str

    def matches(self, value: Any) -> bool:
        # A null is no value to compare: anything-but does not match it (as AWS's matcher,
        # where every condition but an exact null needs a value; pair it with [null] to accept null).
        return value is not None and not any(c.matches(value) for c in self.excluded)

    def describe(self) -> str:
        return f'{{"anything-but": {self.text}}}'


@dataclass
class Numeric(Condition):
    bounds: list[tuple[str, Decimal]]
    text: str

    def matches(self, value: Any) -> bool:
        number = _number(value)
        if number is None:
            return False
        for op, bound in self.bounds:
            if op == "=" and number != bound:
                return False
            if op == ">" and not number > bound:
                return False
            if op == ">=" and not number >= bound:
                return False
            if op == "<" and not number < bound:
                return False
            if op == "<=" and not number <= bound:
                return False
        return True

    def describe(self) -> str:
        return f'{{"numeric": {self.text}}}'


@dataclass
class Exists(Condition):
    """``exists``: AWS counts only a non-null, non-empty value as present."""

    present: bool

    def matches(self, value: Any) -> bool:
        return self.present

    def describe(self) -> str:
        return f'{{"exists": {"true" if self.present else "false"}}}'


@dataclass
class Cidr(Condition):
    network: ipaddress.IPv4Network | ipaddress.IPv6Network

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return address.version == self.network.version and address in self.network

    def describe(self) -> str:
        return f'{{"cidr": "{self.network}"}}'


# -- the compiled policy ----------------------------------------------------------


@dataclass
class Node:
    """An object level of the policy: keys with conditions, nested objects, ``$or`` branches."""

    leaves: dict[str, list[Condition]] = field(default_factory=dict)
    children: dict[str, Node] = field(default_factory=dict)
    any_of: list[Node] = field(default_factory=list)

    def key_sets(self) -> Iterator[list[str]]:
        """Each combination's leaf keys (``$or`` multiplies combinations)."""
        own = list(self.leaves)
        nested: list[list[str]] = [[]]
        for name, child in self.children.items():
            nested = [n + [f"{name}.{k}" for k in combo] for n in nested for combo in child.key_sets()]
        branches = [b for node in self.any_of for b in node.key_sets()] or [[]]
        for n in nested:
            for b in branches:
                yield own + n + b

    def combinations(self, depth: int = 1) -> int:
        """AWS's complexity: each key's number of values times its nesting depth, multiplied.

        The developer guide's example: four values three levels deep and three values two
        levels deep make 3 x 4 x 2 x 3 = 72.
        """
        total = 1
        for conditions in self.leaves.values():
            total *= len(conditions) * depth
        for child in self.children.values():
            total *= child.combinations(depth + 1)
        if self.any_of:
            total *= sum(b.combinations(depth) for b in self.any_of)
        return total


@dataclass
class Verdict:
    """Whether a message passed, and if not, the first key that stopped it."""

    matched: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.matched


@dataclass
class FilterPolicy:
    text: str
    scope: str
    root: Node
    document: dict[str, Any]

    def match(self, message: str, attributes: dict[str, dict[str, Any]] | None) -> Verdict:
        if not self.document:
            return Verdict(True)
        if self.scope == "MessageBody":
            try:
                body = json.loads(message, parse_constant=_strict_json)
            except ValueError:
                return Verdict(False, "the message body is not JSON, so a MessageBody policy cannot match it")
            if not isinstance(body, dict):
                return Verdict(False, "the message body is not a JSON object")
            flat: dict[str, list[Any]] = {}
            _flatten(body, "", flat)
            return _match_node(self.root, flat, "")
        values = {
            name: _attribute_values(attr)
            for name, attr in (attributes or {}).items()
            if not str(attr.get("DataType", "")).startswith("Binary")
        }
        if not values:
            # "exists": false only matches if at least one attribute is present. Assumption:
            # Binary attributes do not count, since SNS does not compare them at all.
            return Verdict(False, "the message has no String, String.Array or Number message attributes")
        return _match_node(self.root, values, "")


def _flatten(value: Any, path: str, out: dict[str, list[Any]]) -> None:
    """A JSON body as dotted paths to their leaf values, arrays (of objects too) spread out.

    AWS compares dotted paths: a policy key ``"a.b"`` and a nested ``{"a": {"b": ...}}``
    name the same property, in the policy and in the message alike; an array matches
    when any of its elements does, at any depth.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list):
        out.setdefault(path, [])
        for item in value:
            _flatten(item, path, out)
    else:
        out.setdefault(path, []).append(value)


def _strict_json(constant: str) -> Any:
    """NaN and Infinity are not JSON (Python's parser accepts them; AWS's does not)."""
    raise ValueError(f"{constant} is not JSON")


def _attribute_values(attribute: dict[str, Any]) -> list[Any]:
    data_type = str(attribute.get("DataType", ""))
    base = data_type.split(".")[0]
    if base == "String" and data_type.startswith("String.Array"):
        try:
            parsed = json.loads(attribute.get("StringValue", ""))
        except ValueError:
            return []
        items = parsed if isinstance(parsed, list) else [parsed]
        # Nested arrays and objects inside a String.Array are not matched.
        return [v for v in items if not isinstance(v, (list, dict))]
    if base == "String":
        return [attribute.get("StringValue")]
    try:  # Number (Binary attributes never get here)
        return [Decimal(str(attribute.get("StringValue")))]
    except InvalidOperation:
        return []


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _match_node(node: Node, values: dict[str, list[Any]], path: str) -> Verdict:
    """Match one level of the policy against the message's (flattened) values."""
    for key, conditions in node.leaves.items():
        name = f"{path}{key}"
        found = name in values
        leaf_values = values.get(name, [])
        present = [v for v in leaf_values if _present(v)]
        ok = False
        for condition in conditions:
            if isinstance(condition, Exists):
                ok = bool(present) if condition.present else not present
            elif isinstance(condition, Exact) and condition.expected is None:
                ok = any(v is None for v in leaf_values)
            else:
                ok = any(condition.matches(v) for v in leaf_values)
            if ok:
                break
        if not ok:
            shown = ", ".join(c.describe() for c in conditions)
            if not found:
                got = "absent"
            else:
                got = ", ".join(_show(v) for v in (leaf_values if leaf_values else ["<empty>"]))
            return Verdict(False, f"{name}: {got} does not match [{shown}]")
    for key, child in node.children.items():
        verdict = _match_node(child, values, f"{path}{key}.")
        if not verdict:
            return verdict
    if node.any_of:
        reasons = []
        for branch in node.any_of:
            verdict = _match_node(branch, values, path)
            if verdict:
                return verdict
            reasons.append(verdict.reason)
        return Verdict(False, "no $or branch matched (" + "; ".join(reasons) + ")")
    return Verdict(True)


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return _fmt(value)
    return _describe(value)


# -- parsing and validation ----------------------------------------------------------


def parse_filter_policy(text: str, scope: str = "MessageAttributes") -> FilterPolicy:
    """Validate a FilterPolicy as SNS does at Subscribe/SetSubscriptionAttributes."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise FilterPolicyError("Filter policy is too large (the maximum is 256 KB)")
    try:
        document = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        raise FilterPolicyError("failed to parse JSON.") from None
    if not isinstance(document, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    root = _parse_node(document, scope, depth=0)
    if max((len(k) for k in root.key_sets()), default=0) > MAX_KEYS:
        raise FilterPolicyError(f"Filter policy can not have more than {MAX_KEYS} keys")
    if root.combinations() > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")
    return FilterPolicy(text, scope, root, _plain(document))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _parse_node(document: dict[str, Any], scope: str, depth: int) -> Node:
    node = Node()
    for key, value in document.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise FilterPolicyError('"$or" must be an array of at least two filter policy objects')
            node.any_of = [_parse_node(branch, scope, depth) for branch in value]
        elif isinstance(value, list):
            node.leaves[key] = _parse_conditions(key, value)
        elif isinstance(value, dict):
            if scope != "MessageBody":
                raise InvalidParameterException(
                    "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
                )
            node.children[key] = _parse_node(value, scope, depth + 1)
        else:
            raise FilterPolicyError(f'"{key}" must be an object or an array')
    return node


def _parse_conditions(key: str, values: list[Any]) -> list[Condition]:
    if not values:
        raise FilterPolicyError("Empty arrays are not allowed")
    return [_parse_condition(key, v) for v in values]


def _check_number(value: Decimal) -> Decimal:
    if abs(value) > NUMERIC_LIMIT:
        raise FilterPolicyError("Numeric values must be between -1.0E9 and 1.0E9 inclusive")
    return value.quantize(_PRECISION)


def _parse_condition(key: str, value: Any) -> Condition:
    if value is None or isinstance(value, (bool, str)):
        return Exact(value)
    if isinstance(value, Decimal):
        return Exact(_check_number(value))
    if isinstance(value, list):
        raise FilterPolicyError(f'Match value of "{key}" must be a string, number, true, false, null or an object')
    if not isinstance(value, dict) or len(value) != 1:
        raise FilterPolicyError("Only one key allowed in match expression")
    ((op, arg),) = value.items()
    if op in ("prefix", "suffix", "equals-ignore-case"):
        if not isinstance(arg, str):
            raise FilterPolicyError(f"{op} match pattern must be a string")
        if op == "prefix":
            return Prefix(arg)
        if op == "suffix":
            return Suffix(arg)
        return EqualsIgnoreCase(arg)
    if op == "anything-but":
        return _parse_anything_but(arg)
    if op == "numeric":
        return _parse_numeric(arg)
    if op == "exists":
        if not isinstance(arg, bool):
            raise FilterPolicyError("exists match pattern must be either true or false.")
        return Exists(arg)
    if op == "cidr":
        if not isinstance(arg, str) or "/" not in arg:
            raise FilterPolicyError("Malformed CIDR, one '/' required")
        try:
            return Cidr(ipaddress.ip_network(arg, strict=False))
        except ValueError:
            raise FilterPolicyError(f"Malformed CIDR: {arg}") from None
    raise FilterPolicyError(f"Unrecognized match type {op}")


def _parse_anything_but(arg: Any) -> Condition:
    text = json.dumps(_plain(arg))
    if isinstance(arg, (str, Decimal)):
        return AnythingBut([_parse_condition("anything-but", arg)], text)
    if isinstance(arg, list):
        if not arg:
            raise FilterPolicyError("Empty arrays are not allowed")
        if not all(isinstance(v, (str, Decimal)) for v in arg):
            raise FilterPolicyError("Inside anything but list, start|null|boolean is not supported.")
        return AnythingBut([_parse_condition("anything-but", v) for v in arg], text)
    if isinstance(arg, dict) and len(arg) == 1:
        ((op, inner),) = arg.items()
        if op in ("prefix", "suffix", "equals-ignore-case"):
            values = inner if isinstance(inner, list) and op == "equals-ignore-case" else [inner]
            if not values or not all(isinstance(v, str) and v for v in values):
                raise FilterPolicyError(f"Value of {op} inside anything-but must be a non-empty string")
            return AnythingBut([_parse_condition("anything-but", {op: v}) for v in values], text)
        raise FilterPolicyError(f"Unsupported anything-but pattern: {op}")
    raise FilterPolicyError("Value of anything-but must be an array or single string/number value.")


_LOWER = (">", ">=")
_UPPER = ("<", "<=")


def _parse_numeric(arg: Any) -> Condition:
    if not isinstance(arg, list) or not arg:
        raise FilterPolicyError("Value of numeric must be an array.")
    if len(arg) % 2 or len(arg) > 4:
        raise FilterPolicyError("Too many elements in numeric expression" if len(arg) > 4 else "Bad numeric range")
    bounds: list[tuple[str, Decimal]] = []
    for i in range(0, len(arg), 2):
        op, bound = arg[i], arg[i + 1]
        if op not in ("=", *_LOWER, *_UPPER):
            raise FilterPolicyError(f"Unrecognized numeric range operator: {op}")
        if not isinstance(bound, Decimal):
            raise FilterPolicyError(f"Value of {op} must be numeric")
        bounds.append((str(op), _check_number(bound)))
    if len(bounds) == 2:
        (op1, low), (op2, high) = bounds
        if op1 not in _LOWER or op2 not in _UPPER:
            raise FilterPolicyError(
                "Bad numeric range operator: a range needs a lower bound (> or >=) then an upper one"
            )
        if low >= high:
            raise FilterPolicyError("Bottom must be less than top")
    return Numeric(bounds, json.dumps(_plain(arg)))
