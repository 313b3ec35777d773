"""What a process started while the cloud is served inherits: the standard
SDK variables that send every AWS SDK (boto3, the AWS CLI, the SDKs for
JavaScript, Java, Go ...) to the served endpoint with fake credentials.
"""

from __future__ import annotations

import os

from .signing import KIT_KEY_PREFIX, KIT_SECRET


def sdk_environment(url: str, region: str, account_id: str) -> dict[str, str]:
    """The variables that point an AWS SDK at ``url`` (AWS_REGION for the JavaScript SDK).

    The key is the kit's own for the account (what ``Cloud.credentials_for``
    gives): fake, so a subprocess never signs with real keys, and known, so
    the server checks its signatures as AWS would.
    """
    return {
        "AWS_ACCESS_KEY_ID": KIT_KEY_PREFIX + account_id,
        "AWS_SECRET_ACCESS_KEY": KIT_SECRET,
        "AWS_SESSION_TOKEN": "fake-session-token",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


class ServedEnvironment:
    """Sets the SDK variables in ``os.environ`` while serving; :meth:`restore` puts back what was there.

    Service-specific endpoint variables (``AWS_ENDPOINT_URL_SQS``) win over
    ``AWS_ENDPOINT_URL`` in every SDK, and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``
    turns them all off, so those are removed meanwhile.
    """

    def __init__(self, url: str, region: str, account_id: str) -> None:
        wanted = sdk_environment(url, region, account_id)
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
