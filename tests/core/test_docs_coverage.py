"""docs/coverage.md agrees with the installed botocore's models and the handlers.

The page is generated (``python docs/make_coverage.py``) from one botocore's
models. Against that botocore it must match exactly; against another (CI
installs the newest, tox the oldest supported) every operation the installed
model has must be on the page with the same handler, so the page never drifts
silently and a newer botocore's new operations show up as a failure here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import botocore

DOCS = Path(__file__).parents[2] / "docs"
_ROW = re.compile(r"^\| (\w+) \| (.+) \|$")
_SECTION = re.compile(r"^## .*\(`([\w-]+)`")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_coverage", DOCS / "make_coverage.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(page: str) -> dict[tuple[str, str], str]:
    """(service, operation) -> handler cell, from a rendered page."""
    rows: dict[tuple[str, str], str] = {}
    service = ""
    for line in page.splitlines():
        section = _SECTION.match(line)
        if section:
            service = section.group(1)
        row = _ROW.match(line)
        if row and row.group(1) != "operation":
            rows[(service, row.group(1))] = row.group(2)
    return rows


def test_coverage_page_agrees_with_the_installed_models() -> None:
    page = (DOCS / "coverage.md").read_text(encoding="utf-8")
    rendered = _generator().render()
    if f"botocore {botocore.__version__};" in page:
        assert page == rendered, "docs/coverage.md is stale: run python docs/make_coverage.py"
        return
    on_page, installed = _rows(page), _rows(rendered)
    missing = sorted(set(installed) - set(on_page))
    assert not missing, f"botocore {botocore.__version__} has operations the page lacks: {missing}; regenerate it"
    differing = {key: (on_page[key], cell) for key, cell in installed.items() if on_page[key] != cell}
    assert not differing, f"handlers differ from the page: {differing}; run python docs/make_coverage.py"
