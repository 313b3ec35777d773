"""One seeded source for every id the cloud hands out.

Message ids, receipt handles, request ids, execution names, version ids: all
come from here, so the same seed and the same calls give byte-identical
responses. One instance per cloud, never a process singleton.
"""

from __future__ import annotations

import random
import string

_ALNUM = string.ascii_letters + string.digits
# Version 4 and the RFC 4122 variant: clear those bits, then set them.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


class IdSource(random.Random):
    """A :class:`random.Random` with the id formats AWS uses."""

    def __init__(self, seed: int | str = 0) -> None:
        self.initial_seed = seed
        super().__init__(str(seed))

    def uuid4(self) -> str:
        """A random (version 4) UUID, as AWS uses for message and request ids."""
        # Same bits as uuid.UUID(int=..., version=4), formatted directly: this
        # runs for every request id and message id.
        value = (self.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def hex(self, length: int) -> str:
        return f"{self.getrandbits(4 * length):0{length}x}"

    def alnum(self, length: int, alphabet: str = _ALNUM) -> str:
        return "".join(self.choice(alphabet) for _ in range(length))

    def token_bytes(self, length: int) -> bytes:
        return self.getrandbits(8 * length).to_bytes(length, "big")
