"""Event histories paged one way for Step Functions and SWF (core/histories.py).

Both services document the same rules for their history calls: pages in
event order or reversed, "keep all other arguments unchanged", and "each
pagination token expires after 24 hours".
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.histories import ExpiredPageToken, History, InvalidPageToken, page_events

PASSES = {
    "StartAt": "P0",
    "States": {
        **{f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(59)},
        "P59": {"Type": "Pass", "End": True},
    },
}  # 2 + 60 * 2 = 122 events


def test_a_history_numbers_events_and_pages_them() -> None:
    history: History[str] = History()
    assert [history.record(lambda i: f"e{i}") for _ in range(5)] == ["e1", "e2", "e3", "e4", "e5"]
    assert (history[2], history.last, history.since(3)) == ("e2", "e5", ["e4", "e5"])
    first, token = history.page(None, 2, now=0.0, reverse=True, query="x")
    assert first == ["e5", "e4"]
    second, token = history.page(token, 2, now=10.0, reverse=True, query="x")
    assert second == ["e3", "e2"]
    with pytest.raises(InvalidPageToken):
        history.page(token, 2, now=10.0, reverse=False, query="x")  # other arguments changed
    with pytest.raises(ExpiredPageToken):
        history.page(token, 2, now=10.0 + 24 * 3600 + 1, reverse=True, query="x")
    assert history.page(token, 2, now=10.0 + 24 * 3600, reverse=True, query="x")[0] == ["e1"]
    assert page_events(["a", "b", "c"], None, None, now=0.0, default_size=2)[0] == ["a", "b"]


@pytest.fixture
def sfn(aws: Cloud) -> Any:
    return boto3.client("stepfunctions", region_name="us-east-1")


def run_passes(sfn: Any, name: str) -> str:
    machine = sfn.create_state_machine(
        name=name, definition=json.dumps(PASSES), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    return str(sfn.start_execution(stateMachineArn=machine)["executionArn"])


def test_sfn_history_pages_default_to_100_and_reverse(sfn: Any) -> None:
    arn = run_passes(sfn, "passes")
    first = sfn.get_execution_history(executionArn=arn, maxResults=0)  # "A value of 0 uses the default"
    assert [e["id"] for e in first["events"]] == list(range(1, 101))
    rest = sfn.get_execution_history(executionArn=arn, nextToken=first["nextToken"])
    assert [e["id"] for e in rest["events"]] == list(range(101, 123))
    assert "nextToken" not in rest
    pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=arn, reverseOrder=True, PaginationConfig={"PageSize": 50}
    )
    ids = [e["id"] for page in pages for e in page["events"]]
    assert ids == list(range(122, 0, -1))


def test_sfn_history_token_is_for_the_same_execution_and_options(sfn: Any) -> None:
    arn = run_passes(sfn, "one")
    other = run_passes(sfn, "two")
    token = sfn.get_execution_history(executionArn=arn, maxResults=10)["nextToken"]
    for kwargs in (
        {"executionArn": other},
        {"executionArn": arn, "reverseOrder": True},
        {"executionArn": arn, "includeExecutionData": False},
    ):
        with pytest.raises(sfn.exceptions.InvalidToken):
            sfn.get_execution_history(nextToken=token, **kwargs)
    assert sfn.get_execution_history(executionArn=arn, nextToken=token, maxResults=5)["events"][0]["id"] == 11


def test_sfn_history_token_expires_after_24_hours(aws: Cloud, sfn: Any) -> None:
    aws.clock.freeze("2025-03-01T00:00:00Z")
    arn = run_passes(sfn, "passes")
    token = sfn.get_execution_history(executionArn=arn, maxResults=10)["nextToken"]
    aws.clock.advance(hours=24)
    later = sfn.get_execution_history(executionArn=arn, maxResults=10, nextToken=token)
    aws.clock.advance(seconds=1)
    assert sfn.get_execution_history(executionArn=arn, maxResults=10, nextToken=later["nextToken"])["events"]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.get_execution_history(executionArn=arn, maxResults=10, nextToken=token)


def test_swf_history_token_expires_after_24_hours(aws: Cloud) -> None:
    aws.clock.freeze("2025-03-01T00:00:00Z")
    swf = boto3.client("swf", region_name="us-east-1")
    swf.register_domain(name="d", workflowExecutionRetentionPeriodInDays="7")
    swf.register_workflow_type(
        domain="d",
        name="w",
        version="1",
        defaultTaskList={"name": "t"},
        defaultExecutionStartToCloseTimeout="604800",
        defaultTaskStartToCloseTimeout="NONE",
        defaultChildPolicy="TERMINATE",
    )
    run = swf.start_workflow_execution(domain="d", workflowId="w-1", workflowType={"name": "w", "version": "1"})
    for n in range(5):
        swf.signal_workflow_execution(domain="d", workflowId="w-1", signalName=f"s{n}")
    execution = {"workflowId": "w-1", "runId": run["runId"]}
    first = swf.get_workflow_execution_history(domain="d", execution=execution, maximumPageSize=2)
    assert [e["eventId"] for e in first["events"]] == [1, 2]
    aws.clock.advance(hours=24, seconds=1)
    with pytest.raises(swf.exceptions.ClientError) as caught:
        swf.get_workflow_execution_history(
            domain="d", execution=execution, maximumPageSize=2, nextPageToken=first["nextPageToken"]
        )
    assert caught.value.response["Error"]["Message"] == "Specified token has exceeded its maximum lifetime"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
