"""Parallel states: one thread per branch, joined in branch order; the first failure stops the rest."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .interpreter import Thread, Visit

if TYPE_CHECKING:
    from .interpreter import Interpreter


def run_parallel(interp: Interpreter, v: Visit) -> None:
    thread = v.thread
    started = interp.event(thread, "ParallelStateStarted")
    branches = v.state["Branches"]
    results: list[Any] = [None] * len(branches)
    remaining = [len(branches)]
    children: list[Thread] = []

    def succeeded(index: int, ref: list[Thread], output: Any) -> None:
        results[index] = output
        remaining[0] -= 1
        if remaining[0] == 0 and thread.alive():
            # As AWS records a Map: ParallelStateSucceeded and ParallelStateExited both
            # link to the last event of the branch that finished last.
            interp.event(thread, "ParallelStateSucceeded", previous=ref[0].last)
            thread.last = ref[0].last
            interp.finish(v, results)

    def failed(ref: list[Thread], error: str, cause: str) -> None:
        for other in children:
            interp.abort(other)
        if thread.alive():
            thread.last = ref[0].last
            interp.state_failed(v, "ParallelStateFailed", error, cause)

    for index, branch in enumerate(branches):
        ref: list[Thread] = []
        on_success: Callable[[Any], None] = functools.partial(succeeded, index, ref)
        on_failure: Callable[[str, str], None] = functools.partial(failed, ref)
        child = Thread(
            thread.execution,
            branch,
            started,
            on_success,
            on_failure,
            parent=thread,
            label=f"{thread.label}{v.name}/{index}/",
        )
        ref.append(child)
        children.append(child)
    for child in children:
        interp.post(functools.partial(interp.enter, child, child.start_at, copy.deepcopy(v.effective)))
