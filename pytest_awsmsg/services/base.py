"""The service base class, kept importable from its old place.

It lives in :mod:`pytest_awsmsg.core.service` (the core needs it and imports
nothing from ``services/``); extensions written against this path keep working.
"""

from __future__ import annotations

from ..core.service import NotImplementedOperation, RequestContext, Service, operation, python_name

__all__ = ["NotImplementedOperation", "RequestContext", "Service", "operation", "python_name"]
