"""The MD5 digests SQS returns, computed exactly as AWS documents them.

SDKs check them against what they sent, so a wrong digest breaks clients
(the Java SDK and botocore's optional checks raise). The attribute digest
covers, for each attribute sorted by name: the name, the data type and the
value, each prefixed by its length as a 4-byte big-endian integer, with a
transport byte (1 for String/Number, 2 for Binary) before the value.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from typing import Any


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _encoded(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The digest of message (or message system) attributes; ``None`` when there are none."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = str(value["DataType"])
        digest.update(_encoded(name.encode("utf-8")))
        digest.update(_encoded(data_type.encode("utf-8")))
        if "BinaryValue" in value and value.get("StringValue") is None:
            digest.update(b"\x02")
            binary = value["BinaryValue"]
            digest.update(_encoded(binary if isinstance(binary, bytes) else str(binary).encode("utf-8")))
        else:
            digest.update(b"\x01")
            digest.update(_encoded(str(value["StringValue"]).encode("utf-8")))
    return digest.hexdigest()
