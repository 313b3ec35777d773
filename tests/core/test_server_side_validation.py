"""The model's constraints are checked server-side, as AWS checks them, in each
service's own words: a client without botocore's validation (another SDK,
``parameter_validation=False``) gets AWS's error, never a crash."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_awsmsg import Cloud

UNCHECKED = Config(parameter_validation=False, retries={"max_attempts": 1})


def client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1", config=UNCHECKED)


def error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_a_range_botocore_does_not_check(aws: Cloud) -> None:
    sm = boto3.client("secretsmanager", region_name="us-east-1")  # botocore checks only minimums

    with pytest.raises(ClientError) as caught:
        sm.list_secrets(MaxResults=1001)

    assert error(caught) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_lengths_and_sensitive_values(aws: Cloud) -> None:
    sm = client("secretsmanager")

    with pytest.raises(ClientError) as caught:
        sm.create_secret(Name="db", SecretString="x" * 65537, Description="d" * 2049)

    code, message = error(caught)
    assert code == "ValidationException"
    assert message.startswith("2 validation errors detected: ")
    # a secret's value is never echoed (the model marks it sensitive)
    assert (
        "Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"
        in message
    )
    assert (
        "at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048" in message
    )
    assert "xxxx" not in message


def test_missing_required_members_in_each_services_words(aws: Cloud) -> None:
    with pytest.raises(ClientError) as caught:
        client("secretsmanager").get_secret_value()
    assert error(caught) == (
        "ValidationException",
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    )

    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as caught:
        client("sqs").send_message(QueueUrl=url)
    assert error(caught) == ("MissingParameter", "The request must contain the parameter MessageBody.")

    with pytest.raises(ClientError) as caught:
        client("sns").publish(Message="hi")
    assert error(caught)[0] == "InvalidParameter"

    with pytest.raises(ClientError) as caught:
        client("stepfunctions").start_execution(input="{}")
    assert error(caught)[0] == "ValidationException"
    assert "Value null at 'stateMachineArn'" in error(caught)[1]


def test_enums_and_types(aws: Cloud) -> None:
    sfn = client("stepfunctions")
    with pytest.raises(ClientError) as caught:
        sfn.list_executions(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:m", statusFilter="NOPE")
    code, message = error(caught)
    assert code == "ValidationException"
    assert (
        "Value 'NOPE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [" in message
    )

    with pytest.raises(ClientError) as caught:
        client("secretsmanager").list_secrets(MaxResults="ten")
    assert error(caught)[0] == "SerializationException"

    with pytest.raises(ClientError) as caught:
        client("secretsmanager").describe_secret(SecretId=42)
    assert error(caught)[0] == "SerializationException"


def test_a_wrong_type_to_sqs(aws: Cloud) -> None:
    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")["QueueUrl"]

    with pytest.raises(ClientError) as caught:
        client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages="many")

    assert error(caught)[0] == "InvalidParameterValue"
    assert "MaxNumberOfMessages" in error(caught)[1]


def test_in_cloud_calls_are_validated_the_same_way(aws: Cloud) -> None:
    from pytest_awsmsg.core.errors import AwsError

    with pytest.raises(AwsError) as caught:
        aws.call("secretsmanager", "ListSecrets", {"MaxResults": 0})

    assert caught.value.code == "ValidationException"
    assert "Member must have value greater than or equal to 1" in caught.value.message


def test_nulls_inside_lists_and_maps_are_missing_members(aws: Cloud) -> None:
    from pytest_awsmsg.core.registry import service_model

    if service_model("sqs").protocol == "json":  # the query wire cannot carry a null at all
        url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")["QueueUrl"]
        with pytest.raises(ClientError) as caught:
            client("sqs").tag_queue(QueueUrl=url, Tags={"team": None})
        assert error(caught) == ("MissingParameter", "The request must contain the parameter Tags.team.")

    with pytest.raises(ClientError) as caught:
        client("secretsmanager").batch_get_secret_value(SecretIdList=["a", None])
    assert (
        "Value null at 'secretIdList.2.member' failed to satisfy constraint: Member must not be null"
        in (error(caught)[1])
    )


def test_a_number_where_base64_goes_is_a_serialization_error(aws: Cloud) -> None:
    from pytest_awsmsg.core.protocols import WireRequest

    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.PutSecretValue"}
    body = '{"SecretId": "s", "SecretBinary": 7}'
    request = WireRequest.create("POST", "https://secretsmanager.us-east-1.amazonaws.com/", headers, body)

    answer = aws.handle("secretsmanager", request)

    assert answer.status == 400
    assert b"SerializationException" in answer.body
    aws.check_kit()


def test_members_the_model_does_not_know_are_ignored(aws: Cloud) -> None:
    from pytest_awsmsg.core.protocols import WireRequest

    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.ListActivities"}
    request = WireRequest.create(
        "POST", "https://states.us-east-1.amazonaws.com/", headers, '{"junk": 1, "maxResults": 5}'
    )

    answer = aws.handle("stepfunctions", request)

    assert answer.status == 200
    aws.check_kit()
