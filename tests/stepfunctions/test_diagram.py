"""``execution(arn).diagram()``: the definition as a Mermaid flowchart with the path taken marked."""

from __future__ import annotations

import json
from typing import Any

from pytest_awsmsg import Cloud

from .conftest import LAMBDA, MachineFactory

TAIL = """\
    classDef visited fill:#d7f5dd,stroke:#2e7d32
    classDef failed fill:#fbd5d5,stroke:#c62828,stroke-width:2px
"""


def _flaky(aws: Cloud) -> None:
    calls: list[Any] = []

    def check(event: Any, context: Any) -> Any:
        calls.append(event)
        if len(calls) == 1:
            raise ConnectionError("try again")
        return event

    aws.lambdas.register("check", check)


BRANCHY = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.kind", "StringEquals": "bulk", "Next": "Both"}],
            "Default": 'Skip "quoted" <name>',
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Task",
                            "Resource": LAMBDA + "check",
                            "Retry": [{"ErrorEquals": ["ConnectionError"], "IntervalSeconds": 1}],
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "ItemProcessor": {"StartAt": "Count", "States": {"Count": {"Type": "Pass", "End": True}}},
                            "End": True,
                        }
                    },
                },
            ],
            "Next": "Done",
        },
        'Skip "quoted" <name>': {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def test_a_run_through_a_parallel_and_a_map_is_drawn_with_its_path(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    _flaky(aws)
    arn = make_machine(BRANCHY)
    run = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"kind": "bulk", "items": [1, 2]}))["executionArn"]
    view = aws.stepfunctions.wait_for(run)
    assert view.status == "SUCCEEDED"
    assert view.diagram() == (
        """\
flowchart TD
    start((Start))
    stop((End))
    start ==> s0
    s0{"Route<br/>Choice"}
    s1[["Both<br/>Parallel"]]
    subgraph s1_b0["Both branch 0"]
        s4["Check<br/>Task<br/>retried 1x"]
    end
    s1 ==>|"branch"| s4
    subgraph s1_b1["Both branch 1"]
        s5[["Each<br/>Map"]]
        subgraph s5_items["Each (each item)"]
            s6["Count<br/>Pass"]
        end
        s5 ==>|"each item"| s6
    end
    s1 ==>|"branch"| s5
    s2["Skip #quot;quoted#quot; #lt;name#gt;<br/>Pass"]
    s3["Done<br/>Succeed"]
    s0 ==>|"rule 1"| s1
    s0 -->|"Default"| s2
    s1 ==> s3
    s2 --> s3
    s3 ==> stop
    class s0,s1,s4,s5,s6,s3 visited
"""
        + TAIL
    )


def test_a_failing_iteration_is_red_inside_its_map_and_the_map_too(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    machine = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Odd?",
                    "States": {
                        "Odd?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Boom"}],
                            "Default": "Fine",
                        },
                        "Boom": {"Type": "Fail", "Error": "Three"},
                        "Fine": {"Type": "Succeed"},
                    },
                },
                "End": True,
            }
        },
    }
    run = sfn.start_execution(stateMachineArn=make_machine(machine), input="[1, 3]")["executionArn"]
    view = aws.stepfunctions.execution(run)
    assert view.status == "FAILED"
    drawn = view.diagram()
    assert "    class s1,s3 visited\n    class s0,s2 failed\n" in drawn
    assert '        s1 ==>|"rule 1"| s2\n        s1 ==>|"Default"| s3\n' in drawn
    assert view.diagram() == drawn  # the same run draws the same text


def test_the_failed_test_report_shows_the_diagram_of_a_failed_execution(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    ok = make_machine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    bad = make_machine({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope"}}})
    sfn.start_execution(stateMachineArn=ok)
    failed = sfn.start_execution(stateMachineArn=bad)["executionArn"]
    (text,) = [text for title, text in aws.report_sections() if title == "aws stepfunctions executions"]
    assert f"{failed} FAILED Nope" in text
    assert text.count("flowchart TD") == 1  # the succeeded execution is not drawn
    assert '        s0["No<br/>Fail"]\n' in text
    assert "        class s0 failed\n" in text


def test_a_distributed_maps_child_executions_are_drawn_inside_it(
    aws: Cloud, sfn: Any, make_machine: MachineFactory
) -> None:
    machine = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Big?",
                    "States": {
                        "Big?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericGreaterThan": 5, "Next": "Big"}],
                            "Default": "Small",
                        },
                        "Big": {"Type": "Pass", "End": True},
                        "Small": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    run = sfn.start_execution(stateMachineArn=make_machine(machine), input="[1, 2]")["executionArn"]
    drawn = aws.stepfunctions.wait_for(run).diagram()
    assert "    class s0,s1,s3 visited\n" in drawn  # Each, Big? and Small; Big was never entered
    assert '        s1 -->|"rule 1"| s2\n        s1 ==>|"Default"| s3\n' in drawn
