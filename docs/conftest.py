"""Every docs page is a test: its ```python blocks run in order, in one namespace.

A page runs inside a fresh ``fake_aws`` (seed 0, us-east-1) whose cloud is bound to
``aws``, so the examples readers copy are the examples CI runs. A block fenced
as ```python notest is shown but not run (for snippets that need a pytest
fixture or a real test file around them). A page that needs an optional package
says so in a ``<!-- requires: module -->`` line and is skipped without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_REQUIRES = re.compile(r"^<!-- requires: ([\w.]+) -->$", re.MULTILINE)
_BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".md" and file_path.parent == Path(__file__).parent:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        text = self.path.read_text(encoding="utf-8")
        # A page about an optional client says so: <!-- requires: aiobotocore -->
        for module in _REQUIRES.findall(text):
            pytest.importorskip(module)
        blocks = []
        for match in _BLOCK.finditer(text):
            if "notest" in match.group(1):
                continue
            line = text.count("\n", 0, match.start()) + 2
            blocks.append((line, match.group(2)))
        if blocks:
            yield PageExamples.from_parent(self, name="examples", blocks=blocks)


class PageExamples(pytest.Item):
    def __init__(self, *, blocks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.blocks = blocks

    def runtest(self) -> None:
        from pytest_awsmsg import fake_aws

        with fake_aws(seed=0, region="us-east-1") as aws:
            namespace: dict[str, Any] = {"aws": aws, "__name__": f"docs_{self.path.stem}"}
            for line, source in self.blocks:
                # Pad so tracebacks point at the page's own line numbers.
                code = compile("\n" * (line - 1) + source, str(self.path), "exec")
                exec(code, namespace)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name} examples"
