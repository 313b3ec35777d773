"""docs/coverage.md is what docs/make_coverage.py writes from the models today."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import botocore
import pytest

DOCS = Path(__file__).parents[2] / "docs"


def test_coverage_page_is_current() -> None:
    page = (DOCS / "coverage.md").read_text(encoding="utf-8")
    if f"botocore {botocore.__version__};" not in page:
        pytest.skip("the page was generated from another botocore's models")
    spec = importlib.util.spec_from_file_location("make_coverage", DOCS / "make_coverage.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert page == module.render(), "docs/coverage.md is stale: run python docs/make_coverage.py"
