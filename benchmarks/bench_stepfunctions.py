"""Step Functions executions through boto3: pytest-awsmsg vs moto with execution on.

Three numbers, measured in the same process one after the other:

* executions per second of a 20-state machine (Pass states with Parameters and
  intrinsics, a Choice, a Succeed), each started and then described until it
  has finished;
* the same machine written in JSONata (Output expressions, a Condition) on
  pytest-awsmsg, against its JSONPath form (moto runs no JSONata), and both
  again keeping the counter in a workflow variable (``Assign``, ``$n``);
  ``--languages`` runs only these;
* the wall time of a machine with a one-hour Wait. pytest-awsmsg moves virtual
  time; moto waits for real, so its hour is measured on a short Wait and
  extrapolated (its time beyond the Wait itself plus 3600 s), which the
  ``--moto-hour`` flag replaces by a real one-hour run.

Run: python benchmarks/bench_stepfunctions.py  (needs `moto[stepfunctions]`: moto runs definitions
with antlr4-python3-runtime and jsonpath-ng)
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import boto3
from _timing import ops_per_second, report

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/bench"
ROUND = 50  # executions per timed round
MOTO_SHORT_WAIT = 2  # seconds of real Wait moto is measured on


def twenty_states() -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(18):
        states[f"Step{i}"] = {
            "Type": "Pass",
            "Parameters": {"n.$": "States.MathAdd($.n, 1)", "label.$": "States.Format('step {}', $.n)"},
            "Next": f"Step{i + 1}" if i < 17 else "Check",
        }
    states["Check"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 18, "Next": "Done"}],
        "Default": "Step0",
    }
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Step0", "States": states}


def twenty_states_jsonata() -> dict[str, Any]:
    """:func:`twenty_states` in JSONata: the same data flow, expressions instead of paths and intrinsics."""
    states: dict[str, Any] = {}
    for i in range(18):
        states[f"Step{i}"] = {
            "Type": "Pass",
            "Output": {"n": "{% $states.input.n + 1 %}", "label": "{% 'step ' & $states.input.n %}"},
            "Next": f"Step{i + 1}" if i < 17 else "Check",
        }
    states["Check"] = {
        "Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.n >= 18 %}", "Next": "Done"}],
        "Default": "Step0",
    }
    states["Done"] = {"Type": "Succeed"}
    return {"QueryLanguage": "JSONata", "StartAt": "Step0", "States": states}


def twenty_states_variables(language: str) -> dict[str, Any]:
    """:func:`twenty_states` keeping its counter in a workflow variable (``Assign``) instead of the input."""
    jsonata = language == "JSONata"
    states: dict[str, Any] = {}
    for i in range(18):
        states[f"Step{i}"] = {
            "Type": "Pass",
            "Assign": {"n": "{% $n + 1 %}"} if jsonata else {"n.$": "States.MathAdd($n, 1)"},
            "Next": f"Step{i + 1}" if i < 17 else "Check",
        }
    states["Start"] = {
        "Type": "Pass",
        "Assign": {"n": "{% $states.input.n %}"} if jsonata else {"n.$": "$.n"},
        "Next": "Step0",
    }
    rule = {"Condition": "{% $n >= 18 %}"} if jsonata else {"Variable": "$n", "NumericGreaterThanEquals": 18}
    states["Check"] = {"Type": "Choice", "Choices": [{**rule, "Next": "Done"}], "Default": "Step0"}
    states["Done"] = {"Type": "Succeed"}
    return {"QueryLanguage": language, "StartAt": "Start", "States": states}


def wait_machine(seconds: int) -> dict[str, Any]:
    return {
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": seconds, "Next": "Done"}, "Done": {"Type": "Succeed"}},
    }


def finish(sfn: Any, arn: str, advance: Callable[[], None] | None = None) -> str:
    """Describe until the execution has ended (moto runs it on a thread)."""
    while True:
        status = sfn.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            return str(status)
        if advance is not None:
            advance()
        else:
            time.sleep(0.001)


_names = iter(range(10**9))


def run_executions(sfn: Any, machine: str, n: int) -> None:
    for _ in range(n):
        # Named explicitly: moto's executing backend names unnamed executions "None".
        name = f"run-{next(_names)}"
        arn = sfn.start_execution(stateMachineArn=machine, name=name, input='{"n": 0}')["executionArn"]
        assert finish(sfn, arn) == "SUCCEEDED"


def create(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    return str(sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"])


def awsmsg_rate(definition: dict[str, Any] | None = None) -> float:
    from pytest_awsmsg import fake_aws

    with fake_aws():
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = create(sfn, "twenty", definition or twenty_states())
        return ops_per_second(lambda n: run_executions(sfn, machine, n), ROUND)


def moto_rate() -> float:
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = create(sfn, "twenty", twenty_states())
        return ops_per_second(lambda n: run_executions(sfn, machine, n), ROUND, rounds=3)


def awsmsg_hour() -> float:
    from pytest_awsmsg import fake_aws

    start = time.perf_counter()
    with fake_aws() as aws:
        sfn = boto3.client("stepfunctions", region_name=REGION)
        arn = sfn.start_execution(stateMachineArn=create(sfn, "hour", wait_machine(3600)))["executionArn"]
        assert finish(sfn, arn, lambda: aws.clock.advance(hours=1)) == "SUCCEEDED"
    return time.perf_counter() - start


def moto_wait(seconds: int) -> float:
    from moto import mock_aws

    start = time.perf_counter()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = create(sfn, "wait", wait_machine(seconds))
        arn = sfn.start_execution(stateMachineArn=machine, name="nap")["executionArn"]
        assert finish(sfn, arn) == "SUCCEEDED"
    return time.perf_counter() - start


def by_language() -> None:
    """The same machines in JSONPath and in JSONata, on pytest-awsmsg, measured back to back."""
    languages = {
        "JSONPath": awsmsg_rate(),
        "JSONata": awsmsg_rate(twenty_states_jsonata()),
        "JSONPath, counter in a variable": awsmsg_rate(twenty_states_variables("JSONPath")),
        "JSONata, counter in a variable": awsmsg_rate(twenty_states_variables("JSONata")),
    }
    print(
        report(
            "20-state executions on pytest-awsmsg, by query language",
            list(languages.items()),
            "executions/s",
            languages,
        )
    )


def main() -> None:
    if "--languages" in sys.argv:  # only the JSONPath/JSONata rows (no moto needed)
        by_language()
        return
    rates = {"pytest-awsmsg": awsmsg_rate(), "moto": moto_rate()}
    print(report(f"20-state executions ({ROUND}/round, median)", list(rates.items()), "executions/s", rates))
    by_language()
    ours = awsmsg_hour()
    if "--moto-hour" in sys.argv:
        theirs, how = moto_wait(3600), "measured"
    else:
        theirs, how = (
            moto_wait(MOTO_SHORT_WAIT) - MOTO_SHORT_WAIT + 3600,
            f"extrapolated from a {MOTO_SHORT_WAIT} s Wait",
        )
    hour = {"pytest-awsmsg": ours * 1000, "moto": theirs * 1000}
    print(report(f"Machine with a one-hour Wait, wall time (moto {how})", list(hour.items()), "ms", hour))


if __name__ == "__main__":
    main()
