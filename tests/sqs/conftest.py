"""Fixtures for the SQS tests: a boto3 client on the fake and a queue factory.

The tests use only parameters both SQS wire protocols know (botocore before
1.31.x spoke ``query``; newer botocore speaks ``json``), so the same file runs
against both: ``AttributeNames`` rather than ``MessageSystemAttributeNames``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_awsmsg.core.cloud import Cloud

QueueFactory = Callable[..., str]


@pytest.fixture
def sqs(aws: Cloud) -> Any:
    return boto3.client("sqs", region_name="us-east-1")


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
