"""Okta-style object ids (``00u`` + 17 base62 characters) from a seeded RNG.

Deterministic ids let a seeded org look the same in every run, so benchmarks and tests can name users.
"""

from __future__ import annotations

import random
import secrets
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

USER_PREFIX = "00u"
GROUP_PREFIX = "00g"
EVENT_HOOK_PREFIX = "who"
TOKEN_PREFIX = "00T"


class IdFactory:
    """Makes 20-character Okta ids; ``seed`` makes the sequence reproducible."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed) if seed is not None else random.SystemRandom()

    def new(self, prefix: str) -> str:
        """Return ``prefix`` followed by 17 base62 characters."""
        choices = self._rng.choices(BASE62, k=17)
        return prefix + "".join(choices)


def random_token(length: int = 40) -> str:
    """A URL-safe secret for activation tokens, access tokens and event ids."""
    return "".join(secrets.choice(BASE62) for _ in range(length))
