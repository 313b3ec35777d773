"""Message signatures that verify, with no crypto dependency.

SNS signs every JSON message it sends (SignatureVersion 1: SHA1withRSA,
2: SHA256withRSA) and names the certificate in ``SigningCertURL``. User code
that verifies signatures must work against the fake, so the kit holds an RSA
key and a self-signed X.509 certificate, built here in pure Python (``cryptography``
is not a runtime dependency): an RSA key from a fixed seed, hence the same
certificate in every run, generated once per process on first use (~0.1 s).
The key is 1024 bits, not AWS's 2048: pure-Python signing then costs ~1 ms a
message instead of ~5 ms, and a verifier runs exactly the same code path.
Tests fetch the PEM from ``aws.sns.signing_certificate_pem`` or let
``aws.sns.serve_signing_certificate(responses)`` answer the URL.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
from dataclasses import dataclass
from typing import Any

from ...core.endpoints import caller_url

_KEY_SEED = "pytest-awsmsg: Amazon SNS signing key (a test key, not a secret)"
_E = 65537
_DIGEST_INFO = {
    "1": (hashlib.sha1, bytes.fromhex("3021300906052b0e03021a05000414")),
    "2": (hashlib.sha256, bytes.fromhex("3031300d060960864801650304020105000420")),
}
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


KEY_BITS = 1024


@dataclass(frozen=True)
class SigningKey:
    n: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qinv: int

    @property
    def size(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def sign(self, data: bytes, version: str = "1") -> bytes:
        """PKCS#1 v1.5 signature (what SHA1withRSA / SHA256withRSA produce)."""
        digest, prefix = _DIGEST_INFO[version]
        encoded = _pkcs1_pad(prefix + digest(data).digest(), self.size)
        m = int.from_bytes(encoded, "big")
        # Chinese remainder theorem: four times faster than pow(m, d, n).
        m1, m2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = m2 + self.q * ((self.qinv * (m1 - m2)) % self.p)
        return s.to_bytes(self.size, "big")


def _pkcs1_pad(payload: bytes, size: int) -> bytes:
    return b"\x00\x01" + b"\xff" * (size - len(payload) - 3) + b"\x00" + payload


def verify(signature: bytes, data: bytes, n: int, version: str = "1", e: int = _E) -> bool:
    """Check a PKCS#1 v1.5 signature against a public key (for tests and ``aws.sns.verify``)."""
    digest, prefix = _DIGEST_INFO[version]
    size = (n.bit_length() + 7) // 8
    recovered = pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big")
    return recovered == _pkcs1_pad(prefix + digest(data).digest(), size)


# -- key generation (deterministic) ------------------------------------------------

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]


def _probable_prime(n: int, rng: random.Random, rounds: int = 24) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if candidate % _E != 1 and _probable_prime(candidate, rng):
            return candidate


def generate_key(seed: str = _KEY_SEED, bits: int = KEY_BITS) -> SigningKey:
    rng = random.Random(seed)
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        n = p * q
        if p != q and n.bit_length() == bits:
            d = pow(_E, -1, (p - 1) * (q - 1))
            return SigningKey(n, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))


# -- a minimal DER writer for the certificate ---------------------------------------


def _der(tag: int, body: bytes) -> bytes:
    length = len(body)
    if length < 0x80:
        head = bytes([length])
    else:
        raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + head + body


def _int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _der(0x02, raw)


def _oid(dotted: str) -> bytes:
    parts = [int(x) for x in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        part >>= 7
        while part:
            chunk.append(0x80 | (part & 0x7F))
            part >>= 7
        body.extend(reversed(chunk))
    return _der(0x06, bytes(body))


def _seq(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _name(common_name: str, organisation: str) -> bytes:
    def rdn(oid: str, value: str) -> bytes:
        return _der(0x31, _seq(_oid(oid), _der(0x0C, value.encode())))

    return _seq(rdn("2.5.4.6", "US"), rdn("2.5.4.10", organisation), rdn("2.5.4.3", common_name))


def build_certificate(key: SigningKey) -> bytes:
    """A self-signed X.509 certificate (DER) for the key, valid 2000-2099."""
    sha256_rsa = _seq(_oid("1.2.840.113549.1.1.11"), b"\x05\x00")
    name = _name("sns.amazonaws.com", "pytest-awsmsg fake Amazon SNS")
    public_key = _seq(_int(key.n), _int(_E))
    spki = _seq(_seq(_oid("1.2.840.113549.1.1.1"), b"\x05\x00"), _der(0x03, b"\x00" + public_key))
    validity = _seq(_der(0x17, b"000101000000Z"), _der(0x18, b"20991231235959Z"))
    version = _der(0xA0, _int(2))
    tbs = _seq(version, _int(0x5E5), sha256_rsa, name, validity, name, spki)
    signature = key.sign(tbs, "2")
    return _seq(tbs, sha256_rsa, _der(0x03, b"\x00" + signature))


def pem(der: bytes) -> str:
    text = base64.b64encode(der).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


class _Keys:
    """The process's one key and certificate, built on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: SigningKey | None = None
        self._pem: str | None = None

    def get(self) -> tuple[SigningKey, str]:
        with self._lock:
            if self._key is None or self._pem is None:
                self._key = generate_key()
                self._pem = pem(build_certificate(self._key))
            return self._key, self._pem


KEYS = _Keys()


def certificate_path() -> str:
    _, certificate = KEYS.get()
    fingerprint = hashlib.md5(certificate.encode(), usedforsecurity=False).hexdigest()
    return f"/SimpleNotificationService-{fingerprint}.pem"


def certificate_url(region: str) -> str:
    return caller_url(f"https://sns.{region}.amazonaws.com{certificate_path()}")


def string_to_sign(message: dict[str, Any]) -> bytes:
    """The canonical "Name\\nValue\\n" string SNS signs, for the message's Type."""
    fields = _NOTIFICATION_FIELDS if message.get("Type") == "Notification" else _CONFIRMATION_FIELDS
    parts = []
    for name in fields:
        value = message.get(name)
        if value is not None:
            parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


def sign_message(message: dict[str, Any], version: str = "1") -> str:
    key, _ = KEYS.get()
    return base64.b64encode(key.sign(string_to_sign(message), version)).decode("ascii")


def verify_message(message: dict[str, Any]) -> bool:
    """True when a message's Signature verifies against the kit's certificate."""
    key, _ = KEYS.get()
    version = str(message.get("SignatureVersion", "1"))
    if version not in _DIGEST_INFO:
        return False
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
    except ValueError:
        return False
    return verify(signature, string_to_sign(message), key.n, version)
