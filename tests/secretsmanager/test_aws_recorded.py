"""Golden tests: answers recorded from real Secrets Manager, replayed against the fake.

Each case follows a sequence of calls whose answers AWS documents or that were
recorded from AWS (names, messages, which fields appear), so a difference in a
message or in a field's presence fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape

from .helpers import error_of

MakeSecret = Callable[..., dict[str, Any]]
INVALID_NAME = (
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)


def _minimal(shape: Shape) -> Any:
    """The smallest value of a shape that botocore accepts (required members only)."""
    if shape.type_name == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if shape.type_name == "list":
        return [_minimal(shape.member)]
    if shape.type_name in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if shape.type_name == "boolean":
        return True
    if shape.type_name == "blob":
        return b"x"
    return "x" * max(1, shape.metadata.get("min", 1))


def _operations_with_secret_id() -> list[str]:
    model = botocore.session.get_session().get_service_model("secretsmanager")
    return sorted(
        name for name in model.operation_names if "SecretId" in (model.operation_model(name).input_shape.members or {})
    )


@pytest.mark.parametrize("operation", _operations_with_secret_id())
@pytest.mark.parametrize("bad", ["Inv Name", " Inv*Name? ", "Inv *?!]Name\\\\-"])
def test_every_operation_refuses_an_invalid_secret_id_with_a_validation_exception(
    sm: Any, operation: str, bad: str
) -> None:
    """Recorded from AWS: the same ValidationException from every operation, before any lookup."""
    op_model = sm.meta.service_model.operation_model(operation)
    params = _minimal(op_model.input_shape)
    params["SecretId"] = bad
    with pytest.raises(sm.exceptions.ClientError) as excinfo:
        getattr(sm, botocore.xform_name(operation))(**params)
    assert error_of(excinfo) == ("ValidationException", INVALID_NAME)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_names_with_every_allowed_character_work(sm: Any) -> None:
    sm.create_secret(Name="Valid/_+=.@-Name-a1b2c3-", SecretString="my_secret")
    assert sm.get_secret_value(SecretId="Valid/_+=.@-Name-a1b2c3-")["SecretString"] == "my_secret"
    # "!" is in AWS's list: other services' secrets are named "rds!cluster-...".
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId="rds!cluster-1a96bebc")


def test_tags_appear_once_tagged_and_stay_as_an_empty_list(sm: Any) -> None:
    sm.create_secret(Name="s")
    assert "Tags" not in sm.describe_secret(SecretId="s")

    sm.tag_resource(SecretId="s", Tags=[{"Key": "tag1", "Value": "value1"}])
    sm.tag_resource(SecretId="s", Tags=[{"Key": "tag2", "Value": "value2"}])
    assert sm.describe_secret(SecretId="s")["Tags"] == [
        {"Key": "tag1", "Value": "value1"},
        {"Key": "tag2", "Value": "value2"},
    ]
    sm.untag_resource(SecretId="s", TagKeys=["tag1"])
    assert sm.describe_secret(SecretId="s")["Tags"] == [{"Key": "tag2", "Value": "value2"}]
    sm.untag_resource(SecretId="s", TagKeys=["tag2"])
    assert sm.describe_secret(SecretId="s")["Tags"] == []
    assert sm.list_secrets()["SecretList"][0]["Tags"] == []


def test_primary_region_appears_only_on_multi_region_secrets(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("alone")
    make_secret("replicated")
    assert "PrimaryRegion" not in sm.describe_secret(SecretId="alone")
    assert all("PrimaryRegion" not in entry for entry in sm.list_secrets()["SecretList"])

    sm.replicate_secret_to_regions(SecretId="replicated", AddReplicaRegions=[{"Region": "eu-west-1"}])
    assert sm.describe_secret(SecretId="replicated")["PrimaryRegion"] == "us-east-1"
    listed = {e["Name"]: e for e in sm.list_secrets()["SecretList"]}
    assert listed["replicated"]["PrimaryRegion"] == "us-east-1"
    assert "PrimaryRegion" not in listed["alone"]


def test_a_secret_created_without_a_value_has_no_version(sm: Any) -> None:
    created = sm.create_secret(Name="empty")
    assert set(created) == {"ARN", "Name", "ResponseMetadata"}
    described = sm.describe_secret(SecretId="empty")
    assert set(described) == {"ARN", "Name", "CreatedDate", "LastChangedDate", "ResponseMetadata"}


def test_staging_labels_are_listed_in_sorted_order(sm: Any, make_secret: MakeSecret) -> None:
    make_secret("s", "S1")
    put = sm.put_secret_value(SecretId="s", SecretString="S2", VersionStages=["two", "one", "three"])
    assert put["VersionStages"] == ["one", "three", "two"]
    put = sm.put_secret_value(SecretId="s", SecretString="S3", VersionStages=["PUT1", "AWSSOMETHING", "AWSPENDING"])
    assert put["VersionStages"] == ["AWSPENDING", "AWSSOMETHING", "PUT1"]
    sm.update_secret_version_stage(
        SecretId="s",
        VersionStage="AWSCURRENT",
        MoveToVersionId=put["VersionId"],
        RemoveFromVersionId=sm.get_secret_value(SecretId="s")["VersionId"],
    )
    assert sm.get_secret_value(SecretId="s")["VersionStages"] == ["AWSCURRENT", "AWSPENDING", "AWSSOMETHING", "PUT1"]


def test_version_id_and_stage_that_do_not_match(sm: Any, make_secret: MakeSecret) -> None:
    version = make_secret("s", "S1")["VersionId"]
    with pytest.raises(sm.exceptions.InvalidRequestException) as excinfo:
        sm.get_secret_value(SecretId="s", VersionId=version, VersionStage="AWSPREVIOUS")
    assert error_of(excinfo)[1] == "You provided a VersionStage that is not associated to the provided VersionId."
    with pytest.raises(sm.exceptions.ResourceNotFoundException) as excinfo:
        sm.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")
    assert (
        error_of(excinfo)[1] == "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS"
    )


class TestClientRequestTokenReuse:
    """AWS's ClientRequestToken rules, for CreateSecret, PutSecretValue and UpdateSecret alike."""

    T1, T2 = "1" * 32, "2" * 32

    def test_create_secret_again_with_a_new_token_says_the_secret_exists(self, sm: Any) -> None:
        sm.create_secret(Name="s", SecretString="v", ClientRequestToken=self.T1)
        with pytest.raises(sm.exceptions.ResourceExistsException) as excinfo:
            sm.create_secret(Name="s", SecretString="v", ClientRequestToken=self.T2)
        assert error_of(excinfo)[1] == "The operation failed because the secret s already exists."

    def test_create_secret_again_with_the_same_token_and_value_is_ignored(self, sm: Any) -> None:
        first = sm.create_secret(Name="s", SecretString="v", ClientRequestToken=self.T1)
        again = sm.create_secret(Name="s", SecretString="v", ClientRequestToken=self.T1)
        assert (again["ARN"], again["VersionId"]) == (first["ARN"], self.T1)

    @pytest.mark.parametrize("operation", ["create_secret", "put_secret_value", "update_secret"])
    def test_the_same_token_with_another_value_is_refused(self, sm: Any, operation: str) -> None:
        arn = sm.create_secret(Name="s", SecretString="v", ClientRequestToken=self.T1)["ARN"]
        target = {"Name": "s"} if operation == "create_secret" else {"SecretId": "s"}
        with pytest.raises(sm.exceptions.ResourceExistsException) as excinfo:
            getattr(sm, operation)(**target, SecretString="other", ClientRequestToken=self.T1)
        assert error_of(excinfo)[1] == (
            f"You can't use ClientRequestToken {self.T1} because that value is already in use for a version of "
            f"secret {arn}."
        )
        assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"


class TestSearchWords:
    """ListSecrets' "all" filter splits values into words (AWS's user guide, "Find secrets")."""

    @pytest.fixture(autouse=True)
    def catalogue(self, make_secret: MakeSecret) -> None:
        make_secret("credsDatabase", "1")
        make_secret("prod/api-key", "2", Description="My payments key")
        make_secret("cache", "3", Tags=[{"Key": "owner", "Value": "team892"}])

    @staticmethod
    def found(sm: Any, value: str) -> list[str]:
        listed = sm.list_secrets(Filters=[{"Key": "all", "Values": [value]}])["SecretList"]
        return sorted(entry["Name"] for entry in listed)

    def test_case_changes_digits_and_punctuation_end_words(self, sm: Any) -> None:
        # "credsDatabase#892" searches "creds", "Database" and "892".
        assert self.found(sm, "credsDatabase#892") == ["cache", "credsDatabase"]

    def test_any_word_may_match(self, sm: Any) -> None:
        # "My_Secret" matches secrets with the word "my" or "secret".
        assert self.found(sm, "My_Secret") == ["prod/api-key"]

    def test_words_match_by_prefix_ignoring_case(self, sm: Any) -> None:
        assert self.found(sm, "DATA") == ["credsDatabase"]
        assert self.found(sm, "api") == ["prod/api-key"]
        assert self.found(sm, "nothing") == []


@pytest.mark.parametrize("operation", _operations_with_secret_id())
@pytest.mark.parametrize("state", ["missing", "scheduled for deletion"])
def test_every_operation_answers_only_errors_its_model_documents(
    sm: Any, make_secret: MakeSecret, operation: str, state: str
) -> None:
    """Each operation's documented errors (the model's list) are the only ones it answers."""
    op_model = sm.meta.service_model.operation_model(operation)
    documented = {shape.name for shape in op_model.error_shapes}
    params = _minimal(op_model.input_shape)
    params["SecretId"] = "db"
    if state != "missing":
        make_secret("db")
        sm.delete_secret(SecretId="db")
    code = None
    try:
        getattr(sm, botocore.xform_name(operation))(**params)
    except sm.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
    assert code is None or code in documented, (operation, code)
