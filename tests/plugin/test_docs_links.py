"""Error messages name docs pages that exist where the kit is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_awsmsg import _docs
from pytest_awsmsg.core import deliveries


def test_a_link_names_a_file_that_exists() -> None:
    where, _, section = _docs.doc("sns.md", "Asserting deliveries").partition(", section ")
    assert Path(where).is_file()
    assert section == '"Asserting deliveries"'
    assert Path(deliveries.DOCS.partition(", section ")[0]).is_file()


def test_from_a_wheel_the_page_shipped_in_the_package_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A wheel puts the docs under pytest_awsmsg/docs (pyproject's force-include).
    package = tmp_path / "site-packages" / "pytest_awsmsg"
    (package / "docs").mkdir(parents=True)
    (package / "docs" / "sns.md").write_text("# SNS\n")
    monkeypatch.setattr(_docs, "__file__", str(package / "_docs.py"))
    assert _docs.doc("sns.md") == str(package / "docs" / "sns.md")
