"""SQS answers query and JSON on every request, whatever the installed botocore
speaks: each request is answered in the protocol it came in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.protocols import WireRequest, WireResponse, model_as
from pytest_awsmsg.core.registry import service_model

INSTALLED = service_model("sqs").metadata["protocol"]
OTHER = "query" if INSTALLED == "json" else "json"


@pytest.fixture
def other_sqs(tmp_path: Path) -> Any:
    """A boto3 SQS client built from a copy of the model that speaks the other protocol."""
    model = model_as(service_model("sqs"), OTHER)
    folder = tmp_path / "sqs" / str(model.api_version)
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model._service_description), encoding="utf-8")
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    return boto3.Session(botocore_session=session).client("sqs", region_name="us-east-1")


def test_both_protocols_reach_the_same_queues(aws: Cloud, other_sqs: Any) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = other_sqs.create_queue(QueueName="orders", Attributes={"DelaySeconds": "0"}, tags={"team": "a"})["QueueUrl"]
    sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}},
    )

    got = other_sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])

    (message,) = got["Messages"]
    assert message["Body"] == "hello"
    assert message["MessageAttributes"]["color"]["StringValue"] == "red"
    assert "SentTimestamp" in message["Attributes"]
    assert other_sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {
        "DelaySeconds": "0"
    }
    batch = other_sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": ""}]
    )
    assert [e["Id"] for e in batch["Successful"]] == ["a"]
    assert [e["Id"] for e in batch["Failed"]] == ["b"]


def test_errors_come_back_in_the_callers_protocol(aws: Cloud, other_sqs: Any) -> None:
    with pytest.raises(other_sqs.exceptions.QueueDoesNotExist) as caught:
        other_sqs.get_queue_url(QueueName="missing")

    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert aws.calls[-1].error_code == "QueueDoesNotExist"


def _raw(aws: Cloud, protocol: str, operation: str, body: str) -> WireResponse:
    """A hand-built request signed with SigV4, answered by the cloud's one entry point."""
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if protocol == "json":
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"AmazonSQS.{operation}"}
    request = AWSRequest("POST", "https://sqs.us-east-1.amazonaws.com/", data=body.encode(), headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), "sqs", "us-east-1").add_auth(request)
    return aws.handle("sqs", WireRequest.create("POST", request.url, dict(request.headers), request.body))


def test_awss_documented_query_request_is_understood(aws: Cloud) -> None:
    """The example requests of SQS's query API reference, sent as they are."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    created = _raw(
        aws,
        "query",
        "CreateQueue",
        "Action=CreateQueue&QueueName=MyQueue&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40"
        "&Tag.1.Key=QueueType&Tag.1.Value=Production&Version=2012-11-05",
    )
    assert created.status == 200
    assert b"<CreateQueueResponse" in created.body
    url = sqs.get_queue_url(QueueName="MyQueue")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "40"
    }
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"QueueType": "Production"}

    sent = _raw(
        aws,
        "query",
        "SendMessage",
        f"Action=SendMessage&QueueUrl={url}&MessageBody=This+is+a+test+message"
        "&MessageAttribute.1.Name=my_attribute_name_1&MessageAttribute.1.Value.StringValue=my_attribute_value_1"
        "&MessageAttribute.1.Value.DataType=String",
    )
    assert sent.status == 200, sent.body
    received = _raw(
        aws,
        "query",
        "ReceiveMessage",
        f"Action=ReceiveMessage&QueueUrl={url}&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=5",
    )
    body = received.body.decode()
    assert "<Body>This is a test message</Body>" in body
    assert "<MessageAttribute><Name>my_attribute_name_1</Name>" in body
    assert "<Attribute><Name>SentTimestamp</Name>" in body


def test_a_json_request_is_answered_in_json(aws: Cloud) -> None:
    answer = _raw(aws, "json", "CreateQueue", json.dumps({"QueueName": "q", "Attributes": {"DelaySeconds": "3"}}))

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(answer.body)["QueueUrl"].endswith("/123456789012/q")
    missing = _raw(aws, "json", "GetQueueUrl", json.dumps({"QueueName": "nope"}))
    assert missing.status == 400
    assert json.loads(missing.body)["__type"] == "QueueDoesNotExist"
    assert missing.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"


@pytest.mark.parametrize(
    ("body", "json_name", "code"),
    [
        ({"QueueUrl": "URL", "MaxNumberOfMessages": 11}, "InvalidParameterValueException", "InvalidParameterValue"),
        ({"QueueUrl": "URL", "VisibilityTimeout": -1}, "InvalidParameterValueException", "InvalidParameterValue"),
        ({}, "MissingRequiredParameterException", "MissingParameter"),
    ],
)
def test_generic_sqs_errors_over_json_name_the_json_exception(
    aws: Cloud, body: dict[str, Any], json_name: str, code: str
) -> None:
    url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="q")["QueueUrl"]
    body = {k: url if v == "URL" else v for k, v in body.items()}

    answer = _raw(aws, "json", "ReceiveMessage", json.dumps(body))

    assert answer.status == 400
    assert json.loads(answer.body)["__type"] == json_name
    assert answer.headers["x-amzn-query-error"] == f"{code};Sender"
