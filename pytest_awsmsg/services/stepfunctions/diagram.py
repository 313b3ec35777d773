"""An execution as a Mermaid flowchart: the definition, with the path it took marked.

People would rather look at an execution than read its history. The text is
deterministic (node ids by definition order, no timestamps), so it diffs in a
test and renders wherever Markdown renders Mermaid. Visited states are green,
the state that failed the execution red; edges taken are thick, a retried
state says how often, a Catch edge taken names the error it caught, and a Map
or Parallel draws its iterations or branches as subgraphs.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .models import Execution, Step

_ITERATION = re.compile(r"\[\d+\]/")
_CLASSES = (
    "    classDef visited fill:#d7f5dd,stroke:#2e7d32",
    "    classDef failed fill:#fbd5d5,stroke:#c62828,stroke-width:2px",
)


def _scope(label: str) -> str:
    """A thread label with Map iteration numbers dropped: every iteration draws into one subgraph."""
    return _ITERATION.sub("[]/", label)


def _text(value: str) -> str:
    """A label safe inside Mermaid's double quotes."""
    for raw, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        value = value.replace(raw, entity)
    return value


@dataclass
class _Trace:
    """What the execution did, by (scope, state name)."""

    visited: set[tuple[str, str]] = field(default_factory=set)
    retries: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    taken: dict[tuple[str, str, str], str | None] = field(default_factory=dict)  # edge -> error it caught
    failed: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, execution: Execution) -> _Trace:
        trace = cls()
        trace.add(execution, "")
        if execution.status == "SUCCEEDED" and execution.steps:
            top = [step for step in execution.steps if not step.branch]
            if top:
                trace.taken[("", top[-1].state, "")] = None
        return trace

    def add(self, execution: Execution, outer: str) -> None:
        """One execution's steps under the scope ``outer`` (a distributed Map's children under their Map)."""
        by_thread: dict[str, list[Step]] = defaultdict(list)
        for step in execution.steps:
            by_thread[step.branch].append(step)
            key = (outer + _scope(step.branch), step.state)
            self.visited.add(key)
            self.retries[key] += step.retries
            for child in step.children:
                self.add(child, f"{key[0]}{step.state}[]/")
        for label, steps in by_thread.items():
            scope = outer + _scope(label)
            for before, after in itertools.pairwise(steps):
                self.taken[(scope, before.state, after.state)] = before.error
            last = steps[-1]
            if last.error is not None and execution.status != "SUCCEEDED":
                self.failed.add((scope, last.state))


class _Drawing:
    def __init__(self, trace: _Trace) -> None:
        self.trace = trace
        self.lines: list[str] = []
        self.ids: dict[tuple[str, str], str] = {}
        self.classes: dict[str, list[str]] = {"visited": [], "failed": []}

    def node_id(self, scope: str, name: str) -> str:
        key = (scope, name)
        if key not in self.ids:
            self.ids[key] = f"s{len(self.ids)}"
        return self.ids[key]

    def edge(self, scope: str, source: str, target: str, label: str = "", dotted: bool = False) -> None:
        """An edge, thick when the execution took it (a taken Catch names the error it caught)."""
        key = (scope, source, target)
        taken = key in self.trace.taken
        caught = self.trace.taken.get(key)
        if taken and dotted and caught:
            label = f"caught {caught}"
        arrow = "==>" if taken else "-.->" if dotted else "-->"
        shown = f'|"{_text(label)}"|' if label else ""
        end = "stop" if target == "" else self.node_id(scope, target)
        self.lines.append(f"{self.indent}{self.node_id(scope, source)} {arrow}{shown} {end}")

    indent = "    "

    def machine(self, definition: dict[str, Any], scope: str) -> None:
        """Every state of one state machine (or branch, or iteration), then its edges."""
        states: dict[str, Any] = definition.get("States", {})
        for name in states:
            self.node_id(scope, name)
        for name, state in states.items():
            self.state(scope, name, state)
        for name, state in states.items():
            self.edges(scope, name, state)

    def state(self, scope: str, name: str, state: dict[str, Any]) -> None:
        key = (scope, name)
        kind = str(state.get("Type", "?"))
        label = f"{_text(name)}<br/>{kind}"
        retries = self.trace.retries.get(key, 0)
        if retries:
            label += f"<br/>retried {retries}x"
        node = self.node_id(scope, name)
        shape = (
            f'[["{label}"]]'
            if kind in ("Map", "Parallel")
            else f'{{"{label}"}}'
            if kind == "Choice"
            else f'["{label}"]'
        )
        self.lines.append(f"{self.indent}{node}{shape}")
        if key in self.trace.failed:
            self.classes["failed"].append(node)
        elif key in self.trace.visited:
            self.classes["visited"].append(node)
        if kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator") or {}
            self.subgraph(f"{scope}{name}[]/", f"{node}_items", f"{name} (each item)", processor, node, "each item")
        elif kind == "Parallel":
            for index, branch in enumerate(state.get("Branches", [])):
                self.subgraph(
                    f"{scope}{name}/{index}/", f"{node}_b{index}", f"{name} branch {index}", branch, node, "branch"
                )

    def subgraph(self, scope: str, ident: str, title: str, body: dict[str, Any], owner: str, label: str) -> None:
        self.lines.append(f'{self.indent}subgraph {ident}["{_text(title)}"]')
        outer = self.indent
        self.indent += "    "
        self.machine(body, scope)
        self.indent = outer
        self.lines.append(f"{self.indent}end")
        start = body.get("StartAt")
        if isinstance(start, str):
            arrow = "==>" if (scope_start := (scope, start)) in self.trace.visited else "-.->"
            self.lines.append(f'{self.indent}{owner} {arrow}|"{label}"| {self.node_id(*scope_start)}')

    def edges(self, scope: str, name: str, state: dict[str, Any]) -> None:
        if state.get("Type") == "Choice":
            for index, rule in enumerate(state.get("Choices", []), 1):
                self.edge(scope, name, rule.get("Next", ""), f"rule {index}")
            if "Default" in state:
                self.edge(scope, name, state["Default"], "Default")
        elif "Next" in state:
            self.edge(scope, name, state["Next"])
        elif (state.get("End") or state.get("Type") == "Succeed") and scope == "":
            self.edge(scope, name, "")
        for catcher in state.get("Catch", []):
            self.edge(scope, name, catcher.get("Next", ""), ", ".join(catcher.get("ErrorEquals", [])), dotted=True)


def mermaid(execution: Execution) -> str:
    """The execution's definition as a Mermaid flowchart, its path marked."""
    drawing = _Drawing(_Trace.of(execution))
    definition = execution.definition
    start = definition.get("StartAt", "")
    for name in definition.get("States", {}):
        drawing.node_id("", name)
    drawing.lines.append("flowchart TD")
    drawing.lines.append("    start((Start))")
    drawing.lines.append("    stop((End))")
    drawing.lines.append(f"    start ==> {drawing.node_id('', start)}")
    drawing.machine(definition, "")
    for name, nodes in drawing.classes.items():
        if nodes:
            drawing.lines.append(f"    class {','.join(nodes)} {name}")
    drawing.lines.extend(_CLASSES)
    return "\n".join(drawing.lines) + "\n"


__all__ = ["mermaid"]
