"""Remembers which manifest operation entries already passed the manifest schema, across runs.

Checking one operation entry against the manifest schema (its fields, its embedded input and output
JSON Schemas against draft 2020-12) costs about a millisecond and a half; an app with a generated
catalogue has hundreds of entries that do not change between two ``connector validate`` runs. Like
mypy's or ruff's caches, this memo keys each entry by a hash of its exact JSON *and* of the schema
text, so a changed entry, a changed schema or a new kit version is checked again in full; entries
that failed are never remembered. The memo is a file of hashes under the user's cache folder
(``$CONNECTOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/connector-kit``, else ``~/.cache/connector-kit``);
when it cannot be read or written, validation simply checks everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Names the folder the CLI keeps its caches in (tests point it at a temporary folder).
CACHE_DIR_ENV = "CONNECTOR_CACHE_DIR"
#: Hashes kept at most; the oldest go first (a file of ~40 bytes per entry).
MAX_ENTRIES = 20_000


class ValidationMemo:
    """Hashes of operation entries that passed, salted with the manifest schema's text."""

    def __init__(self, path: Path | None, salt: str) -> None:
        self.path = path
        self._salt = hashlib.sha256(salt.encode()).hexdigest()
        self._known: dict[str, None] = {}
        self._added = False
        if path is not None:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if isinstance(data, dict) and data.get("salt") == self._salt:
                self._known = dict.fromkeys(data.get("passed", []))

    @classmethod
    def in_user_cache(cls, salt: str) -> ValidationMemo:
        folder = os.environ.get(CACHE_DIR_ENV)
        if not folder:
            folder = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "connector-kit")
        return cls(Path(folder) / "manifest-validated.json", salt)

    def key(self, entry: Any) -> str:
        text = json.dumps(entry, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def passed(self, key: str) -> bool:
        return key in self._known

    def remember(self, keys: Iterable[str]) -> None:
        for key in keys:
            if key not in self._known:
                self._known[key] = None
                self._added = True

    def save(self) -> None:
        if self.path is None or not self._added:
            return
        passed = list(self._known)[-MAX_ENTRIES:]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"salt": self._salt, "passed": passed}), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            return
        self._added = False
