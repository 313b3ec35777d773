"""State machine definitions from files, for tests and for code under test."""

from __future__ import annotations

import json
from pathlib import Path


def load_definition(path: str | Path) -> str:
    """A state machine definition from a ``.json``, ``.yaml`` or ``.yml`` file, as JSON text.

    YAML needs PyYAML (the ``yaml`` extra); it is imported only when asked for.
    """
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped, unused-ignore]
        except ImportError as missing:  # pragma: no cover - depends on the environment
            raise ImportError("Loading YAML definitions needs PyYAML: pip install 'pytest-awsmsg[yaml]'") from missing
        return json.dumps(yaml.safe_load(text))
    json.loads(text)  # fail here, with the file's name in the traceback, not at CreateStateMachine
    return text
