"""The optional parts of an install, and the one line that says how to add one.

``pip install connector-kit`` gives the kit, the apps, the CLI and the emulator, enough to run against
the real services. The local sandboxes are a distribution of their own (``connector-kit-sandboxes``,
the ``sandboxes`` extra): the demo, ``connector sandbox`` and the pytest plugin's sandbox fixtures need
it, and each says so in one line instead of failing with an ``ImportError``.
"""

from __future__ import annotations

import importlib.util

SANDBOXES_INSTALL = "pip install 'connector-kit[sandboxes]'"


def sandboxes_installed() -> bool:
    """Whether the sandboxes distribution is importable here (checked without importing it)."""
    return importlib.util.find_spec("sandboxes") is not None


def sandboxes_missing(needed_by: str) -> str:
    """The message for ``needed_by`` (a command or fixture) when the sandboxes are not installed."""
    return f"{needed_by} needs the local sandboxes, which are not installed; add them with: {SANDBOXES_INSTALL}"
