"""The README's example is a test, run as pytest would run it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"


def test_readme_example_passes(pytester: pytest.Pytester) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "the README lost its example"
    pytester.makepyfile(test_readme_example=blocks[0])
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
