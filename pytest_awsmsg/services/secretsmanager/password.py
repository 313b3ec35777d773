"""GetRandomPassword, drawn from the cloud's seeded source so a seed replays it."""

from __future__ import annotations

import random
import string

from .errors import InvalidParameterException

# AWS's documented punctuation set for passwords.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
DEFAULT_LENGTH = 32
MAX_LENGTH = 4096  # the model's maximum for PasswordLength; botocore checks only the minimum


def random_password(
    rng: random.Random,
    *,
    length: int | None = None,
    exclude_characters: str | None = None,
    exclude_numbers: bool = False,
    exclude_punctuation: bool = False,
    exclude_uppercase: bool = False,
    exclude_lowercase: bool = False,
    include_space: bool = False,
    require_each_included_type: bool | None = None,
) -> str:
    """A password as AWS builds one: by default at least one character of every included type.

    AWS documents that without RequireEachIncludedType the password still
    "contains at least one of every character type", so the default is to
    require each; only an explicit ``False`` lifts it.
    """
    length = DEFAULT_LENGTH if length is None else length
    if not 1 <= length <= MAX_LENGTH:
        # Assumption: AWS refuses a length outside the model's range with InvalidParameterException
        # (a modelled error of GetRandomPassword), rather than with an unmodelled ValidationException.
        raise InvalidParameterException(f"PasswordLength must be between 1 and {MAX_LENGTH}.")
    excluded = set(exclude_characters or "")
    groups = []
    for skip, chars in (
        (exclude_lowercase, string.ascii_lowercase),
        (exclude_uppercase, string.ascii_uppercase),
        (exclude_numbers, string.digits),
        (exclude_punctuation, PUNCTUATION),
    ):
        if not skip:
            allowed = "".join(c for c in chars if c not in excluded)
            if allowed:
                groups.append(allowed)
    if not groups:
        raise InvalidParameterException("The password can't be generated: every character type is excluded.")
    require = require_each_included_type is not False
    if require and length < len(groups):
        raise InvalidParameterException(
            f"The password length {length} is too short to include each of the {len(groups)} included character types."
        )
    # The space is allowed, never required: AWS's "each type" lists letters, numbers, punctuation.
    alphabet = "".join(groups) + (" " if include_space and " " not in excluded else "")
    picked = [rng.choice(group) for group in groups] if require else []
    picked += [rng.choice(alphabet) for _ in range(length - len(picked))]
    rng.shuffle(picked)
    return "".join(picked)
