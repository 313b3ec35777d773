"""The operations' edges: the errors AWS documents for each, and the filters and pages they take."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_awsmsg import Cloud

from .conftest import MachineFactory, single

PASS = single({"Type": "Pass"})
WAIT = single({"Type": "Wait", "Seconds": 60})


def test_delete_state_machine_refuses_versions_and_ignores_unknown_machines(
    sfn: Any, make_machine: MachineFactory
) -> None:
    machine = make_machine(PASS, publish=True)
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.delete_state_machine(stateMachineArn=f"{machine}:1")
    sfn.delete_state_machine(stateMachineArn=machine + "-never-created")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_state_machine(stateMachineArn="not-an-arn")


def test_describe_state_machine_of_a_version_and_not_of_an_alias(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(PASS, publish=True, versionDescription="v1")
    sfn.update_state_machine(stateMachineArn=machine, definition=json.dumps(single({"Type": "Succeed"})))
    version = sfn.describe_state_machine(stateMachineArn=f"{machine}:1")
    latest = sfn.describe_state_machine(stateMachineArn=machine)
    assert version["stateMachineArn"] == f"{machine}:1"
    assert version["description"] == "v1"
    # A version keeps the definition and revision it was published with.
    assert (json.loads(version["definition"]), json.loads(latest["definition"])) == (PASS, single({"Type": "Succeed"}))
    # Published before any update: the version's revision is the first, which AWS does not show.
    assert "revisionId" not in version
    assert "revisionId" in latest
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=f"{machine}:7")
    sfn.create_state_machine_alias(
        name="prod", routingConfiguration=[{"stateMachineVersionArn": f"{machine}:1", "weight": 100}]
    )
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_state_machine(stateMachineArn=f"{machine}:prod")


def test_update_with_publish_returns_the_new_version(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(PASS)
    updated = sfn.update_state_machine(
        stateMachineArn=machine,
        definition=json.dumps(single({"Type": "Succeed"})),
        publish=True,
        versionDescription="x",
    )
    assert updated["stateMachineVersionArn"] == f"{machine}:1"
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.create_state_machine(
            name="desc", definition=json.dumps(PASS), roleArn="arn:aws:iam::1:role/r", versionDescription="no"
        )


def test_list_executions_needs_exactly_one_of_machine_and_map_run(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.list_executions()


def test_list_executions_of_a_version(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(WAIT, publish=True)
    sfn.start_execution(stateMachineArn=machine, name="plain")
    sfn.start_execution(stateMachineArn=f"{machine}:1", name="versioned")
    assert [e["name"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]] == ["versioned", "plain"]
    listed = sfn.list_executions(stateMachineArn=f"{machine}:1")["executions"]
    assert [(e["name"], e["stateMachineVersionArn"]) for e in listed] == [("versioned", f"{machine}:1")]


def test_list_state_machine_versions_paginates(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(PASS, publish=True)
    for result in (2, 3):
        sfn.update_state_machine(
            stateMachineArn=machine, definition=json.dumps(single({"Type": "Pass", "Result": result})), publish=True
        )
    first = sfn.list_state_machine_versions(stateMachineArn=machine, maxResults=2)
    assert [v["stateMachineVersionArn"][-1] for v in first["stateMachineVersions"]] == ["3", "2"]
    rest = sfn.list_state_machine_versions(stateMachineArn=machine, nextToken=first["nextToken"])
    assert [v["stateMachineVersionArn"][-1] for v in rest["stateMachineVersions"]] == ["1"]


def test_stop_is_idempotent_once_closed(sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(PASS))["executionArn"]
    stopped = sfn.stop_execution(executionArn=arn)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    assert stopped["stopDate"] == sfn.describe_execution(executionArn=arn)["stopDate"]


def test_get_execution_history_errors(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn, match="Resource type not valid in this context: stateMachine"):
        sfn.get_execution_history(executionArn="arn:aws:states:us-east-1:123456789012:stateMachine:m")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.get_execution_history(executionArn="arn:aws:states:us-east-1:123456789012:execution:m:e")


def test_map_run_operations_validate_their_arns(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_map_run(mapRunArn="arn:aws:states:us-east-1:123456789012:execution:m:e")
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.list_map_runs(executionArn="arn:aws:states:us-east-1:123456789012:execution:m:e")


def test_redrive_errors(sfn: Any, make_machine: MachineFactory) -> None:
    arn = sfn.start_execution(stateMachineArn=make_machine(WAIT))["executionArn"]
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=arn)


def test_redrive_a_stopped_execution_resumes_at_the_state_it_was_in(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    definition = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": {"n": 1}, "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Last"},
            "Last": {"Type": "Pass", "Result": "done", "End": True},
        },
    }
    arn = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    sfn.stop_execution(executionArn=arn)
    sfn.redrive_execution(executionArn=arn)
    aws.clock.advance(60)
    assert aws.stepfunctions.execution(arn).output == "done"
    assert aws.stepfunctions.execution(arn).states == ["First", "Nap", "Nap", "Last"]


def test_report_section_lists_executions(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    sfn.start_execution(stateMachineArn=make_machine(single({"Type": "Fail", "Error": "Boom", "Cause": "why"})))
    ((_title, text),) = [s for s in aws.report_sections() if s[0] == "aws stepfunctions executions"]
    assert "FAILED Boom: why" in text


@pytest.mark.requires_api("stepfunctions", "CreateActivity", error="ActivityAlreadyExists")
def test_tags_on_activities(sfn: Any) -> None:
    arn = sfn.create_activity(name="tagged", tags=[{"key": "a", "value": "1"}])["activityArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
    assert {t["key"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]} == {"a", "b"}
    with pytest.raises(sfn.exceptions.ActivityAlreadyExists):
        sfn.create_activity(name="tagged", tags=[{"key": "a", "value": "other"}])
