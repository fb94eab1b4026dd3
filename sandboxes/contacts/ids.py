"""HighLevel-style record ids: 20 alphanumeric characters.

The ids come from a seeded RNG so that a seeded sandbox hands out the same ids on every run, which lets
tests and benchmarks name records without reading them back first.
"""

from __future__ import annotations

import random
import string

ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 20


class IdFactory:
    """Makes 20-character ids from its own RNG; never repeats an id it has handed out."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._issued: set[str] = set()

    def new_id(self) -> str:
        """Return a fresh id (retries on the astronomically rare collision)."""
        while True:
            candidate = "".join(self._rng.choices(ID_ALPHABET, k=ID_LENGTH))
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate
