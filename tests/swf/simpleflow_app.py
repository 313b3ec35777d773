"""A small simpleflow workflow (simpleflow's own quick-start shape), for test_simpleflow.py.

simpleflow finds activities by their import path, so they live in a module.
"""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x: int) -> int:
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example")
def double(x: int) -> int:
    return x * 2


class Basic(Workflow):  # type: ignore[misc]
    name = "basic"
    version = "example"
    task_list = "example"

    def run(self, x: int) -> Any:
        y = self.submit(increment, x)
        z = self.submit(double, y)
        return z.result
