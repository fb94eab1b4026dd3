"""``/api/connections``: add (tested before saving), list (secrets masked), test, delete, and the
OAuth "Connect" flow (``/api/connections/oauth/start`` then ``/connections/oauth/callback``)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, redirect, request, session

from auth.catalog import auth_spec_for
from auth.oauth_flow import claim_callback, exchange_code, start_authorization
from auth.oauth_pending import BrowserPendingAuthorizations
from auth.store import ConnectionRecord
from connector.errors import BadInput, ConnectorError
from emulator.api.errors import ApiError, json_object
from emulator.connections import ConnectionGateway

bp = Blueprint("api_connections", __name__, url_prefix="/api/connections")
callback_bp = Blueprint("oauth_callback", __name__)

#: The only OAuth value in the browser's cookie: a random binding to its server-side pending authorizations.
_BROWSER_BINDING = "emulator.oauth.browser"


def gateway() -> ConnectionGateway:
    found = current_app.extensions.get("connections")
    if found is None:
        raise ApiError(
            404, "this emulator keeps no saved connections: it was built without a credential store "
            "(create_app's CONNECTIONS; `connector emulate` sets one up in its data folder)", None,
        )
    return found


def _public(record: ConnectionRecord) -> dict[str, Any]:
    return record.to_dict()


def _record(connection_id: str) -> ConnectionRecord:
    try:
        return gateway().store.get(connection_id)
    except (LookupError, BadInput) as exc:
        raise ApiError(404, f"no connection with id {connection_id!r}; list them at /api/connections", "id") from exc


@bp.get("")
def list_connections() -> Any:
    return jsonify({"connections": [_public(r) for r in gateway().store.list()]})


@bp.post("")
def add_connection() -> Any:
    body = json_object()
    app_key = body.get("app")
    if not isinstance(app_key, str) or app_key not in current_app.extensions["emulator"].invoker.apps:
        raise ApiError(422, f"unknown app {app_key!r}; choose one of /api/apps", "app")
    fields = body.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str | int | float | bool) for v in fields.values()):
        raise ApiError(422, "fields must be an object of text values, e.g. {\"api_key\": ...}", "fields")
    try:
        record, check = gateway().add(str(app_key), str(body.get("name") or ""), fields)
    except ConnectorError as exc:
        if isinstance(exc, BadInput):
            raise
        raise ApiError(422, f"the connection test failed, nothing was saved: {exc.message}", "fields") from exc
    return jsonify({"connection": _public(record), "label": check.label}), 201


@bp.get("/<connection_id>")
def get_connection(connection_id: str) -> Any:
    return jsonify({"connection": _public(_record(connection_id))})


@bp.post("/<connection_id>/test")
def test_connection(connection_id: str) -> Any:
    record = _record(connection_id)
    try:
        check = gateway().test(record.id)
    except ConnectorError as exc:
        return jsonify({"ok": False, "error": exc.to_dict(), "connection": _public(gateway().store.get(record.id))})
    return jsonify({"ok": True, "label": check.label, "connection": _public(gateway().store.get(record.id))})


@bp.delete("/<connection_id>")
def delete_connection(connection_id: str) -> Any:
    record = _record(connection_id)
    gateway().store.delete(record.id)
    return "", 204


@bp.post("/oauth/start")
def start_oauth() -> Any:
    """Begin the authorization-code flow; the browser goes to the returned URL (the consent page)."""
    body = json_object()
    app_key = body.get("app")
    client = gateway().oauth_clients.get(app_key) if isinstance(app_key, str) else None
    if client is None:
        raise ApiError(422, f"{app_key!r} has no OAuth connect configured here; use an API key", "app")
    given_name = body.get("name")
    if given_name is not None and not isinstance(given_name, str):
        raise ApiError(422, f"must be text, got {type(given_name).__name__}", "name")
    name = (given_name or "").strip() or f"{app_key} (OAuth)"
    url = start_authorization(
        client.authorize_url, client.client_id, client.redirect_uri, client.scopes, _this_browsers_pending(),
        extra={"app": app_key, "name": name},
    )
    return jsonify({"authorize_url": url})


def _this_browsers_pending(*, create: bool = True) -> BrowserPendingAuthorizations:
    """The server-side pending authorizations of this browser; its cookie holds only a random binding."""
    binding = session.get(_BROWSER_BINDING)
    if not isinstance(binding, str) or not binding:
        binding = secrets.token_urlsafe(24) if create else "-"
        if create:
            session[_BROWSER_BINDING] = binding
    return gateway().pending.for_browser(binding)


def _back_to_connections(error: str) -> Any:
    return redirect("/connections?error=" + _quote(error))


@callback_bp.get("/connections/oauth/callback")
def oauth_callback() -> Any:
    """Where the authorization server sends the browser back: exchange the code, save, go to the page.

    Every outcome returns to the Connections page: a refused or replayed callback, a token endpoint
    that refuses the code or is down, a connection test that fails. The page shows the reason.
    """
    try:
        claimed = claim_callback(request.args, _this_browsers_pending(create=False))
    except BadInput as exc:
        return _back_to_connections(f"{exc.field}: {exc.message}" if exc.field else exc.message)
    client = gateway().oauth_clients.get(str(claimed.get("app")))
    if client is None:
        return _back_to_connections(f"{claimed.get('app')!r} has no OAuth connect configured here any more")
    try:
        token = exchange_code(
            client.token_url, client.client_id, client.client_secret, client.redirect_uri, claimed,
            transport=gateway().transport_for(client.base_url),
        )
        fields = {
            "base_url": client.base_url, "client_id": client.client_id, "client_secret": client.client_secret,
            "access_token": token["access_token"], "refresh_token": token.get("refresh_token", ""),
            "expires_at": token.get("expires_at", 0), "scope": token.get("scope", ""),
        }
        spec = auth_spec_for(str(claimed["app"]))
        if spec.fields_from_token is not None:
            fields.update(spec.fields_from_token(token))
        record, _check = gateway().add(str(claimed["app"]), str(claimed["name"]), fields)
    except ConnectorError as exc:
        return _back_to_connections(f"connecting failed, nothing was saved: {exc.message}")
    except (KeyError, TypeError):
        return _back_to_connections("the token endpoint answered without an access_token; nothing was saved")
    return redirect("/connections?connected=" + _quote(record.name))


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def register_connections(app: Flask, connection_gateway: ConnectionGateway | None) -> None:
    """Attach the credential store and its routes to an emulator app (without one, they answer 503)."""
    app.extensions["connections"] = connection_gateway
    for blueprint in (bp, callback_bp):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
