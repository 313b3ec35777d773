"""Plugin tests run pytest in-process (pytester), which drops every module the
inner run imported when that run ends.

``tests/conftest.py`` imports the service registry in this outer process, and
the registry keeps the service classes it loads. Without the imports below, a
second in-process run gets the first run's service classes, whose errors are
not the ``AwsError`` of the second run's fresh cloud: the error escapes as a
Python exception instead of an AWS error answer. Loading the fakes here,
before any inner run, keeps one copy of each module for the whole session.
"""

from __future__ import annotations

import pytest_awsmsg.core.activation  # noqa: F401 - loaded once, for every in-process run
from pytest_awsmsg.core.registry import faked_services, service_class

for _name in faked_services():
    service_class(_name)
