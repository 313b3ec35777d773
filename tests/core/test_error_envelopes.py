"""Error documents as AWS documents them, for every error shape of every
service, on the wire and as botocore parses them."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore import parsers
from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel

from pytest_awsmsg import AwsError, Cloud
from pytest_awsmsg.core.protocols import serializer_for
from pytest_awsmsg.core.protocols.views import QUERY_ERA, query_code_of
from pytest_awsmsg.core.registry import faked_services, service_model


def _parse(model: ServiceModel, response: Any) -> dict[str, Any]:
    operation = model.operation_model(model.operation_names[0])
    return parsers.create_parser(model.protocol).parse(  # type: ignore[no-any-return]
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body},
        operation.output_shape,
    )


def _error_cases() -> list[Any]:
    return [
        pytest.param(name, shape.name, id=f"{name}-{shape.name}")
        for name in faked_services()
        for shape in service_model(name).error_shapes
    ]


@pytest.mark.parametrize(("service", "shape_name"), _error_cases())
def test_every_error_shape_travels_as_aws_sends_it(service: str, shape_name: str) -> None:
    model = service_model(service)
    shape = model.shape_for(shape_name)
    response = serializer_for(model, model.protocol).serialize_error(None, AwsError("it broke", code=shape_name), "r-1")

    parsed = _parse(model, response)

    query_code = query_code_of(model, shape_name)
    assert parsed["Error"]["Code"] == query_code
    assert parsed["Error"]["Message"] == "it broke"
    assert "Detail" not in parsed["Error"]
    if model.protocol == "json":
        document = json.loads(response.body)
        assert document["__type"] == shape_name
        # the message under the key the shape defines, so botocore's
        # top-level member of that name is filled as well
        key = "Message" if "Message" in shape.members else "message"
        assert document[key] == "it broke"
        if "awsQueryCompatible" in model.metadata:
            assert response.headers["x-amzn-query-error"] == f"{query_code};Sender"
            assert parsed["Error"]["QueryErrorCode"] == shape_name
    elif model.protocol == "query":
        assert b"<Detail" not in response.body
        assert parsed["Error"]["Type"] == "Sender"
    else:  # rest-json (Amazon MQ): the code in x-amzn-ErrorType, the message under its wire name
        assert response.headers["x-amzn-ErrorType"] == shape_name
        assert json.loads(response.body)["message"] == "it broke"


def test_query_errors_have_awss_documented_envelope(aws: Cloud) -> None:
    sns = boto3.client("sns", region_name="us-east-1")

    with pytest.raises(sns.exceptions.NotFoundException) as caught:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:missing")

    assert set(caught.value.response["Error"]) == {"Type", "Code", "Message"}


@pytest.mark.parametrize(
    ("code", "json_name"),
    [
        ("InvalidParameterValue", "InvalidParameterValueException"),
        ("MissingParameter", "MissingRequiredParameterException"),
    ],
)
def test_sqs_json_generic_errors_name_the_json_exception(code: str, json_name: str) -> None:
    model = service_model("sqs")
    if model.protocol != "json":
        pytest.skip("this botocore speaks query to SQS")
    response = serializer_for(model, "json").serialize_error(None, AwsError("bad", code=code), "r-2")

    parsed = _parse(model, response)

    assert json.loads(response.body)["__type"] == json_name
    assert response.headers["x-amzn-query-error"] == f"{code};Sender"
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["QueryErrorCode"] == json_name


def test_secrets_manager_fills_the_top_level_message(aws: Cloud) -> None:
    sm = boto3.client("secretsmanager", region_name="us-east-1")

    with pytest.raises(sm.exceptions.ResourceNotFoundException) as caught:
        sm.describe_secret(SecretId="missing")

    assert caught.value.response["Message"] == caught.value.response["Error"]["Message"] != ""


@pytest.mark.parametrize("service", sorted(QUERY_ERA))
def test_query_era_names_are_the_query_models_own(service: str) -> None:
    """Under a botocore whose model still speaks query, the table of query-era
    wire names and codes must say exactly what that model says."""
    model = service_model(service)
    if model.protocol != "query":
        pytest.skip("this botocore's model no longer speaks query")
    era = QUERY_ERA[service]
    shapes = model._service_description["shapes"]
    for key, wire in era.names.items():
        shape, _, member = key.partition(".")
        if shape not in shapes:
            continue
        ref = shapes[shape]["members"][member] if member else shapes[shape].get("member", shapes[shape])
        assert ref.get("locationName") == wire, key
    for shape, (key, value) in era.entries.items():
        assert (shapes[shape]["key"]["locationName"], shapes[shape]["value"]["locationName"]) == (key, value)
    for shape, code in era.codes.items():
        assert shapes[shape]["error"]["code"] == code


@pytest.mark.parametrize("text", ["bell\x07", "nul\x00", "esc\x1b[0m", "lone \ud800 surrogate", "\ufffe"])
def test_no_answer_carries_what_its_parser_cannot_read(text: str) -> None:
    """Whatever a service echoes (labels, names, messages), every serialiser
    writes a document botocore parses: XML 1.0 cannot carry C0 controls at all."""
    for name in faked_services():
        model = service_model(name)
        serializer = serializer_for(model, model.protocol)
        response = serializer.serialize_error(
            None, AwsError(f"Invalid parameter: {text}", code="InvalidParameter"), "r"
        )
        parsed = _parse(model, response)
        assert parsed["Error"]["Message"].startswith("Invalid parameter: ")
        if model.protocol == "json":
            assert parsed["Error"]["Message"] == f"Invalid parameter: {text}"  # JSON escapes carry anything


def test_a_control_character_in_a_query_result_parses(aws: Cloud) -> None:
    sqs_model = service_model("sns")
    operation = sqs_model.operation_model("GetTopicAttributes")
    response = serializer_for(sqs_model, "query").serialize(operation, {"Attributes": {"DisplayName": "a\x07b"}}, "r")

    parsed = parsers.create_parser("query").parse(
        {"status_code": 200, "headers": HeadersDict(response.headers), "body": response.body}, operation.output_shape
    )

    assert parsed["Attributes"]["DisplayName"] == "a\ufffdb"
