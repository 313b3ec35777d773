"""``python -m pytest_awsmsg serve``: the fake cloud as a local server (see docs/server.md)."""

from __future__ import annotations

import sys

from .server.cli import main

if __name__ == "__main__":
    sys.exit(main())
