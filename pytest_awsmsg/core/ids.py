"""One seeded source for every id the cloud hands out.

Message ids, receipt handles, request ids, execution names, version ids: all
come from here, so the same seed and the same calls give byte-identical
responses. One instance per cloud, never a process singleton.
"""

from __future__ import annotations

import random
import string
import uuid

_ALNUM = string.ascii_letters + string.digits


class IdSource(random.Random):
    """A :class:`random.Random` with the id formats AWS uses."""

    def __init__(self, seed: int | str = 0) -> None:
        self.initial_seed = seed
        super().__init__(str(seed))

    def uuid4(self) -> str:
        """A random (version 4) UUID, as AWS uses for message and request ids."""
        return str(uuid.UUID(int=self.getrandbits(128), version=4))

    def hex(self, length: int) -> str:
        return f"{self.getrandbits(4 * length):0{length}x}"

    def alnum(self, length: int, alphabet: str = _ALNUM) -> str:
        return "".join(self.choice(alphabet) for _ in range(length))

    def token_bytes(self, length: int) -> bytes:
        return self.getrandbits(8 * length).to_bytes(length, "big")
