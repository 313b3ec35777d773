"""Junk derived from the botocore model, sent to every operation of every
faked service (validation on and off): every answer is a result or an AWS
error botocore parses; never a crash, never an internal error.

A longer run: ``python benchmarks/fuzz_long.py --calls 20000 --seed 7``.
"""

from __future__ import annotations

import pytest

from pytest_awsmsg import Cloud, _hook
from pytest_awsmsg.core.fuzz import fuzz
from pytest_awsmsg.core.registry import faked_services, service_model


def test_fuzzing_every_operation_finds_no_crash(aws: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_hook, "validate_output", True)  # an answer outside its output shape is a finding too
    services = faked_services()
    # every operation once, then a hundred more at random
    calls = sum(len(service_model(s).operation_names) for s in services) + 100

    report = fuzz(aws, services, calls=calls, seed=0)

    assert report.failures == [], report.summary() + "\n\n" + "\n\n".join(report.failures[:5])
    assert report.calls == calls
    # the junk reached the services, not only botocore's own validation
    assert report.outcomes["ok"] > 0
    assert (
        sum(n for k, n in report.outcomes.items() if k not in ("ok", "client-side validation", "client-side error"))
        > calls / 3
    )
