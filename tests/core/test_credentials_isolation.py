"""A cloud leaves credentials exactly as it found them, and runs no credential provider meanwhile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3
import botocore.credentials
import pytest

from pytest_awsmsg import fake_aws


@pytest.fixture
def real_keys(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "users-own-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return "AKIAUSERSOWNKEY00001"


def test_the_default_session_made_inside_a_cloud_is_gone_after_it(real_keys: str) -> None:
    with fake_aws():
        boto3.client("sqs", region_name="us-east-1").list_queues()
        assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION is None
    assert boto3.client("sqs", region_name="us-east-1")._request_signer._credentials.access_key == real_keys


def test_a_default_session_from_before_keeps_its_own_credentials(real_keys: str) -> None:
    boto3.setup_default_session()
    before = boto3.DEFAULT_SESSION
    with fake_aws():
        assert boto3.client("sqs", region_name="us-east-1").list_queues().get("QueueUrls") is None
    assert boto3.DEFAULT_SESSION is before
    # Resolved after the cloud, from the user's environment: nothing fake was cached.
    assert boto3.client("sqs", region_name="us-east-1")._request_signer._credentials.access_key == real_keys


def test_the_environment_is_exactly_as_before(real_keys: str) -> None:
    before = dict(os.environ)
    with fake_aws(region="eu-west-1"):
        assert os.environ["AWS_ACCESS_KEY_ID"] != real_keys
    assert dict(os.environ) == before


def test_keys_a_session_was_given_are_used_inside_the_cloud(real_keys: str) -> None:
    with fake_aws() as cloud:
        session = boto3.Session(**cloud.credentials_for("111122223333"))
        url = session.client("sqs", region_name="us-east-1").create_queue(QueueName="q")["QueueUrl"]
    assert "/111122223333/q" in url


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An AWS config whose profiles would run a command, call the container endpoint and STS."""
    marker = tmp_path / "credential_process-ran"
    token = tmp_path / "token"
    token.write_text("a-web-identity-token")
    process = tmp_path / "credentials.sh"
    process.write_text(
        f'touch {marker}\necho \'{{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s"}}\'\n'
    )
    config = tmp_path / "config"
    config.write_text(
        f"""[profile process]
credential_process = sh {process}
region = us-east-1

[profile container]
role_arn = arn:aws:iam::123456789012:role/app
credential_source = EcsContainer
region = us-east-1

[profile web]
role_arn = arn:aws:iam::123456789012:role/app
web_identity_token_file = {token}
region = us-east-1
"""
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds")
    return marker


@pytest.mark.parametrize("profile", ["process", "container", "web"])
def test_no_credential_provider_runs_inside_a_cloud(
    profile: str, profiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved: list[Any] = []
    real_load = botocore.credentials.CredentialResolver.load_credentials

    def load_credentials(self: Any) -> Any:
        resolved.append(self)
        return real_load(self)

    monkeypatch.setattr(botocore.credentials.CredentialResolver, "load_credentials", load_credentials)
    with fake_aws():
        sqs = boto3.Session(profile_name=profile).client("sqs")
        assert sqs.list_queues().get("QueueUrls") is None
    assert resolved == []
    assert not profiles.exists()  # the credential_process command never ran


def test_the_credential_process_does_run_outside_a_cloud(profiles: Path) -> None:
    # The fixture's command works: the test above would see it run.
    creds = boto3.Session(profile_name="process").get_credentials()
    assert creds.access_key == "AKIAPROC"
    assert profiles.exists()
