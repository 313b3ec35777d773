"""Fixtures for server mode: the test's cloud served, and a raw HTTP client for it.

In-process boto3 clients never reach the server (the kit answers them before
they send), so these tests speak HTTP themselves, signing with botocore's
own SigV4 signer, or run real clients in subprocesses.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_awsmsg import Cloud

JSON_TARGETS = {
    "sqs": ("AmazonSQS", "application/x-amz-json-1.0", "sqs"),
    "stepfunctions": ("AWSStepFunctions", "application/x-amz-json-1.0", "states"),
    "secretsmanager": ("secretsmanager", "application/x-amz-json-1.1", "secretsmanager"),
}


class Response:
    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self.status = raw.status
        self.headers = {k.lower(): v for k, v in raw.getheaders()}
        self.body = raw.read()

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body[:300]!r}>"


class Client:
    """Plain HTTP to the served cloud, on one keep-alive connection."""

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)

    def close(self) -> None:
        self.conn.close()

    def request(
        self, method: str, path: str = "/", body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        self.conn.request(method, path, body=body, headers=headers or {})
        return Response(self.conn.getresponse())

    def signed(
        self,
        signing_name: str,
        body: bytes,
        headers: dict[str, str],
        *,
        path: str = "/",
        method: str = "POST",
        region: str = "us-east-1",
        access_key: str = "AKIAIOSFODNN7EXAMPLE",
        secret: str = "fake-secret-key",
        sent_body: bytes | None = None,
    ) -> Response:
        """Signed with botocore's own signer; ``sent_body`` sends other bytes than were signed."""
        request = AWSRequest(method=method, url=self.url + path, data=body, headers=headers)
        SigV4Auth(Credentials(access_key, secret), signing_name, region).add_auth(request)
        return self.request(method, path, body if sent_body is None else sent_body, dict(request.headers.items()))

    def json_call(self, service: str, operation: str, params: dict[str, Any], **kwargs: Any) -> Response:
        prefix, content_type, signing_name = JSON_TARGETS[service]
        headers = {"X-Amz-Target": f"{prefix}.{operation}", "Content-Type": content_type}
        return self.signed(signing_name, json.dumps(params).encode(), headers, **kwargs)

    def query_call(self, signing_name: str, params: dict[str, str], **kwargs: Any) -> Response:
        from urllib.parse import urlencode

        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        return self.signed(signing_name, urlencode(params).encode(), headers, **kwargs)


@pytest.fixture
def served(aws: Cloud) -> str:
    return aws.serve()


@pytest.fixture
def client(served: str) -> Iterator[Client]:
    c = Client(served)
    yield c
    c.close()


def sns_send_policy(queue_arn: str) -> str:
    """A queue policy letting this account's topics send to the queue."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Python in a subprocess, inheriting the environment (AWS_ENDPOINT_URL and friends)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result
