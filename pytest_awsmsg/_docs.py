"""Where an error message sends the reader: a docs page that exists where the kit is installed.

The wheel carries the Markdown pages (``pytest_awsmsg/docs/``, see
pyproject.toml); a checkout has them in ``docs/`` beside the package. A
message names the file that is there, so the link works from either.
"""

from __future__ import annotations

from pathlib import Path


def doc(page: str, section: str = "") -> str:
    """The page (and section) to read, as a path that exists: ``doc("sns.md", "Asserting deliveries")``."""
    package = Path(__file__).parent
    for folder in (package / "docs", package.parent / "docs"):
        if (folder / page).is_file():
            where = str(folder / page)
            break
    else:  # pragma: no cover - an install without its docs
        where = f"docs/{page} of pytest-awsmsg"
    return f'{where}, section "{section}"' if section else where
