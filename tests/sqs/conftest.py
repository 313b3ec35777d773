"""Fixtures for the SQS tests: a boto3 client on the fake and a queue factory.

The tests use only parameters both SQS wire protocols know (botocore before
1.31.x spoke ``query``; newer botocore speaks ``json``), so the same file runs
against both: ``AttributeNames`` rather than ``MessageSystemAttributeNames``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest

from pytest_awsmsg import Cloud
from pytest_awsmsg.core.protocols import model_as
from pytest_awsmsg.core.registry import service_model

QueueFactory = Callable[..., str]


@pytest.fixture
def make_queue(sqs: Any) -> QueueFactory:
    """Create a queue; keyword arguments become its attributes (ints and dicts are stringified)."""

    def make(name: str = "orders", **attributes: Any) -> str:
        if name.endswith(".fifo"):
            attributes.setdefault("FifoQueue", "true")
        rendered = {
            k: json.dumps(v) if isinstance(v, dict) else (str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in attributes.items()
        }
        return str(sqs.create_queue(QueueName=name, Attributes=rendered)["QueueUrl"])

    return make


@pytest.fixture(params=["json", "query"])
def sqs_each_protocol(aws: Cloud, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """A boto3 SQS client speaking JSON, then one speaking query (SQS answers both on any
    botocore), built from a copy of the installed model when it speaks the other."""
    model = service_model("sqs")
    if model.metadata["protocol"] == request.param:
        return boto3.client("sqs", region_name="us-east-1")
    model = model_as(model, request.param)
    folder = tmp_path / "sqs" / str(model.api_version)
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model._service_description), encoding="utf-8")
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    return boto3.Session(botocore_session=session).client("sqs", region_name="us-east-1")
