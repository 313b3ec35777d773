"""SigV4 verification, for the access keys whose secret the kit knows.

The fake takes any credentials, so a signature made with a key it did not
hand out cannot be checked and is accepted. The keys it does hand out
(``aws.credentials_for(account)`` and what ``aws.serve()`` exports to
subprocesses: ``AKIDAWSMSG<account>`` with secret ``fake-secret-key``) are
checked as AWS checks every key, so a request altered after signing, or
signed with the wrong secret, gets AWS's ``SignatureDoesNotMatch``.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from ..core.protocols import WireRequest

KIT_KEY_PREFIX = "AKIDAWSMSG"
KIT_SECRET = "fake-secret-key"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _canonical_query(query: str) -> str:
    # The pairs as sent (SDKs send them encoded already), sorted by key, then value.
    pairs = [part.partition("=")[::2] for part in query.split("&")] if query else []
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def expected_signature(wire: WireRequest, raw_path: str, fields: dict[str, str], secret: str) -> str | None:
    """The signature AWS would compute for the request, or ``None`` if it cannot say (a streaming payload)."""
    credential = fields["Credential"].split("/")
    if len(credential) != 5:
        return None
    _, day, region, service, _ = credential
    amz_date = wire.headers.get("x-amz-date", "")
    payload = wire.headers.get("x-amz-content-sha256") or hashlib.sha256(wire.body).hexdigest()
    if payload.startswith("STREAMING-") or not amz_date:
        return None
    path, _, query = raw_path.partition("?")
    names = [n.strip().lower() for n in fields["SignedHeaders"].split(";") if n.strip()]
    headers = "".join(f"{n}:{' '.join(wire.headers.get(n, '').split())}\n" for n in names)
    canonical = "\n".join(
        [
            wire.method,
            quote(path or "/", safe="/~"),  # the path as sent, encoded once more (every service but S3)
            _canonical_query(query),
            headers,
            ";".join(names),
            payload,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(f"AWS4{secret}".encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_matches(wire: WireRequest, raw_path: str, fields: dict[str, str]) -> bool:
    """False only for a kit-issued key whose signature is not the one AWS would compute."""
    if not fields["Credential"].startswith(KIT_KEY_PREFIX):
        return True
    expected = expected_signature(wire, raw_path, fields, KIT_SECRET)
    return expected is None or hmac.compare_digest(expected, fields["Signature"].strip())
