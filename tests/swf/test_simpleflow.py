"""simpleflow, a maintained SWF framework, runs a workflow against the kit unchanged.

simpleflow's own pollers and its decision and activity processing run on the
test's thread: ``process_decision`` and ``process_task`` are what its
supervisor runs in each forked child. Everything else (registering types on
the fly after ``ACTIVITY_TYPE_DOES_NOT_EXIST``, replaying the history) is
simpleflow's code talking to the kit through boto3.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

pytest.importorskip("simpleflow")


def test_a_simpleflow_workflow_runs_to_completion(aws: Cloud) -> None:
    import simpleflow.swf.mapper.models as models
    from simpleflow.swf.executor import Executor
    from simpleflow.swf.mapper.exceptions import PollTimeout
    from simpleflow.swf.process.decider.base import DeciderPoller, process_decision
    from simpleflow.swf.process.worker.base import ActivityPoller, process_task

    from .simpleflow_app import Basic

    boto3.client("swf", region_name="us-east-1").register_domain(
        name="TestDomain", workflowExecutionRetentionPeriodInDays="1"
    )
    domain = models.Domain("TestDomain")
    workflow_type = models.WorkflowType(domain, "basic", "example", task_list="example")
    workflow_type.save()
    workflow_type.start_execution(workflow_id="basic-1", input={"args": [3], "kwargs": {}})
    decider = DeciderPoller([Executor(domain, Basic)], domain, "example", is_standalone=False)
    worker = ActivityPoller(domain, "quickstart")

    def poll(poller: Any) -> Any:
        try:
            return poller.poll_with_retry()
        except PollTimeout:  # an empty long poll, 60 virtual seconds
            return None

    for _ in range(10):
        if not aws.swf.execution("basic-1").is_open:
            break
        decision = poll(decider)
        if decision is not None:
            process_decision(decider, decision)
        if aws.swf.pending_activity_tasks("TestDomain"):
            task = poll(worker)
            process_task(worker, task.task_token, task.activity_task)
    run = aws.swf.execution("basic-1")
    run.assert_status("COMPLETED")
    assert run.result == "8"  # (3 + 1) * 2
    # simpleflow registered the activity types itself after SWF refused the first schedule.
    run.assert_event("ScheduleActivityTaskFailed", cause="ACTIVITY_TYPE_DOES_NOT_EXIST")
    assert [e["activityId"] for e in run.events("ActivityTaskScheduled")][-1].startswith("activity-")
    assert run.assert_event("ActivityTaskStarted")["identity"].startswith("{")  # simpleflow's JSON identity
