"""Connector kit: declarative connector definitions and the one runtime path that runs them."""

from __future__ import annotations

__version__ = "0.1.0"
