"""What a process started while the cloud is served inherits: the standard
SDK variables that send every AWS SDK (boto3, the AWS CLI, the SDKs for
JavaScript, Java, Go ...) to the served endpoint with fake credentials.
"""

from __future__ import annotations

import os

# Fake, as the in-process fake's are: a subprocess must never sign with real keys.
_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "fake-secret-key",
    "AWS_SESSION_TOKEN": "fake-session-token",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def sdk_environment(url: str, region: str) -> dict[str, str]:
    """The variables that point an AWS SDK at ``url`` (AWS_REGION for the JavaScript SDK)."""
    return {**_CREDENTIALS, "AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": region, "AWS_REGION": region}


class ServedEnvironment:
    """Sets the SDK variables in ``os.environ`` while serving; :meth:`restore` puts back what was there.

    Service-specific endpoint variables (``AWS_ENDPOINT_URL_SQS``) win over
    ``AWS_ENDPOINT_URL`` in every SDK, and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``
    turns them all off, so those are removed meanwhile.
    """

    def __init__(self, url: str, region: str) -> None:
        wanted = sdk_environment(url, region)
        masking = [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL_")]
        masking.append("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        self._saved = {k: os.environ.get(k) for k in [*wanted, *masking]}
        for key in masking:
            os.environ.pop(key, None)
        os.environ.update(wanted)

    def restore(self) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved = {}
