"""Regions as AWS's endpoint resolution knows them.

botocore builds ``sqs.us-east-9.amazonaws.com`` for any region that looks like
one; AWS then has no such host, and the call fails to connect. A call to a
region no partition lists fails the same way here, with botocore's own
``EndpointConnectionError`` (which botocore retries, in virtual time, as it
would retry a failed DNS lookup), instead of being answered by a region that
does not exist.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

_AWS_HOST = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$")


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition in the installed botocore's data."""
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    regions: set[str] = set()
    for name in ("endpoints", "partitions"):
        try:
            data = loader.load_data(name)
        except Exception:
            continue
        for partition in data.get("partitions", []):
            regions.update(partition.get("regions", {}))
    return frozenset(regions)


def unresolvable(url: str) -> str | None:
    """The region of an AWS endpoint URL whose host AWS does not have, else ``None``."""
    found = _AWS_HOST.search("." + (urlsplit(url).hostname or ""))
    if found is None or found.group(1) in known_regions():
        return None
    return found.group(1)
