"""A secret's value never shows: not in the call log, reprs, error messages or a failed test's report."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pytest_awsmsg.core.cloud import Cloud

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

    shown = " ".join([repr(secret), repr(secret.versions), str(secret.versions[0]), repr(aws.secretsmanager.stores())])
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
