"""JMS message selectors (the SQL-92 subset a ``selector`` header holds), as ActiveMQ evaluates them.

Supported: ``=  <>  <  >  <=  >=``, ``AND OR NOT``, ``[NOT] BETWEEN``, ``[NOT]
IN (...)``, ``[NOT] LIKE ... [ESCAPE ...]``, ``IS [NOT] NULL``, ``+ - * /``,
parentheses, string/number/boolean literals. Logic is three-valued: a missing
property is NULL (unknown), and a SUBSCRIBE's selector matches only when the
expression is TRUE.

Values: the JMS headers (``JMSPriority``, ``JMSTimestamp``, ``JMSExpiration``,
``JMSXDeliveryCount`` as numbers; ``JMSType``, ``JMSCorrelationID``,
``JMSMessageID``, ``JMSDeliveryMode`` = 'PERSISTENT' / 'NON_PERSISTENT' as
strings; ``JMSRedelivered``) and the message's properties. A property a STOMP
client set is a header, so a string; as ActiveMQ 5.17 does (checked against
one), a string compared with a number or a boolean is converted to it first:
``amount > 5``, ``amount = 10`` and ``amount = '10'`` all match ``amount:10``,
``flag = true`` matches ``flag:true``; arithmetic on a string is unknown; a
string or boolean literal on either side of ``<``, ``>``, ``<=``, ``>=`` does
not parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeAlias

Value: TypeAlias = str | int | float | bool | None
Lookup = Callable[[str], Value]
Node = Callable[[Lookup], Value]


class SelectorError(ValueError):
    """A selector that does not parse (ActiveMQ's InvalidSelectorException)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|0[xX][0-9a-fA-F]+|\d+[lL]?)
      | (?P<ident>[A-Za-z_$][A-Za-z0-9_$.]*)
      | (?P<op><>|<=|>=|[=<>()+\-*/,])
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "LIKE", "ESCAPE", "IS", "NULL", "TRUE", "FALSE"}


def _tokens(text: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise SelectorError(f"unexpected character at position {pos}: {text[pos : pos + 10]!r}")
        pos = match.end()
        kind = match.lastgroup
        raw = match.group(kind or "")
        if kind == "string":
            out.append(("lit", raw[1:-1].replace("''", "'")))
        elif kind == "number":
            out.append(("lit", _number(raw)))
        elif kind == "ident":
            upper = raw.upper()
            if upper in ("TRUE", "FALSE"):
                out.append(("lit", upper == "TRUE"))
            elif upper in _KEYWORDS:
                out.append(("kw", upper))
            else:
                out.append(("id", raw))
        else:
            out.append(("op", raw))
    out.append(("end", None))
    return out


def _number(raw: str) -> int | float:
    if raw[:2].lower() == "0x":
        return int(raw, 16)
    if raw[-1] in "lL":
        return int(raw[:-1])
    if any(c in raw for c in ".eE"):
        return float(raw)
    return int(raw)


def _numeric(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _convert(value: Value, like: Value) -> Value:
    """A string property read as the type it is compared with (None when it does not read as one)."""
    if not isinstance(value, str) or isinstance(like, str):
        return value
    if isinstance(like, bool):
        return {"true": True, "false": False}.get(value.lower())
    try:
        return _number(value.strip())
    except (ValueError, IndexError):
        return None


def _compare(op: str, left: Value, right: Value) -> bool | None:
    left, right = _convert(left, right), _convert(right, left)
    if left is None or right is None:
        return None
    if not (_numeric(left) and _numeric(right)) and type(left) is not type(right):
        # A string against a number (or a boolean): never equal, never ordered.
        return {"=": False, "<>": True}.get(op)
    if op == "=":
        return left == right
    if op == "<>":
        return left != right
    if isinstance(left, bool):
        return None
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def _not(value: Value) -> Value:
    return None if value is None else not value


def _and(left: Value, right: Value) -> Value:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return bool(left) and bool(right)


def _or(left: Value, right: Value) -> Value:
    if left is True or right is True:
        return True
    if left is None or right is None:
        return None
    return False


def _like(pattern: str, escape: str | None) -> re.Pattern[str]:
    out = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            out.append(re.escape(next(chars, "")))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, object]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, object]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def accept(self, kind: str, value: object) -> bool:
        if self.peek() == (kind, value):
            self.pos += 1
            return True
        return False

    def expect(self, kind: str, value: object) -> None:
        if not self.accept(kind, value):
            raise SelectorError(f"expected {value!r}, found {self.peek()[1]!r}")

    def parse(self) -> Node:
        node = self.or_()
        if self.peek()[0] != "end":
            raise SelectorError(f"unexpected {self.peek()[1]!r}")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.accept("kw", "OR"):
            node = _binary(_or, node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.accept("kw", "AND"):
            node = _binary(_and, node, self.not_())
        return node

    def not_(self) -> Node:
        if self.accept("kw", "NOT"):
            inner = self.not_()
            return lambda get: _not(inner(get))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        kind, value = self.peek()
        if kind == "op" and value in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            operand = self.pos
            op, right = str(value), self.additive()
            if op not in ("=", "<>") and (_is_text(self.tokens[operand]) or _is_text(self.tokens[operand - 2])):
                raise SelectorError(f"a string or boolean cannot be compared with {op}")
            return lambda get: _compare(op, left(get), right(get))
        if self.accept("kw", "IS"):
            negate = self.accept("kw", "NOT")
            self.expect("kw", "NULL")
            return lambda get: (left(get) is None) != negate
        negate = self.accept("kw", "NOT")
        if self.accept("kw", "BETWEEN"):
            low = self.additive()
            self.expect("kw", "AND")
            high = self.additive()

            def between(get: Lookup) -> Value:
                v = left(get)
                inside = _and(_compare(">=", v, low(get)), _compare("<=", v, high(get)))
                return _not(inside) if negate else inside

            return between
        if self.accept("kw", "IN"):
            self.expect("op", "(")
            items = [self.literal()]
            while self.accept("op", ","):
                items.append(self.literal())
            self.expect("op", ")")

            def in_(get: Lookup) -> Value:
                v = left(get)
                if v is None:
                    return None
                found = any(_compare("=", v, item) for item in items)
                return found != negate

            return in_
        if self.accept("kw", "LIKE"):
            pattern = self.literal()
            escape = self.literal() if self.accept("kw", "ESCAPE") else None
            if not isinstance(pattern, str) or (
                escape is not None and (not isinstance(escape, str) or len(escape) != 1)
            ):
                raise SelectorError("LIKE takes a string pattern and a one-character ESCAPE")
            regex = _like(pattern, escape)

            def like(get: Lookup) -> Value:
                v = left(get)
                if not isinstance(v, str):
                    return None
                return (regex.fullmatch(v) is not None) != negate

            return like
        if negate:
            raise SelectorError("NOT must be followed by BETWEEN, IN or LIKE here")
        return left

    def literal(self) -> Value:
        kind, value = self.take()
        if kind == "op" and value == "-" and self.peek()[0] == "lit" and _numeric(self.peek()[1]):  # type: ignore[arg-type]
            return -self.take()[1]  # type: ignore[operator,no-any-return]
        if kind != "lit":
            raise SelectorError(f"expected a literal, found {value!r}")
        return value  # type: ignore[return-value]

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = str(self.take()[1])
            node = _arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = str(self.take()[1])
            node = _arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.accept("op", "-"):
            inner = self.unary()
            return lambda get: -v if _numeric(v := inner(get)) else None  # type: ignore[operator]
        if self.accept("op", "+"):
            return self.unary()
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "lit":
            return lambda get: value  # type: ignore[return-value]
        if kind == "id":
            name = str(value)
            return lambda get: get(name)
        if (kind, value) == ("op", "("):
            node = self.or_()
            self.expect("op", ")")
            return node
        raise SelectorError(f"unexpected {value!r}")


def _is_text(token: tuple[str, object]) -> bool:
    kind, value = token
    return kind == "lit" and isinstance(value, (str, bool))


def _binary(combine: Callable[[Value, Value], Value], left: Node, right: Node) -> Node:
    return lambda get: combine(left(get), right(get))


def _arith(op: str, left: Node, right: Node) -> Node:
    def run(get: Lookup) -> Value:
        a, b = left(get), right(get)
        if not (_numeric(a) and _numeric(b)):
            return None
        assert isinstance(a, (int, float))
        assert isinstance(b, (int, float))
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None
        return a / b if isinstance(a, float) or isinstance(b, float) else int(a / b)

    return run


def _nothing(name: str) -> Value:
    return None


class Selector:
    """A parsed selector; :meth:`matches` is true only where the expression is TRUE."""

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self._root = _Parser(text).parse()
            # Parsing recurses per parenthesis or NOT, evaluating per AND/OR: a selector too deep for
            # Python's stack is refused here (ActiveMQ's Java stack takes deeper ones), never mid-delivery.
            self._root(_nothing)
        except SelectorError as error:
            raise SelectorError(f"{error} in selector [{text}]") from None
        except RecursionError:
            raise SelectorError(f"nested too deeply in selector [{text[:100]}...]") from None

    def matches(self, values: Mapping[str, Value]) -> bool:
        try:
            return self._root(values.get) is True
        except RecursionError:  # evaluated at a deeper stack than the trial run: unknown, so no match
            return False

    def __repr__(self) -> str:
        return f"Selector({self.text!r})"
