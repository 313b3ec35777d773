"""Fault rules select SWF calls by domain or task list; faulted calls are in the call log."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import DOMAIN, Starter, decide, schedule


def test_a_rule_selects_a_task_list(swf: Any, start: Starter, aws: Cloud) -> None:
    start()
    decide(swf, schedule())
    aws.faults.inject("swf", "PollForActivityTask", resource="workers", error="UnknownResourceFault", message="gone")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"})
    assert aws.swf.pending_activity_tasks(DOMAIN) == [("order-1", "charge-1")]  # the task is still there
    assert "taskToken" not in swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "elsewhere"})
    faulted = [c for c in aws.calls if c.operation == "PollForActivityTask" and c.error_code]
    assert [(c.error_code, c.error_message) for c in faulted] == [("UnknownResourceFault", "gone")]


def test_a_rule_selects_a_domain(swf: Any, start: Starter, aws: Cloud) -> None:
    start()
    swf.register_domain(name="other", workflowExecutionRetentionPeriodInDays="1")
    aws.faults.inject("swf", resource=DOMAIN, error="OperationNotPermittedFault", message="denied")
    swf.describe_domain(name="other")
    with pytest.raises(swf.exceptions.OperationNotPermittedFault):
        swf.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "deciders"})
