"""pytest-awsmsg: deterministic in-memory AWS messaging for tests.

Public API (imported lazily, so loading the pytest plugin stays cheap)::

    from pytest_awsmsg import fake_aws, current_cloud, Cloud, AwsError
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import _hook

if TYPE_CHECKING:
    from ._hook import StragglerError
    from .core.activation import current_cloud, fake_aws
    from .core.cloud import Cloud
    from .core.errors import AwsError
    from .core.registry import register_service
    from .core.threads import StragglerThreadWarning

__version__ = "0.1.0"
__all__ = [
    "AwsError",
    "Cloud",
    "StragglerError",
    "StragglerThreadWarning",
    "current_cloud",
    "fake_aws",
    "register_service",
]

_LAZY = {
    "fake_aws": ".core.activation",
    "current_cloud": ".core.activation",
    "Cloud": ".core.cloud",
    "AwsError": ".core.errors",
    "register_service": ".core.registry",
    "StragglerThreadWarning": ".core.threads",
    "StragglerError": "._hook",
}


# The one import-time effect: botocore sessions created from now on consult the
# active cloud (a no-op until one is active). See ``_hook`` for why.
_hook.install()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_awsmsg' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
