"""Golden tests from the examples AWS documents for each operation (botocore's examples-1.json).

Each documented request is replayed, in an order that gives it the secret it
expects, and the answer must carry exactly the members the documented answer
carries, with the same names and version ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore
import pytest

_EXAMPLES = Path(botocore.__file__).parent / "data" / "secretsmanager" / "2017-10-17" / "examples-1.json"
# (operation, index of its example): a story in which every request finds what it names.
STORY = [
    ("CreateSecret", 0),
    ("PutSecretValue", 0),
    ("GetSecretValue", 0),
    ("UpdateSecret", 0),
    ("UpdateSecret", 1),
    ("UpdateSecret", 2),
    ("TagResource", 0),
    ("UntagResource", 0),
    ("PutResourcePolicy", 0),
    ("GetResourcePolicy", 0),
    ("ValidateResourcePolicy", 0),
    ("DeleteResourcePolicy", 0),
    ("GetRandomPassword", 0),
    ("UpdateSecretVersionStage", 0),
    ("UpdateSecretVersionStage", 1),
    ("ListSecrets", 0),
    ("RestoreSecret", 0),
]


def _examples() -> dict[str, list[dict[str, Any]]]:
    if not _EXAMPLES.exists():
        pytest.skip("this botocore ships no Secrets Manager examples")
    examples: dict[str, list[dict[str, Any]]] = json.loads(_EXAMPLES.read_text())["examples"]
    return examples


def test_documented_examples_answer_with_the_documented_members(sm: Any) -> None:
    examples = _examples()
    for operation, index in STORY:
        example = examples[operation][index]
        request = dict(example.get("input") or {})
        if operation == "TagResource":
            request["SecretId"] = "MyTestDatabaseSecret"  # the example tags another secret of the story
        answer = getattr(sm, botocore.xform_name(operation))(**request)
        answer.pop("ResponseMetadata")
        documented = example.get("output") or {}
        # Members the model added after these examples were written (the model says
        # PolicyName is returned, "default" when the request named none).
        newer = {"PolicyName"} if "ResourcePolicy" in operation and "Validate" not in operation else set()
        assert set(answer) - newer == set(documented), (operation, index)
        # Values that do not depend on when the example was recorded (ARNs, dates and stages do).
        for member in ("Name", "PolicyValidationPassed", "ValidationErrors"):
            if member in documented:
                assert answer[member] == documented[member], (operation, member)
        if "ClientRequestToken" in request and "VersionId" in documented:
            assert answer["VersionId"] == request["ClientRequestToken"]
        if operation == "GetRandomPassword":
            assert len(answer["RandomPassword"]) == request["PasswordLength"]


def test_a_documented_scheduled_rotation(aws: Any, sm: Any) -> None:
    example = _examples()["RotateSecret"][0]
    sm.create_secret(Name="MyTestDatabaseSecret", SecretString="{}")
    aws.lambdas.register("MyTestDatabaseRotationLambda", lambda event, context: None)
    answer = sm.rotate_secret(**example["input"])
    answer.pop("ResponseMetadata")
    assert set(answer) == set(example["output"])
    described = sm.describe_secret(SecretId="MyTestDatabaseSecret")
    assert described["RotationRules"]["ScheduleExpression"] == "cron(0 16 1,15 * ? *)"
    assert described["RotationRules"]["Duration"] == "2h"
