"""Secrets at rest: Fernet encryption through MultiFernet, and masking for display.

Keys come from ``CONNECTOR_SECRET_KEYS`` (comma-separated Fernet keys, newest first) or, when that is
unset, from ``<data_dir>/secret.key`` (one key per line, newest first), created with owner-only
permissions on first run. MultiFernet decrypts with any listed key and encrypts with the first, so
records written under an old key stay readable until ``connector keys rotate`` re-encrypts them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector.errors import BadInput

KEYS_ENV = "CONNECTOR_SECRET_KEYS"
KEY_FILE_NAME = "secret.key"
MASK = "\u2022\u2022\u2022\u2022"  # "••••"


def _new_key() -> str:
    """A fresh Fernet key as text."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def mask(secret: str) -> str:
    """Show a secret the way a UI may: its last four characters, only when it is long enough.

    Short secrets are masked completely, since four characters of an eight-character secret give
    too much away.
    """
    text = str(secret or "")
    if len(text) < 12:
        return MASK
    return MASK + text[-4:]


class SecretBox:
    """Encrypts JSON-able dicts with the newest key; decrypts with any known key.

    Args:
        keys: Fernet keys (urlsafe base64 text), newest first.
        key_file: where the keys live when they came from a file (``None`` for the environment);
            rotation rewrites it.
    """

    def __init__(self, keys: Sequence[str], key_file: Path | None = None) -> None:
        cleaned = [k.strip() for k in keys if k and k.strip()]
        if not cleaned:
            raise BadInput(f"no encryption key given; set {KEYS_ENV} or let the store create {KEY_FILE_NAME}", KEYS_ENV)
        # Imported here: masking and redaction (imported by every app) need none of it.
        from cryptography.fernet import Fernet, MultiFernet

        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in cleaned])
        except (ValueError, TypeError) as exc:
            raise BadInput(
                "is not a list of Fernet keys (32 url-safe base64 bytes each, comma-separated, newest first); "
                "create one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`",
                KEYS_ENV,
            ) from exc
        self._keys = cleaned
        self.key_file = key_file

    def __repr__(self) -> str:  # never show keys
        source = str(self.key_file) if self.key_file else KEYS_ENV
        return f"SecretBox(keys={len(self._keys)}, source={source!r})"

    @classmethod
    def from_environment(cls, data_dir: str | Path) -> SecretBox:
        """Keys from ``CONNECTOR_SECRET_KEYS``, else from ``<data_dir>/secret.key`` (created 0600)."""
        configured = os.environ.get(KEYS_ENV, "").strip()
        if configured:
            return cls(configured.split(","))
        path = Path(data_dir) / KEY_FILE_NAME
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_owner_only(path, _new_key() + "\n")
        return cls(path.read_text().split(), key_file=path)

    def encrypt(self, data: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(data, sort_keys=True).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        from cryptography.fernet import InvalidToken

        try:
            value = json.loads(self._fernet.decrypt(token))
        except InvalidToken as exc:
            raise BadInput(
                "cannot decrypt a stored connection with the configured keys; add the key it was written "
                "with to the key list (newest first) and run `connector keys rotate`",
                KEYS_ENV,
            ) from exc
        if not isinstance(value, dict):
            raise BadInput("a stored connection's secrets are not an object; the record is damaged", KEYS_ENV)
        return value

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt ``token`` under the newest key (it may have been written under any known key)."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise BadInput("a stored connection cannot be decrypted with any configured key", KEYS_ENV) from exc

    def with_new_key(self) -> SecretBox:
        """A box with a fresh key first and every current key after it (nothing written yet)."""
        return SecretBox([_new_key(), *self._keys], key_file=self.key_file)

    def newest_only(self) -> SecretBox:
        """A box that knows only the newest key: what remains once every record was rotated."""
        return SecretBox(self._keys[:1], key_file=self.key_file)

    def save_keys(self) -> None:
        """Write the key list to the key file (owner-only, replaced atomically); no-op for env keys."""
        if self.key_file is not None:
            _write_owner_only(self.key_file, "\n".join(self._keys) + "\n")


def _write_owner_only(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a 0600 temporary file and an atomic rename."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
