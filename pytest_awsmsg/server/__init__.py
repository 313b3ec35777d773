"""Server mode: the cloud answered over HTTP on loopback, for other processes
and languages (see docs/server.md). ``aws.serve()`` in a test; ``python -m
pytest_awsmsg serve`` standalone."""

from __future__ import annotations

from .http import HttpEndpoint

__all__ = ["HttpEndpoint"]
