"""Run a workflow to its close on the test's thread: a decider function and worker functions.

The loop talks to SWF through a real boto3 client, as deciders and workers
do, so the call log, faults and every rule apply. It answers every decision
task scheduled in the domain (children and continued runs included), hands
each activity task to the worker of its task list, and when nothing is left
to do moves virtual time to the next timer or timeout. No thread, no sleep.

A worker returns the activity's result (a string, or anything JSON can
encode), raises to fail the task (reason: the exception's class name,
details: its message), or returns :data:`NO_RESPONSE` to leave it
unanswered (an approver who never replies), so its timeouts run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import SwfBase
    from .view import ExecutionView, SwfView

NO_RESPONSE: Any = type("NoResponse", (), {"__repr__": lambda self: "NO_RESPONSE"})()
DECIDER_IDENTITY = "pytest-awsmsg-decider"
WORKER_IDENTITY = "pytest-awsmsg-worker"


def poll_decision(client: Any, domain: str, task_list: str, identity: str = DECIDER_IDENTITY) -> dict[str, Any]:
    """PollForDecisionTask, with every page of the history gathered into ``events``."""
    task: dict[str, Any] = client.poll_for_decision_task(domain=domain, taskList={"name": task_list}, identity=identity)
    token = task.get("nextPageToken")
    while token:
        more = client.poll_for_decision_task(
            domain=domain, taskList={"name": task_list}, identity=identity, nextPageToken=token
        )
        task["events"].extend(more["events"])
        token = more.get("nextPageToken")
    task.pop("nextPageToken", None)
    return task


def run_workflow(
    swf: SwfView,
    service: SwfBase,
    domain: str,
    workflow_id: str,
    *,
    decider: Callable[[dict[str, Any]], list[dict[str, Any]] | None],
    workers: Mapping[str, Callable[[dict[str, Any]], Any]],
    region: str,
    max_seconds: float,
) -> ExecutionView:
    import boto3

    client = boto3.client("swf", region_name=region)
    cloud = service.cloud
    clock = cloud.clock
    limit = clock.now() + max_seconds
    found = service.store(cloud.account_id, region).domains[domain]
    while True:
        with cloud.lock:
            if found.open_execution(workflow_id) is None:
                return swf.execution(workflow_id, domain=domain, region=region)
            decision_lists = sorted(
                {r.scheduled_decision.task_list for r in found.executions if r.open and r.scheduled_decision}
            )
            activity_lists = [tl for tl in workers if any(t.task_list == tl for t in found.activity_queue)]
        for task_list in decision_lists:
            task = poll_decision(client, domain, task_list)
            if task.get("taskToken"):
                decisions = decider(task) or []
                client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        for task_list in activity_lists:
            task = client.poll_for_activity_task(domain=domain, taskList={"name": task_list}, identity=WORKER_IDENTITY)
            if task.get("taskToken"):
                _work(client, workers[task_list], task)
        if decision_lists or activity_lists:
            continue
        upcoming = clock.next_due()
        if upcoming is None or upcoming > limit:
            view = swf.execution(workflow_id, domain=domain, region=region)
            raise AssertionError(
                f"{view!r} cannot progress: no decision or activity task for the given workers and nothing "
                f"scheduled within {max_seconds:.0f} s. Workers serve {sorted(workers)}. History:\n{view.tail()}"
            )
        clock.run_until(upcoming)


def _work(client: Any, worker: Callable[[dict[str, Any]], Any], task: dict[str, Any]) -> None:
    token = task["taskToken"]
    try:
        result = worker(task)
    except Exception as error:  # the worker's failure becomes the activity's
        client.respond_activity_task_failed(
            taskToken=token, reason=type(error).__name__[:256], details=str(error)[:32768]
        )
        return
    if result is NO_RESPONSE:
        return
    text = result if isinstance(result, str) or result is None else json.dumps(result)
    if text is None:
        client.respond_activity_task_completed(taskToken=token)
    else:
        client.respond_activity_task_completed(taskToken=token, result=text)
