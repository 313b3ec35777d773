"""Server-side input validation, derived from the botocore model, in one place.

AWS checks every request against its model before the service sees it:
required members, types, enums, lengths and ranges. botocore checks much of
this on the client, but not ``max`` constraints, and not at all with
``parameter_validation=False`` or from another SDK; so the kit checks again,
as the service does, and answers in the service's own words:

* JSON services (Secrets Manager, Step Functions, SWF): ``ValidationException``,
  "1 validation error detected: Value '1001' at 'maxResults' failed to
  satisfy constraint: Member must have value less than or equal to 100";
  a value of the wrong JSON type is a ``SerializationException``.
* SQS (either protocol): ``MissingParameter`` "The request must contain the
  parameter QueueUrl." and ``InvalidParameterValue`` for a wrong type. Its
  few modelled enums are the service's own business (``InvalidAttributeName``).
* SNS: ``InvalidParameter`` "Invalid parameter: TopicArn Reason: ..." for a
  missing member or a wrong type; its few modelled limits are the service's.

Patterns are not checked: the models' regular expressions are Java's and
AWS applies them unevenly; the services check the names they care about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from ..errors import AwsError
from .views import QUERY_ERA


class Style:
    """How one family of services words a validation failure."""

    check_constraints = True

    def missing(self, path: str) -> str:
        raise NotImplementedError

    def constraint(self, path: str, value: Any, rule: str, sensitive: bool) -> str:
        raise NotImplementedError

    def wrong_type(self, path: str, value: Any, expected: str) -> AwsError:
        raise NotImplementedError

    def error(self, problems: list[str]) -> AwsError:
        raise NotImplementedError

    def path(self, parent: str, member: str) -> str:
        return f"{parent}.{member}" if parent else member

    def item(self, parent: str, index: int) -> str:
        return f"{parent}.{index + 1}"


class CoralStyle(Style):
    """JSON services: one ValidationException listing every problem."""

    def path(self, parent: str, member: str) -> str:
        member = member[:1].lower() + member[1:]
        return f"{parent}.{member}" if parent else member

    def item(self, parent: str, index: int) -> str:
        return f"{parent}.{index + 1}.member"

    def missing(self, path: str) -> str:
        return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"

    def constraint(self, path: str, value: Any, rule: str, sensitive: bool) -> str:
        shown = "" if sensitive else f" '{_show(value)}'"
        return f"Value{shown} at '{path}' failed to satisfy constraint: Member must {rule}"

    def wrong_type(self, path: str, value: Any, expected: str) -> AwsError:
        return AwsError(f"{_json_token(value)} cannot be converted to {expected}", code="SerializationException")

    def error(self, problems: list[str]) -> AwsError:
        count = len(problems)
        message = f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems)
        return AwsError(message, code="ValidationException")


class SqsStyle(Style):
    check_constraints = False

    def missing(self, path: str) -> str:
        return f"The request must contain the parameter {path}."

    def constraint(self, path: str, value: Any, rule: str, sensitive: bool) -> str:  # pragma: no cover - unused
        return f"Value {_show(value)} for parameter {path} is invalid. Reason: Member must {rule}."

    def wrong_type(self, path: str, value: Any, expected: str) -> AwsError:
        return AwsError(f"Value {_show(value)} for parameter {path} is invalid.", code="InvalidParameterValue")

    def error(self, problems: list[str]) -> AwsError:
        code = "MissingParameter" if problems[0].startswith("The request must") else "InvalidParameterValue"
        return AwsError(problems[0], code=code)


class SnsStyle(Style):
    # SNS words its few modelled limits itself (ValidationException for
    # MaxResults, InvalidParameter for the rest): the service checks them.
    check_constraints = False

    def missing(self, path: str) -> str:
        return f"Invalid parameter: {path} Reason: no value for required parameter"

    def constraint(self, path: str, value: Any, rule: str, sensitive: bool) -> str:
        return f"Invalid parameter: {path} Reason: Member must {rule}"

    def wrong_type(self, path: str, value: Any, expected: str) -> AwsError:
        return AwsError(f"Invalid parameter: {path} Reason: must be {expected}", code="InvalidParameter")

    def error(self, problems: list[str]) -> AwsError:
        return AwsError(problems[0], code="InvalidParameter")


class BadRequestStyle(CoralStyle):
    """Amazon MQ (rest-json): a ``BadRequestException`` naming the attribute at fault (``errorAttribute``).

    Assumed wording: Amazon MQ does not document its validation messages.
    """

    def item(self, parent: str, index: int) -> str:
        return parent

    def missing(self, path: str) -> str:
        return f"The parameter {path} is required."

    def constraint(self, path: str, value: Any, rule: str, sensitive: bool) -> str:
        shown = "" if sensitive else f" '{_show(value)}'"
        return f"Value{shown} for parameter {path} is invalid: Member must {rule}."

    def wrong_type(self, path: str, value: Any, expected: str) -> AwsError:
        error = AwsError(f"Value for parameter {path} must be {expected}.", code="BadRequestException")
        error.fields = {"ErrorAttribute": path.rsplit(".", 1)[-1]}
        return error

    def error(self, problems: list[str]) -> AwsError:
        error = AwsError(problems[0], code="BadRequestException")
        attribute = problems[0].split("parameter ", 1)[-1].split(" ", 1)[0]
        error.fields = {"ErrorAttribute": attribute.rsplit(".", 1)[-1]}
        return error


@cache
def style_for(model: ServiceModel) -> Style:
    if model.protocol == "rest-json" and "BadRequestException" in {s.name for s in model.error_shapes}:
        return BadRequestStyle()
    if model.service_name in QUERY_ERA or "awsQueryCompatible" in model.metadata:
        return SqsStyle()
    if model.protocol == "query":
        return SnsStyle()
    return CoralStyle()


def validate(model: ServiceModel, operation: OperationModel, params: Mapping[str, Any]) -> None:
    """Raise the service's validation error if ``params`` break the operation's input shape."""
    shape = operation.input_shape
    if shape is None:
        return
    style = style_for(model)
    problems: list[str] = []
    _check(style, shape, params, "", problems)
    if problems:
        raise style.error(problems)


def missing_member(service_name: str, path: str) -> AwsError:
    """The error ``service_name`` answers for a member it needs that the model leaves optional.

    ``path`` is in the service's own notation (``tags.1.member.key`` for a
    JSON service, ``Entries.1.Id`` for SQS).
    """
    from ..registry import service_model

    style = style_for(service_model(service_name))
    return style.error([style.missing(path)])


_EXPECTED = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "float": "Float",
    "double": "Double",
    "boolean": "Boolean",
    "blob": "Blob",
    "timestamp": "Timestamp",
    "structure": "Structure",
    "list": "List",
    "map": "Map",
}


def _type_ok(shape: Shape, value: Any) -> bool:
    kind = shape.type_name
    if kind == "string":
        return isinstance(value, str)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "blob":
        return isinstance(value, (bytes, bytearray))
    if kind == "timestamp":
        return isinstance(value, datetime)
    if kind in ("structure", "map"):
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    return True


def _check(style: Style, shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    if not _type_ok(shape, value):
        raise style.wrong_type(path or shape.name, value, _EXPECTED.get(shape.type_name, shape.type_name))
    if isinstance(shape, StructureShape):
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(style.missing(style.path(path, name)))
        for name, item in value.items():
            member = shape.members.get(name)
            if member is not None and item is not None:
                _check(style, member, item, style.path(path, name), problems)
        return
    if style.check_constraints:
        _constraints(style, shape, value, path, problems)
    # A null inside a list or map is a missing member (no model here is sparse).
    if isinstance(shape, ListShape):
        for index, item in enumerate(value):
            if item is None:
                problems.append(style.missing(style.item(path, index)))
            else:
                _check(style, shape.member, item, style.item(path, index), problems)
    elif isinstance(shape, MapShape):
        for key, item in value.items():
            _check(style, shape.key, key, path, problems)
            if item is None:
                problems.append(style.missing(f"{path}.{key}"))
            else:
                _check(style, shape.value, item, f"{path}.{key}", problems)


def _constraints(style: Style, shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    sensitive = bool(meta.get("sensitive"))
    kind = shape.type_name
    if kind == "string" and shape.enum and value not in shape.enum:
        rule = f"satisfy enum value set: [{', '.join(shape.enum)}]"
        problems.append(style.constraint(path, value, rule, sensitive))
        return
    if kind in ("string", "blob", "list", "map"):
        size = len(value)
        if "min" in meta and size < meta["min"]:
            rule = f"have length greater than or equal to {meta['min']}"
            problems.append(style.constraint(path, value, rule, sensitive))
        elif "max" in meta and size > meta["max"]:
            rule = f"have length less than or equal to {meta['max']}"
            problems.append(style.constraint(path, value, rule, sensitive))
    elif kind in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            rule = f"have value greater than or equal to {_number(meta['min'])}"
            problems.append(style.constraint(path, value, rule, sensitive))
        elif "max" in meta and value > meta["max"]:
            rule = f"have value less than or equal to {_number(meta['max'])}"
            problems.append(style.constraint(path, value, rule, sensitive))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _show(value: Any) -> str:
    """A value as AWS's (Java) validation messages print it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    return str(value)


def _json_token(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, dict):
        return "START_OBJECT"
    return "VALUE"
