"""A faithful local fake of Personio's v1 employee API and its token endpoint.

See README.md in this folder for what is modelled and what is not.
"""

from __future__ import annotations

from sandboxes.personio.app import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    PersonioSandbox,
    PersonioSettings,
    create_app,
)
from sandboxes.personio.attributes import AttributeSpec

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "AttributeSpec",
    "PersonioSandbox",
    "PersonioSettings",
    "create_app",
]
