"""An SWF workflow of 10 activities through boto3: pytest-awsmsg vs moto.

One decider and one worker, in a loop on one thread, as a test would drive
them: the decider schedules the activities one after another (each after the
previous one's completion), the worker completes each, and the decider
completes the workflow after the tenth. Per workflow that is 11 decision
tasks and 10 activity tasks: 43 calls plus the start. Both fakes run the same
code, in the same process, one after the other.

Run: python benchmarks/bench_swf.py  (needs moto, from the bench extra)
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from _timing import ops_per_second, report

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
REGION = "us-east-1"
DOMAIN = "bench"
ACTIVITIES = 10
ROUND = 20  # workflows per timed round
WORKFLOW = {"name": "ten", "version": "1"}
ACTIVITY = {"name": "step", "version": "1"}


def setup(swf: Any) -> None:
    swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=DOMAIN,
        **WORKFLOW,
        defaultTaskList={"name": "deciders"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=DOMAIN,
        **ACTIVITY,
        defaultTaskList={"name": "workers"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )


def decide(task: dict[str, Any]) -> list[dict[str, Any]]:
    done = sum(1 for e in task["events"] if e["eventType"] == "ActivityTaskCompleted")
    if done == ACTIVITIES:
        return [{"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {}}]
    attributes = {"activityType": ACTIVITY, "activityId": f"step-{done}", "input": str(done)}
    return [{"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attributes}]


_ids = iter(range(10**9))


def run_workflows(swf: Any, n: int) -> None:
    for _ in range(n):
        workflow_id = f"wf-{next(_ids)}"
        run_id = swf.start_workflow_execution(domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW)["runId"]
        for _ in range(ACTIVITIES + 1):
            task = swf.poll_for_decision_task(domain=DOMAIN, taskList={"name": "deciders"}, identity="decider")
            swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decide(task))
            work = swf.poll_for_activity_task(domain=DOMAIN, taskList={"name": "workers"}, identity="worker")
            if work.get("taskToken"):
                swf.respond_activity_task_completed(taskToken=work["taskToken"], result=work["input"])
        info = swf.describe_workflow_execution(domain=DOMAIN, execution={"workflowId": workflow_id, "runId": run_id})
        assert info["executionInfo"]["closeStatus"] == "COMPLETED", info


def awsmsg_rate() -> float:
    from pytest_awsmsg import fake_aws

    with fake_aws():
        swf = boto3.client("swf", region_name=REGION)
        setup(swf)
        return ops_per_second(lambda n: run_workflows(swf, n), ROUND)


def moto_rate() -> float:
    from moto import mock_aws

    with mock_aws():
        swf = boto3.client("swf", region_name=REGION)
        setup(swf)
        return ops_per_second(lambda n: run_workflows(swf, n), ROUND, rounds=3)


def main() -> None:
    rates = {"pytest-awsmsg": awsmsg_rate(), "moto": moto_rate()}
    title = f"SWF workflow of {ACTIVITIES} activities, decider and worker on one thread ({ROUND}/round, median)"
    print(report(title, list(rates.items()), "workflows/s", rates))


if __name__ == "__main__":
    main()
