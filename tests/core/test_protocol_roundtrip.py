"""The protocol layer, proven against botocore itself.

For every operation of the six services the kit fakes, a sample input is
serialised by botocore's own serialiser and must parse back to the same params
with our parser; a sample output serialised by us must parse back to the same
dict with botocore's own parser. Every modelled error must come out of
botocore's parser with AWS's code. SQS runs on both of its wire protocols.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from botocore import parsers
from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape
from botocore.serialize import create_serializer

from pytest_awsmsg import AwsError
from pytest_awsmsg.core.protocols import WireRequest, model_as, parser_for, serializer_for
from pytest_awsmsg.core.protocols.views import query_code_of
from pytest_awsmsg.core.registry import service_model

SERVICES = ["sqs", "sns", "stepfunctions", "mq", "swf", "secretsmanager"]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def sample(shape: Shape, name: str = "v", depth: int = 0) -> Any:
    """A value for every member of a shape, deterministic and non-empty."""
    if isinstance(shape, StructureShape):
        members = list(shape.members.items())
        if shape.is_union if hasattr(shape, "is_union") else shape.metadata.get("union"):
            members = members[:1]
        if depth > 3:
            members = [(n, m) for n, m in members if n in shape.required_members]
        return {n: sample(m, n, depth + 1) for n, m in members}
    if isinstance(shape, ListShape):
        return [sample(shape.member, name, depth + 1)]
    if isinstance(shape, MapShape):
        key = shape.key.enum[0] if shape.key.enum else "key1"
        return {key: sample(shape.value, name, depth + 1)}
    kind = shape.type_name
    if kind == "string":
        return shape.enum[0] if shape.enum else f"{name}-value"
    if kind in ("integer", "long"):
        return 7
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return WHEN
    if kind == "blob":
        return b"blob \x00\xff"
    raise AssertionError(f"no sample for {kind}")


def operations(protocols: dict[str, list[str]]) -> list[Any]:
    cases = []
    for service in SERVICES:
        model = service_model(service)
        for protocol in protocols.get(service, [str(model.metadata["protocol"])]):
            for name in model.operation_names:
                cases.append(pytest.param(model, protocol, name, id=f"{service}-{protocol}-{name}"))
    return cases


def _as_protocol(model: ServiceModel, protocol: str) -> ServiceModel:
    """The same model, as a client of another protocol the service speaks sees it."""
    return model_as(model, protocol)


# SQS speaks both, whichever of them the installed botocore's model declares.
BOTH_SQS = {"sqs": ["json", "query"]}


@pytest.mark.parametrize(("model", "protocol", "name"), operations(BOTH_SQS))
def test_request_parses_back_to_its_params(model: ServiceModel, protocol: str, name: str) -> None:
    model = _as_protocol(model, protocol)
    operation = model.operation_model(name)
    params = sample(operation.input_shape) if operation.input_shape is not None else {}
    request_dict = create_serializer(protocol, include_validation=False).serialize_to_request(params, operation)
    prepare_request_dict(request_dict, endpoint_url=f"https://{model.endpoint_prefix}.eu-west-1.amazonaws.com")
    prepared = create_request_object(request_dict).prepare()
    wire = WireRequest.create(prepared.method, prepared.url, prepared.headers, prepared.body)

    parsed_operation, parsed = parser_for(model, protocol).parse(wire)

    assert parsed_operation.name == name
    assert parsed == params


@pytest.mark.parametrize(("model", "protocol", "name"), operations(BOTH_SQS))
def test_response_parses_back_with_botocore(model: ServiceModel, protocol: str, name: str) -> None:
    model = _as_protocol(model, protocol)
    operation: OperationModel = model.operation_model(name)
    result = sample(operation.output_shape) if operation.output_shape is not None else {}
    response = serializer_for(model, protocol).serialize(operation, result, "req-1")

    parsed = parsers.create_parser(protocol).parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body},
        operation.output_shape,
    )

    assert parsed.pop("ResponseMetadata", {}).get("RequestId") == "req-1"
    assert parsed == result


def _errors(protocols: dict[str, list[str]]) -> list[Any]:
    cases = []
    for service in SERVICES:
        model = service_model(service)
        for protocol in protocols.get(service, [str(model.metadata["protocol"])]):
            for shape in model.error_shapes:
                cases.append(pytest.param(model, protocol, shape.name, id=f"{service}-{protocol}-{shape.name}"))
    return cases


@pytest.mark.parametrize(("model", "protocol", "code"), _errors(BOTH_SQS))
def test_every_modelled_error_reaches_botocore_with_its_code(model: ServiceModel, protocol: str, code: str) -> None:
    model = _as_protocol(model, protocol)
    operation = model.operation_model(model.operation_names[0])
    error = AwsError("it went wrong", code=code)
    response = serializer_for(model, protocol).serialize_error(operation, error, "req-2")

    parsed = parsers.create_parser(protocol).parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body},
        operation.output_shape,
    )

    assert response.status >= 400
    assert parsed["Error"]["Message"] == "it went wrong"
    expected = query_code_of(model, code)
    assert parsed["Error"]["Code"] == expected
    assert parsed["ResponseMetadata"]["RequestId"] == "req-2"


def test_query_compatible_error_carries_both_codes() -> None:
    """SQS on JSON still reports the query code botocore maps to the modelled class."""
    model = service_model("sqs")
    if model.metadata["protocol"] != "json":
        pytest.skip("this botocore speaks query to SQS")
    operation = model.operation_model("GetQueueUrl")
    error = AwsError(
        "The specified queue does not exist.",
        code="QueueDoesNotExist",
        query_code="AWS.SimpleQueueService.NonExistentQueue",
    )
    response = serializer_for(model, "json").serialize_error(operation, error, "req-3")

    parsed = parsers.create_parser("json").parse(
        {"status_code": response.status, "headers": HeadersDict(response.headers), "body": response.body},
        operation.output_shape,
    )

    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    assert parsed["Error"]["Type"] == "Sender"
