"""A secret's value never shows: not in the call log, reprs, error messages or a failed test's report."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg import Cloud

VALUE = "correct-horse-battery-staple"
MakeSecret = Callable[..., dict[str, Any]]


def test_the_call_log_redacts_values(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", VALUE)
    sm.put_secret_value(SecretId="db", SecretString=VALUE + "-2")
    sm.update_secret(SecretId="db", SecretBinary=VALUE.encode())
    sm.get_secret_value(SecretId="db")
    sm.get_random_password()

    log = aws.calls.format()
    assert VALUE not in log
    assert "SecretString='<redacted>'" in log
    assert VALUE not in json.dumps(aws.calls.to_json(), default=str)


def test_reprs_redact_values(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", VALUE)
    secret = aws.secretsmanager.secret("db")

    shown = " ".join(
        [repr(secret), repr(secret.versions), str(secret.versions[0]), repr(aws.service("secretsmanager").stores())]
    )
    assert VALUE not in shown
    assert "<redacted>" in shown


def test_rotation_errors_scrub_values(
    aws: Cloud, sm: Any, make_secret: MakeSecret, rotation_function: Callable[..., str]
) -> None:
    make_secret("db", json.dumps({"username": "app", "password": VALUE}))

    def leaky(event: dict[str, Any], context: Any) -> None:
        raise ValueError(f"cannot log in with {VALUE}")

    aws.lambdas.register("leaky", leaky)
    sm.rotate_secret(SecretId="db", RotationLambdaARN="leaky")

    error = aws.secretsmanager.secret("db").rotations[-1].error
    assert error == "createSecret failed: ValueError: cannot log in with <redacted>"
    assert all(VALUE not in text for _, text in aws.report_sections())
    failed = aws.lambdas.invocations[-1].error
    assert failed is not None
    assert VALUE not in repr(aws.lambdas.invocations)
    assert VALUE not in " ".join([failed.error_message, *failed.stack_trace])


def test_error_messages_never_carry_values(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", VALUE, ClientRequestToken="t" * 32)

    with pytest.raises(sm.exceptions.ResourceExistsException) as excinfo:
        sm.put_secret_value(SecretId="db", SecretString=VALUE + "!", ClientRequestToken="t" * 32)
    assert VALUE not in str(excinfo.value)


def test_a_failed_tests_report_shows_no_value(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_fails(aws):
            value = "-".join(["correct", "horse", "battery", "staple"])  # not in the source as one string
            sm = boto3.client("secretsmanager", region_name="us-east-1")
            sm.create_secret(Name="db", SecretString=value)
            sm.put_secret_value(SecretId="db", SecretString=value + "-next")
            assert aws.secretsmanager.secret("db").versions == []
        """
    )

    result = pytester.runpytest_inprocess("-p", "no:randomly")

    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "aws calls" in output
    assert "secretsmanager.PutSecretValue(SecretId='db'" in output
    assert "aws secretsmanager" in output
    assert VALUE not in output


# A value whose spellings differ: JSON escapes the quote and the newline, repr the quote and the backslash.
TRICKY = 'it\'s "correct"\nhorse\\battery-staple-é'


def spellings(value: str) -> list[str]:
    """Ways a value may show in a report: as it is, repr'd, JSON-escaped (once, twice, ASCII-only)."""
    once = json.dumps(value)[1:-1]
    return [
        value,
        repr(value)[1:-1],
        once,
        json.dumps(once)[1:-1],
        json.dumps(value, ensure_ascii=True)[1:-1],
        repr(json.dumps({"SecretString": value})),
    ]


def leaked(text: str, value: str = TRICKY) -> list[str]:
    return [s for s in spellings(value) if s in text]


def test_a_step_functions_task_reading_a_secret_leaks_nothing_into_the_report(
    aws: Cloud, sm: Any, make_secret: MakeSecret
) -> None:
    make_secret("db", TRICKY)
    make_secret("creds", json.dumps({"username": "app", "password": TRICKY}))
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    read = "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue"
    definition = {
        "StartAt": "Read",
        "States": {
            "Read": {"Type": "Task", "Resource": read, "Parameters": {"SecretId": "db"}, "Next": "ReadJson"},
            "ReadJson": {"Type": "Task", "Resource": read, "Parameters": {"SecretId": "creds"}, "Next": "Boom"},
            "Boom": {"Type": "Fail", "Error": "Stop", "Cause": "to see the report"},
        },
    }
    machine = sfn.create_state_machine(
        name="leaky", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    assert sfn.describe_execution(executionArn=run)["status"] == "FAILED"
    # The execution itself still carries the value (the user may read it) ...
    events = sfn.get_execution_history(executionArn=run)["events"]
    outputs = [json.loads(e["taskSucceededEventDetails"]["output"]) for e in events if e["type"] == "TaskSucceeded"]
    assert outputs[0]["SecretString"] == TRICKY
    # ... but no report section shows it in any spelling.
    sections = dict(aws.report_sections())
    assert "aws stepfunctions executions" in sections
    assert "<redacted>" in sections["aws stepfunctions executions"]
    for text in sections.values():
        assert leaked(text) == []


def test_rotation_errors_scrub_every_spelling_of_a_value(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db", json.dumps({"username": "app", "password": TRICKY}))

    def leaky(event: dict[str, Any], context: Any) -> None:
        raise ValueError(f"cannot log in with {TRICKY!r} (as JSON: {json.dumps(TRICKY)})")

    aws.lambdas.register("leaky", leaky)
    sm.rotate_secret(SecretId="db", RotationLambdaARN="leaky")

    error = aws.secretsmanager.secret("db").rotations[-1].error
    assert error == "createSecret failed: ValueError: cannot log in with '<redacted>' (as JSON: \"<redacted>\")"
    failed = aws.lambdas.invocations[-1].error
    assert failed is not None
    for text in [error, repr(aws.lambdas.invocations), failed.error_message, *failed.stack_trace]:
        assert leaked(text) == []
    for _, text in aws.report_sections():
        assert leaked(text) == []


def test_lambda_invocations_keep_no_rotation_token(aws: Cloud, sm: Any, make_secret: MakeSecret) -> None:
    make_secret("db")
    seen: list[str] = []

    def spy(event: dict[str, Any], context: Any) -> None:
        seen.append(event["RotationToken"])  # the function itself gets the real token

    aws.lambdas.register("spy", spy)
    sm.rotate_secret(SecretId="db", RotationLambdaARN="spy")

    assert len(seen) == 4
    assert "<redacted>" not in seen
    assert [i.event["RotationToken"] for i in aws.lambdas.invocations] == ["<redacted>"] * 4
    assert [i.event["Step"] for i in aws.lambdas.invocations] == [
        "createSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
    ]
    shown = " ".join([repr(aws.lambdas.invocations), aws.calls.format(), *(t for _, t in aws.report_sections())])
    assert all(token not in shown for token in seen)
