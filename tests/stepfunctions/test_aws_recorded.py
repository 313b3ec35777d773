"""Golden tests: execution histories as recorded from real Step Functions.

The event ids and ``previousEventId`` links below are those AWS records for the
same machines (inline Map, Map with Catch and Retry, Parallel), so any drift in
how the fake numbers or links events fails here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_awsmsg import Cloud

from .conftest import MachineFactory, Runner, events

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

ITEMS = {"arr": [1, "Hello"]}
FAIL = {"Type": "Fail", "Error": "HandleItemFailError", "Cause": "HandleItemFailCause"}


def _map(processor_state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "StartState",
        "States": {
            "StartState": {"Type": "Pass", "Result": ITEMS, "Next": "MapState"},
            "MapState": {
                "Type": "Map",
                "ItemsPath": "$.arr",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "HandleItem", "States": {"HandleItem": processor_state}},
                "ResultPath": None,
                **extra,
            },
            "Final": {"Type": "Pass", "End": True},
        },
    }


def links(sfn: Any, machine: str, aws: Cloud | None = None) -> list[tuple[int, int, str]]:
    arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    if aws is not None:
        aws.clock.advance(seconds=60)
    return [(e["id"], e["previousEventId"], e["type"]) for e in events(sfn, arn)]


def test_map_iterations_link_as_aws_links_them(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(_map({"Type": "Pass", "End": True}, Next="Final"))
    assert links(sfn, machine) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "MapStateEntered"),
        (5, 4, "MapStateStarted"),
        (6, 5, "MapIterationStarted"),
        (7, 6, "PassStateEntered"),
        (8, 7, "PassStateExited"),
        (9, 8, "MapIterationSucceeded"),
        (10, 8, "MapIterationStarted"),
        (11, 10, "PassStateEntered"),
        (12, 11, "PassStateExited"),
        (13, 12, "MapIterationSucceeded"),
        (14, 13, "MapStateSucceeded"),
        (15, 13, "MapStateExited"),
        (16, 15, "PassStateEntered"),
        (17, 16, "PassStateExited"),
        (18, 17, "ExecutionSucceeded"),
    ]


def test_a_caught_map_failure(sfn: Any, make_machine: MachineFactory) -> None:
    definition = _map(FAIL, Next="Final", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "FinalCaught"}])
    definition["States"]["StartState"]["Result"] = {"arr": [1]}
    definition["States"]["FinalCaught"] = {"Type": "Pass", "End": True}
    machine = make_machine(definition)
    assert links(sfn, machine) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "MapStateEntered"),
        (5, 4, "MapStateStarted"),
        (6, 5, "MapIterationStarted"),
        (7, 6, "FailStateEntered"),
        (8, 7, "MapIterationFailed"),
        (9, 7, "MapStateFailed"),
        (10, 9, "MapStateExited"),
        (11, 10, "PassStateEntered"),
        (12, 11, "PassStateExited"),
        (13, 12, "ExecutionSucceeded"),
    ]


def test_a_retried_map_records_no_failed_event_between_attempts(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    definition = _map(FAIL, End=True, Retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}])
    definition["States"]["StartState"]["Result"] = {"arr": [1]}
    del definition["States"]["Final"]
    machine = make_machine(definition)
    assert links(sfn, machine, aws) == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "MapStateEntered"),
        (5, 4, "MapStateStarted"),
        (6, 5, "MapIterationStarted"),
        (7, 6, "FailStateEntered"),
        (8, 7, "MapIterationFailed"),
        (9, 7, "MapStateStarted"),
        (10, 9, "MapIterationStarted"),
        (11, 10, "FailStateEntered"),
        (12, 11, "MapIterationFailed"),
        (13, 11, "MapStateStarted"),
        (14, 13, "MapIterationStarted"),
        (15, 14, "FailStateEntered"),
        (16, 15, "MapIterationFailed"),
        (17, 15, "MapStateFailed"),
        (18, 17, "ExecutionFailed"),
    ]


def test_a_retried_parallel_records_no_failed_event_between_attempts(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    machine = make_machine(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "F", "States": {"F": FAIL}}],
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                    "End": True,
                }
            },
        }
    )
    kinds = [kind for _, _, kind in links(sfn, machine, aws)]
    assert kinds == [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "FailStateEntered",
        "ParallelStateStarted",
        "FailStateEntered",
        "ParallelStateFailed",
        "ExecutionFailed",
    ]


def test_parallel_exits_link_to_the_last_branch_event(sfn: Any, make_machine: MachineFactory) -> None:
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    machine = make_machine(
        {
            "StartAt": "LoadInput",
            "States": {
                "LoadInput": {"Type": "Pass", "Result": [1, 2, 3, 4], "Next": "ParallelState"},
                "ParallelState": {"Type": "Parallel", "Branches": [branch, branch], "End": True},
            },
        }
    )
    history = links(sfn, machine)
    assert history[:5] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ParallelStateEntered"),
        (5, 4, "ParallelStateStarted"),
    ]
    *_, last_branch_event, succeeded, exited, done = history
    assert succeeded == (10, last_branch_event[0], "ParallelStateSucceeded")
    assert exited == (11, last_branch_event[0], "ParallelStateExited")
    assert done == (12, 11, "ExecutionSucceeded")
    assert json.loads(
        sfn.describe_execution(
            executionArn=sfn.list_executions(stateMachineArn=machine)["executions"][0]["executionArn"]
        )["output"]
    ) == [[1, 2, 3, 4], [1, 2, 3, 4]]


def _distributed(label: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    if label is not None:
        state["Label"] = label
    return {"StartAt": "M", "States": {"M": state}}


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("", "Label cannot be empty"),
        ("a" * 41, "Label cannot exceed 40 characters"),
        ("two words", "Label contains invalid character: ' '"),
        ("a:b", "Label contains invalid character: ':'"),
        ("tab\there", "Label contains invalid character: '\\t'"),
    ],
)
def test_map_labels_are_validated(sfn: Any, make_machine: MachineFactory, label: str, problem: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as excinfo:
        make_machine(_distributed(label))
    assert excinfo.value.response["Error"]["Message"] == (
        f"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {problem} at /States/M/Label'"
    )


def test_a_good_label_names_the_map_run(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(_distributed("a" * 40), name="demoWorkflow")
    arn = sfn.start_execution(stateMachineArn=machine, input="[1]")["executionArn"]
    aws.clock.advance(seconds=5)
    (run,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert re.fullmatch(
        rf"arn:aws:states:us-east-1:123456789012:mapRun:demoWorkflow/{'a' * 40}:{UUID}", run["mapRunArn"]
    )


def test_without_a_label_the_map_run_arn_is_made_of_uuids(aws: Cloud, sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine(_distributed(), name="demoWorkflow")
    arn = sfn.start_execution(stateMachineArn=machine, input="[1]")["executionArn"]
    aws.clock.advance(seconds=5)
    (run,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    assert re.fullmatch(rf"arn:aws:states:us-east-1:123456789012:mapRun:demoWorkflow/{UUID}:{UUID}", run["mapRunArn"])


def test_revision_id_appears_only_after_an_update(sfn: Any, make_machine: MachineFactory) -> None:
    machine = make_machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    assert "revisionId" not in sfn.describe_state_machine(stateMachineArn=machine)
    updated = sfn.update_state_machine(stateMachineArn=machine, roleArn="arn:aws:iam::123456789012:role/other")
    assert sfn.describe_state_machine(stateMachineArn=machine)["revisionId"] == updated["revisionId"]


@pytest.mark.parametrize("field", ["InputPath", "OutputPath"])
@pytest.mark.parametrize(("path", "expected"), [("$$.Execution.Input", {"x": 1}), ("$$.State.Name", "A")])
def test_io_paths_may_select_the_context_object(run: Runner, field: str, path: str, expected: Any) -> None:
    done = run({"StartAt": "A", "States": {"A": {"Type": "Pass", field: path, "End": True}}}, {"x": 1})
    assert (done["status"], done["out"]) == ("SUCCEEDED", expected)


def test_io_path_of_the_whole_context_object(run: Runner) -> None:
    done = run({"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$$", "End": True}}}, {"x": 1})
    assert done["out"]["Execution"]["Input"] == {"x": 1}
    assert done["out"]["State"]["Name"] == "A"


def test_a_bad_timestamp_path_fails_with_aws_words(run: Runner) -> None:
    failed = run({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}, {"at": "x"})
    assert (failed["error"], failed["cause"]) == (
        "States.Runtime",
        "An error occurred while executing the state 'W' (entered at the event id #2). The TimestampPath parameter "
        "does not reference a valid ISO-8601 extended offset date-time format string: $.at == x",
    )


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("many", 'The MaxConcurrencyPath field refers to value "many" which is not a valid integer: $.n'),
        (1.5, 'The MaxConcurrencyPath field refers to value "1.5" which is not a valid integer: $.n'),
        (-1, "Expected non-negative integer for MaxConcurrency, got '-1' instead."),
    ],
)
def test_a_bad_max_concurrency_path_fails_with_aws_words(run: Runner, value: Any, cause: str) -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrencyPath": "$.n",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    failed = run({"StartAt": "M", "States": {"M": state}}, {"items": [1], "n": value})
    assert (failed["error"], failed["cause"]) == (
        "States.Runtime",
        f"An error occurred while executing the state 'M' (entered at the event id #2). {cause}",
    )
    ok = run({"StartAt": "M", "States": {"M": state}}, {"items": [1, 2], "n": "1"})  # digits in a string will do
    assert ok["out"] == [1, 2]


class TestTestStateInspection:
    """TestState's inspectionData: the keys AWS returns for each kind of state (recorded), JSON strings."""

    ROLE = "arn:aws:iam::123456789012:role/tester"
    HELLO = '{"Value": "HelloWorld"}'

    def inspect(self, sfn: Any, state: dict[str, Any], text: str = HELLO, **extra: Any) -> dict[str, Any]:
        answer = sfn.test_state(
            definition=json.dumps(state), roleArn=self.ROLE, input=text, inspectionLevel="DEBUG", **extra
        )
        data: dict[str, Any] = answer["inspectionData"]
        return data

    def test_a_pass_state(self, sfn: Any) -> None:
        data = self.inspect(sfn, {"Type": "Pass", "End": True})
        assert data == {
            "input": self.HELLO,  # as sent
            "afterInputPath": '{"Value":"HelloWorld"}',
            "afterParameters": '{"Value":"HelloWorld"}',
            "afterResultSelector": '{"Value":"HelloWorld"}',
            "afterResultPath": '{"Value":"HelloWorld"}',
        }

    def test_a_pass_state_with_a_result_has_no_input_stages(self, sfn: Any) -> None:
        state = {"Type": "Pass", "Result": {"resultKey": "result value"}, "End": True}
        assert self.inspect(sfn, state) == {
            "input": self.HELLO,
            "result": '{"resultKey":"result value"}',
            "afterResultSelector": '{"resultKey":"result value"}',
            "afterResultPath": '{"resultKey":"result value"}',
        }

    def test_a_pass_state_with_paths(self, sfn: Any) -> None:
        state = {
            "Type": "Pass",
            "InputPath": "$.initialData",
            "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
            "ResultPath": "$.modifiedData",
            "End": True,
        }
        text = '{"initialData": {"fieldFromInput": "value from input", "otherField": "other"}}'
        data = self.inspect(sfn, state, text)
        assert list(data) == ["input", "afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath"]
        assert data["afterParameters"] == '{"staticValue":"some value","inputValue":"value from input"}'

    @pytest.mark.parametrize(
        "state",
        [
            {"Type": "Succeed"},
            {"Type": "Fail", "Error": "SomeFailure", "Cause": "because"},
            {"Type": "Choice", "Choices": [{"Variable": "$.Value", "IsPresent": True, "Next": "X"}]},
        ],
    )
    def test_flow_states_show_their_input_path_only(self, sfn: Any, state: dict[str, Any]) -> None:
        assert self.inspect(sfn, state) == {"input": self.HELLO, "afterInputPath": '{"Value":"HelloWorld"}'}

    @pytest.mark.requires_api("stepfunctions", "TestState", "mock")
    def test_a_task_shows_every_stage(self, sfn: Any) -> None:
        state = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "End": True}
        data = self.inspect(sfn, state, mock={"result": '{"Item": {"id": {"S": "1"}}}'})
        assert list(data) == [
            "input",
            "afterInputPath",
            "afterParameters",
            "result",
            "afterResultSelector",
            "afterResultPath",
        ]
        assert data["result"] == '{"Item":{"id":{"S":"1"}}}'

    @pytest.mark.requires_api("stepfunctions", "TestState", "mock")
    @pytest.mark.parametrize(
        ("settings", "shown"),
        [
            ({"MaxConcurrency": 1}, {"maxConcurrency": 1}),
            ({"ToleratedFailurePercentage": 1}, {"maxConcurrency": 0, "toleratedFailurePercentage": 1.0}),
            ({"ToleratedFailureCount": 1}, {"maxConcurrency": 0, "toleratedFailureCount": 1}),
        ],
    )
    def test_a_map_shows_its_items_and_iteration_settings(
        self, sfn: Any, settings: dict[str, Any], shown: dict[str, Any]
    ) -> None:
        mode = {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"} if len(shown) > 1 else {"Mode": "INLINE"}
        state = {
            "Type": "Map",
            "ItemProcessor": {"ProcessorConfig": mode, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "ItemsPath": "$.Values",
            "ResultPath": "$.result",
            "End": True,
            **settings,
        }
        data = self.inspect(sfn, state, '{"Values": [1, 2, 3]}', mock={"result": "[1, 1, 1]"})
        assert data == {
            "input": '{"Values": [1, 2, 3]}',
            "afterInputPath": '{"Values":[1,2,3]}',
            "afterItemsPath": "[1,2,3]",
            **shown,
            "result": "[1,1,1]",
            "afterResultSelector": "[1,1,1]",
            "afterResultPath": '{"Values":[1,2,3],"result":[1,1,1]}',
        }


def test_test_state_of_a_task_needs_a_role(aws: Cloud) -> None:
    from pytest_awsmsg.core.registry import service_model

    if "roleArn" in service_model("stepfunctions").operation_model("TestState").input_shape.required_members:
        pytest.skip("this botocore's model requires roleArn for every TestState (AWS made it optional since)")
    sfn = boto3.client("stepfunctions", region_name="us-east-1", config=Config(parameter_validation=False))
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    with pytest.raises(sfn.exceptions.ValidationException) as excinfo:
        sfn.test_state(definition=json.dumps(state), input="{}")
    assert excinfo.value.response["Error"]["Message"] == "RoleArn must be specified when testing a Task state"


class TestAliasErrors:
    """Alias operations answer with AWS's recorded messages."""

    @pytest.fixture
    def machine(self, sfn: Any, make_machine: MachineFactory) -> str:
        arn = make_machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, publish=True)
        sfn.update_state_machine(
            stateMachineArn=arn, definition=json.dumps({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}})
        )
        sfn.publish_state_machine_version(stateMachineArn=arn)
        return arn

    @staticmethod
    def error(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
        error = excinfo.value.response["Error"]
        return error["Code"], error["Message"]

    def create(self, sfn: Any, routes: list[tuple[str, int]], name: str = "prod", **extra: Any) -> Any:
        routing = [{"stateMachineVersionArn": arn, "weight": weight} for arn, weight in routes]
        return sfn.create_state_machine_alias(name=name, routingConfiguration=routing, **extra)

    @pytest.mark.parametrize("name", ["123", "INVALID ALIAS", "!INVALID", "ALIAS@"])
    def test_invalid_names(self, sfn: Any, machine: str, name: str) -> None:
        with pytest.raises(sfn.exceptions.ValidationException) as excinfo:
            self.create(sfn, [(f"{machine}:1", 100)], name=name)
        assert self.error(excinfo)[1] == (
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
        )

    def test_routing_must_name_versions(self, sfn: Any, machine: str) -> None:
        with pytest.raises(sfn.exceptions.ValidationException) as excinfo:
            self.create(sfn, [(machine, 50), (f"{machine}:2", 50)])
        assert self.error(excinfo)[1] == (
            f"Routing configuration must contain state machine version ARNs. Received: [{machine}, {machine}:2]"
        )

    def test_routing_must_name_distinct_versions(self, sfn: Any, machine: str) -> None:
        with pytest.raises(sfn.exceptions.ValidationException) as excinfo:
            self.create(sfn, [(f"{machine}:1", 50), (f"{machine}:1", 50)])
        assert self.error(excinfo)[1] == (
            "Routing configuration must contain distinct state machine version ARNs. "
            f"Received: [{machine}:1, {machine}:1]"
        )

    @pytest.mark.parametrize("weights", [(70, 29), (70, 31)])
    def test_weights_must_add_up_to_100(self, sfn: Any, machine: str, weights: tuple[int, int]) -> None:
        with pytest.raises(sfn.exceptions.ValidationException) as excinfo:
            self.create(sfn, [(f"{machine}:1", weights[0]), (f"{machine}:2", weights[1])])
        assert (
            self.error(excinfo)[1] == f"Sum of routing configuration weights must equal 100. Received: {list(weights)}"
        )

    def test_creating_again_differently_conflicts(self, sfn: Any, machine: str) -> None:
        first = self.create(sfn, [(f"{machine}:1", 100)])
        again = self.create(sfn, [(f"{machine}:1", 100)])
        assert again["stateMachineAliasArn"] == first["stateMachineAliasArn"]
        for changed in ({"description": "other"}, {}):
            routes = [(f"{machine}:2", 100)] if not changed else [(f"{machine}:1", 100)]
            with pytest.raises(sfn.exceptions.ConflictException) as excinfo:
                self.create(sfn, routes, **changed)
            assert self.error(excinfo)[1] == (
                "Failed to create alias because an alias with the same name and a different routing configuration "
                "already exists."
            )

    def test_describe_has_an_update_date_from_the_start(self, sfn: Any, machine: str) -> None:
        arn = self.create(sfn, [(f"{machine}:1", 100)])["stateMachineAliasArn"]
        described = sfn.describe_state_machine_alias(stateMachineAliasArn=arn)
        assert described["updateDate"] == described["creationDate"]

    def test_a_version_in_use_names_its_aliases(self, sfn: Any, machine: str) -> None:
        self.create(sfn, [(f"{machine}:1", 100)], name="state_machine_alias_name")
        with pytest.raises(sfn.exceptions.ConflictException) as excinfo:
            sfn.delete_state_machine_version(stateMachineVersionArn=f"{machine}:1")
        assert self.error(excinfo)[1] == (
            "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this "
            "version: [state_machine_alias_name]"
        )

    def test_an_alias_that_does_not_exist(self, sfn: Any, machine: str) -> None:
        sfn.delete_state_machine_alias(stateMachineAliasArn=f"{machine}:nope")  # succeeds, as on AWS
        with pytest.raises(sfn.exceptions.ResourceNotFound) as excinfo:
            sfn.update_state_machine_alias(stateMachineAliasArn=f"{machine}:nope", description="x")
        assert self.error(excinfo) == ("ResourceNotFound", "Request references a resource that does not exist.")


def test_map_labels_are_unique_in_a_definition(sfn: Any, make_machine: MachineFactory) -> None:
    state: dict[str, Any] = _distributed("same")["States"]["M"]
    leading = {key: value for key, value in state.items() if key != "End"}
    definition = {"StartAt": "M", "States": {"M": {**leading, "Next": "N"}, "N": state}}
    with pytest.raises(sfn.exceptions.InvalidDefinition) as excinfo:
        make_machine(definition)
    assert excinfo.value.response["Error"]["Message"] == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Label must be unique within a state machine "
        "definition at /States/N/Label'"
    )
