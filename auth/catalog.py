"""Which ``AuthSpec`` an app key uses, from the app registry: shipped and third-party apps alike."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import httpx

from connector.definitions import AuthSpec
from connector.errors import BadInput


def auth_spec_for(app: str) -> AuthSpec:
    """The AuthSpec of the installed (or ``CONNECTOR_APPS``-named) app ``app``."""
    from connector.registry import get_app

    return get_app(app).auth


def secret_keys(spec: AuthSpec) -> frozenset[str]:
    """Every field of ``spec`` that must be encrypted at rest and masked on display."""
    return spec.secret_field_keys()


def build_auth(spec: AuthSpec, fields: Mapping[str, Any], **wiring: Any) -> httpx.Auth | None:
    """Call ``spec.handler`` with the wiring keywords it accepts (transport, token_saver, ...).

    Handlers of third-party apps take only ``fields``; the product's handlers also take the
    transport for token calls and the store callbacks that persist rotated tokens.
    """
    if spec.handler is None:
        return None
    try:
        parameters = inspect.signature(spec.handler).parameters
    except (TypeError, ValueError):
        return spec.handler(fields)
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = {k: v for k, v in wiring.items() if takes_any or k in parameters}
    return spec.handler(fields, **accepted)


def require_fields(app: str, fields: Mapping[str, Any], spec: AuthSpec) -> None:
    """BadInput naming the first required field that is missing or empty."""
    for field in spec.fields:
        if field.required and not fields.get(field.key):
            raise BadInput(f"is required to connect {app}; {field.help_text or 'give a value'}", field.key)

