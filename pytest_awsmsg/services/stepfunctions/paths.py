"""The JSONPath subset Step Functions accepts, and reference paths.

A *path* (InputPath, OutputPath, ItemsPath, ``.$`` values) may select many
nodes (``[*]``, ``..``, slices, unions, filters); it then yields a list, as
AWS's Jayway-based implementation does. A *reference path* (ResultPath, a
Choice ``Variable``, ``*Path`` fields) names exactly one node with ``.name``,
``['name']`` and ``[n]`` only.
"""

from __future__ import annotations

import copy
import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class PathError(ValueError):
    """A path is malformed (found at definition time)."""


class PathNotFound(LookupError):
    """A well-formed path selects nothing in the data it was applied to."""


@dataclass(frozen=True)
class Segment:
    kind: str  # key | index | wild | deep | slice | union | filter
    value: Any = None


_NAME = re.compile(r"[^.\[\]\s()'\"=<>!&|,*@$]+")
_FILTER = re.compile(
    r"^\?\(\s*@((?:\.[A-Za-z_][\w-]*|\['[^']*'\])+)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$",
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _bracket_end(path: str, start: int) -> int:
    """Index of the ``]`` closing the bracket opened at ``start`` (quotes respected)."""
    depth = 0
    quote = ""
    i = start
    while i < len(path):
        ch = path[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth == 0 and ch == "]":
                return i
        i += 1
    raise PathError(f"unclosed '[' in {path!r}")


def _bracket_segment(body: str, path: str) -> Segment:
    body = body.strip()
    if body == "*":
        return Segment("wild")
    if body.startswith("?"):
        found = _FILTER.match(body)
        if not found:
            raise PathError(f"unsupported filter expression [{body}] in {path!r}")
        members = tuple(m.strip(".[]'") for m in re.findall(r"\.[A-Za-z_][\w-]*|\['[^']*'\]", found.group(1)))
        literal: Any = None
        if found.group(2):
            raw = found.group(3).strip()
            if raw.startswith("'") and raw.endswith("'"):
                literal = raw[1:-1]
            else:
                try:
                    literal = json.loads(raw)
                except ValueError:
                    raise PathError(f"unsupported filter literal {raw!r} in {path!r}") from None
        return Segment("filter", (members, found.group(2), literal))
    if ":" in body:
        parts = body.split(":")
        if len(parts) > 3 or not all(re.fullmatch(r"\s*-?\d*\s*", p) for p in parts):
            raise PathError(f"bad slice [{body}] in {path!r}")
        nums = tuple(int(p) if p.strip() else None for p in parts)
        return Segment("slice", nums)
    items = [item.strip() for item in _split_union(body)]
    values: list[Any] = []
    for item in items:
        if re.fullmatch(r"-?\d+", item):
            values.append(int(item))
        elif len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
            values.append(item[1:-1].replace("\\'", "'"))
        else:
            raise PathError(f"bad bracket expression [{body}] in {path!r}")
    if len(values) == 1:
        return Segment("index" if isinstance(values[0], int) else "key", values[0])
    return Segment("union", tuple(values))


def _split_union(body: str) -> list[str]:
    parts, quote, current = [], "", ""
    for ch in body:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts


_CACHE: dict[str, tuple[Segment, ...]] = {}


def parse(path: str) -> tuple[Segment, ...]:
    """Segments of a path that starts at ``$`` (``$$`` paths are parsed without the first ``$``)."""
    found = _CACHE.get(path)
    if found is not None:
        return found
    if not isinstance(path, str) or not path.startswith("$"):
        raise PathError(f"a path must start with '$': {path!r}")
    segments: list[Segment] = []
    i = 1
    n = len(path)
    while i < n:
        ch = path[i]
        if path.startswith("..", i):
            i += 2
            if i < n and path[i] == "*":
                segments.append(Segment("deep", None))
                i += 1
                continue
            name = _NAME.match(path, i)
            if not name:
                raise PathError(f"expected a name after '..' in {path!r}")
            segments.append(Segment("deep", name.group(0)))
            i = name.end()
        elif ch == ".":
            i += 1
            if i < n and path[i] == "*":
                segments.append(Segment("wild"))
                i += 1
                continue
            name = _NAME.match(path, i)
            if not name:
                raise PathError(f"expected a name after '.' in {path!r}")
            segments.append(Segment("key", name.group(0)))
            i = name.end()
        elif ch == "[":
            end = _bracket_end(path, i)
            segments.append(_bracket_segment(path[i + 1 : end], path))
            i = end + 1
        else:
            raise PathError(f"unexpected {ch!r} at position {i} in {path!r}")
    result = tuple(segments)
    _CACHE[path] = result
    return result


def is_definite(path: str) -> bool:
    return all(s.kind in ("key", "index") for s in parse(path))


def validate_reference_path(path: str) -> None:
    """Raise :class:`PathError` unless ``path`` is a reference path."""
    if not is_definite(path):
        raise PathError(f"{path!r} is not a valid reference path: only '.name', \"['name']\" and '[n]' are allowed")


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return list(node)
    return []


def _descend(node: Any) -> list[Any]:
    out = [node]
    for child in _children(node):
        out.extend(_descend(child))
    return out


def _member(node: Any, members: tuple[str, ...]) -> tuple[bool, Any]:
    for name in members:
        if not isinstance(node, dict) or name not in node:
            return False, None
        node = node[name]
    return True, node


def _pick(node: Any, item: int | str) -> list[Any]:
    """``node[item]`` as a list of zero or one value (a union member that may be absent)."""
    if isinstance(item, int) and isinstance(node, list) and -len(node) <= item < len(node):
        return [node[item]]
    if isinstance(item, str) and isinstance(node, dict) and item in node:
        return [node[item]]
    return []


def _apply(segment: Segment, nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    kind = segment.kind
    for node in nodes:
        if kind == "key":
            if isinstance(node, dict) and segment.value in node:
                out.append(node[segment.value])
        elif kind == "index":
            if isinstance(node, list) and -len(node) <= segment.value < len(node):
                out.append(node[segment.value])
        elif kind == "wild":
            out.extend(_children(node))
        elif kind == "deep":
            for inner in _descend(node):
                if segment.value is None:
                    out.extend(_children(inner))
                elif isinstance(inner, dict) and segment.value in inner:
                    out.append(inner[segment.value])
        elif kind == "slice":
            if isinstance(node, list):
                bounds: tuple[int | None, ...] = (*segment.value, None, None)
                out.extend(node[slice(bounds[0], bounds[1], bounds[2])])
        elif kind == "union":
            for item in segment.value:
                out.extend(_pick(node, item))
        elif kind == "filter":
            members, op, literal = segment.value
            for child in node if isinstance(node, list) else _children(node):
                present, value = _member(child, members)
                if not present:
                    continue
                if op is None:
                    out.append(child)
                    continue
                try:
                    if type(value) is bool or type(literal) is bool:
                        ok = op in ("==", "!=") and _OPS[op](value, literal)
                    else:
                        ok = _OPS[op](value, literal)
                except TypeError:
                    ok = False
                if ok:
                    out.append(child)
    return out


def select(path: str, data: Any) -> Any:
    """The value ``path`` selects in ``data``; a list when the path is indefinite."""
    segments = parse(path)
    nodes = [data]
    for segment in segments:
        nodes = _apply(segment, nodes)
        if not nodes and all(s.kind in ("key", "index") for s in segments):
            raise PathNotFound(path)
    if all(s.kind in ("key", "index") for s in segments):
        if not nodes:
            raise PathNotFound(path)
        return nodes[0]
    return nodes


def exists(path: str, data: Any) -> bool:
    try:
        select(path, data)
    except PathNotFound:
        return False
    return True


# ``$name`` starts a path into a workflow variable (a Unicode identifier, as AWS names them).
_VARIABLE = re.compile(r"\$([^\W\d]\w*)")


def variable_ref(path: str) -> tuple[str, str] | None:
    """``(name, path inside its value)`` for a ``$name...`` path; None for ``$``/``$$`` paths."""
    found = _VARIABLE.match(path)
    if not found:
        return None
    return found.group(1), "$" + path[found.end() :]


def parse_any(path: str) -> tuple[Segment, ...]:
    """:func:`parse` for every path a state may read: ``$``, ``$$`` (the context) and ``$name`` (a variable)."""
    if path.startswith("$$"):
        return parse(path[1:])
    ref = variable_ref(path)
    return parse(ref[1] if ref else path)


class Context(dict[str, Any]):
    """The context object (``$$``), carrying the workflow variables a ``$name`` path reads.

    The variables travel with the context because every place that reads
    ``$$`` paths (templates, intrinsics, Choice rules) reads ``$name`` paths too.
    """

    def __init__(self, values: dict[str, Any], variables: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.variables = variables


def resolve(path: str, data: Any, context: Any) -> Any:
    """What ``path`` selects: in the context object (``$$``), a variable (``$name``) or ``data`` (``$``)."""
    if path.startswith("$$"):
        return select(path[1:], context)
    ref = variable_ref(path)
    if ref is None:
        return select(path, data)
    name, inner = ref
    variables: Mapping[str, Any] = getattr(context, "variables", {})
    if name not in variables:
        raise PathNotFound(path)
    return select(inner, variables[name])


def resolves(path: str, data: Any, context: Any) -> bool:
    try:
        resolve(path, data, context)
    except PathNotFound:
        return False
    return True


def assign(path: str, target: Any, value: Any) -> Any:
    """``target`` with ``value`` placed at reference path ``path`` (ResultPath).

    Intermediate objects are created; the input is not modified. A path that
    runs through a non-object is an error, as AWS reports it.
    """
    segments = parse(path)
    if not segments:
        return value
    root = copy.deepcopy(target)
    node = root
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment.kind == "key":
            if not isinstance(node, dict):
                raise PathNotFound(path)
            if last:
                node[segment.value] = value
            else:
                if segment.value not in node:
                    node[segment.value] = {}
                node = node[segment.value]
        elif segment.kind == "index":
            if not isinstance(node, list) or not -len(node) <= segment.value < len(node):
                raise PathNotFound(path)
            if last:
                node[segment.value] = value
            else:
                node = node[segment.value]
        else:
            raise PathError(f"{path!r} is not a reference path")
    return root


def bracket_notation(path: str) -> str:
    """``$.a.b[0]`` as AWS prints it in errors: ``$['a']['b'][0]``."""
    out = "$"
    for segment in parse(path):
        if segment.kind == "key":
            out += f"['{segment.value}']"
        elif segment.kind == "index":
            out += f"[{segment.value}]"
        else:
            return path
    return out
