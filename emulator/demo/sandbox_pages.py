"""The Sandboxes page and its JSON API: create an Okta user, look at Contacts, through the sandboxes' own APIs.

The buttons go through the sandboxes' public HTTP APIs (never their Python internals), so a user the
demo creates is created exactly as an Okta admin would, with its System Log entry and event hook
delivery. The sandbox credentials stay on the server: the page never sees them.

The sandboxes are the objects ``emulator.demo.build_environment`` leaves in
``app.extensions["sandboxes"]`` (``{"okta": OktaSandbox, "contacts": ContactsSandbox}``); the URLs the
page links to come from ``app.config["SANDBOX_LINKS"]``. Calls reach the sandbox apps in-process.

Routes:
    GET  /api/sandboxes                        the running sandboxes and their URLs
    POST /api/sandboxes/okta/users             create (and activate) a user; optional profile fields
    GET  /api/sandboxes/contacts/contacts      newest contacts of the sandbox location (?query=)

The Personio routes live in :mod:`emulator.demo.personio_pages`.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from emulator.api.errors import ApiError as ApiProblem
from emulator.api.errors import json_object
from sandboxes.people import people

sandboxes_api = Blueprint(
    "ui_sandboxes", __name__, template_folder="templates", static_folder="static",
    static_url_path="/sandbox-pages/static",
)


def sandboxes_page() -> str:
    """The web UI's Sandboxes page (``/sandboxes``), which the UI shows when the demo sets it."""
    return render_template("demo/sandboxes.html", page="sandboxes", title="Sandboxes")

CONTACTS_API_VERSION = "2021-07-28"
PROFILE_KEYS = ("firstName", "lastName", "email", "login", "title", "department", "mobilePhone")
#: Any host: the transport hands requests straight to the sandbox app.
IN_PROCESS_URL = "http://sandbox.in-process"


def running_sandbox(name: str) -> Any:
    """The sandbox object ``name`` of this emulator; 404 naming how to start it when it is not running."""
    found = (current_app.extensions.get("sandboxes") or {}).get(name)
    if found is None:
        raise ApiProblem(404, f"the {name} sandbox is not part of this emulator; start it with `connector emulate`",
                         "sandbox")
    return found


def in_process_client(sandbox: Any, headers: dict[str, str]) -> httpx.Client:
    """An HTTP client that reaches ``sandbox``'s own API in-process (no sockets), with ``headers`` on every call."""
    return httpx.Client(base_url=IN_PROCESS_URL, headers=headers, transport=sandbox.transport(), timeout=10.0)


def json_object_body(what: str) -> dict[str, Any]:
    """The request's JSON object body; a plain form post or an empty body is refused.

    Only JSON: another site's page can post a form (or ``text/plain``) here without any CORS check,
    and an empty body would create a random record nobody asked for.

    Raises:
        ApiProblem: 415 for another content type, 400 for no or broken JSON, 422 for a non-object.
    """
    if request.mimetype != "application/json":
        raise ApiProblem(
            415, f"must be JSON (Content-Type: application/json), not {request.mimetype or 'none'!r}: send {what}",
            "body",
        )
    return json_object()


def list_limit(*, default: int, highest: int) -> int:
    """``?limit=``: absent means ``default``; present it must be a whole number from 1 to ``highest``.

    Raises:
        ApiProblem: 422 naming ``limit`` (an empty or wrong value is a mistake, never the default).
    """
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= highest:
        raise ApiProblem(422, f"must be a whole number from 1 to {highest}, got {raw!r}", "limit")
    return int(raw)


def _vendor_problem(response: httpx.Response, what: str) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = (body.get("errorSummary") or body.get("message")) if isinstance(body, dict) else None
    causes = [c.get("errorSummary", "") for c in body.get("errorCauses") or []] if isinstance(body, dict) else []
    message = f"the sandbox refused to {what}: HTTP {response.status_code} {detail or ''}".strip()
    if causes:
        message += " (" + "; ".join(causes) + ")"
    if response.status_code == 429:  # the sandbox's rate limit: try again shortly, nothing is wrong
        return ApiProblem(429, message + "; try again in a few seconds")
    # The vendor validating what the user typed is the user's to fix (422); anything else is the vendor's.
    if response.status_code in (400, 422):
        field = causes[0].split(":", 1)[0].strip() if causes and ":" in causes[0] else None
        return ApiProblem(422, message, field)
    return ApiProblem(502, message)


@sandboxes_api.get("/api/sandboxes")
def list_sandboxes() -> Response:
    running = current_app.extensions.get("sandboxes") or {}
    links = current_app.config.get("SANDBOX_LINKS") or {}
    return jsonify({"sandboxes": [
        {"name": name, "url": links.get(name) or getattr(sandbox, "base_url", None)}
        for name, sandbox in sorted(running.items())
    ]})


def _generated_profile() -> dict[str, str]:
    person = next(people(1, seed=7, start=secrets.randbelow(1_000_000), domain="example.org"))
    return {
        "firstName": person.first_name,
        "lastName": person.last_name,
        "email": person.email,
        "login": person.login,
        "title": person.title,
        "department": person.department,
    }


@sandboxes_api.get("/api/sandboxes/okta/users")
def list_okta_users() -> Response:
    """The newest users of the Okta sandbox, asked the way an Okta admin script would (search sorted by
    creation time, newest first), so the card shows the user just created at the top."""
    okta = running_sandbox("okta")
    limit = list_limit(default=5, highest=50)
    headers = {"Authorization": f"SSWS {okta.settings.token}", "Accept": "application/json"}
    params: dict[str, str | int] = {
        "search": 'created gt "1970-01-01T00:00:00.000Z"', "sortBy": "created", "sortOrder": "desc",
        "limit": limit,
    }
    with in_process_client(okta, headers) as http:
        response = http.get("/api/v1/users", params=params)
    if response.status_code >= 400:
        raise _vendor_problem(response, "list users")
    users = [
        {"id": u.get("id"), "status": u.get("status"), "created": u.get("created"),
         **{key: (u.get("profile") or {}).get(key) for key in ("firstName", "lastName", "email", "title")}}
        for u in response.json()
    ]
    return jsonify({"users": users})


@sandboxes_api.post("/api/sandboxes/okta/users")
def create_okta_user() -> tuple[Response, int]:
    okta = running_sandbox("okta")
    body = json_object_body("Okta profile fields, e.g. {\"firstName\": \"Ada\"}")
    profile = _generated_profile()
    for key in PROFILE_KEYS:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise ApiProblem(422, "must be text", key)
        if value:
            profile[key] = value
    if body.get("email") and not body.get("login"):
        profile["login"] = profile["email"]
    headers = {"Authorization": f"SSWS {okta.settings.token}", "Accept": "application/json"}
    with in_process_client(okta, headers) as http:
        response = http.post("/api/v1/users", params={"activate": "true"}, json={"profile": profile})
    if response.status_code >= 400:
        raise _vendor_problem(response, "create the user")
    user = response.json()
    return jsonify({"user": {"id": user.get("id"), "status": user.get("status"), "profile": user.get("profile")}}), 201


@sandboxes_api.get("/api/sandboxes/contacts/contacts")
def list_sandbox_contacts() -> Response:
    contacts_sandbox = running_sandbox("contacts")
    api_key, location_id = next(iter(contacts_sandbox.settings.api_keys.items()))
    body: dict[str, Any] = {"locationId": location_id, "pageLimit": 50,
                            "sort": [{"field": "dateAdded", "direction": "desc"}]}
    query = request.args.get("query", "").strip()
    if query:
        body["query"] = query[:75]
    headers = {"Authorization": f"Bearer {api_key}", "Version": CONTACTS_API_VERSION}
    with in_process_client(contacts_sandbox, headers) as http:  # one search: the newest 50 and the total
        response = http.post("/contacts/search", json=body)
    if response.status_code >= 400:
        raise _vendor_problem(response, "list contacts")
    found = response.json()
    contacts: list[dict[str, Any]] = found.get("contacts") or []
    shown = [
        {key: c.get(key) for key in ("id", "firstName", "lastName", "email", "tags", "dateAdded", "customFields")}
        for c in contacts[:50]
    ]
    return jsonify({"contacts": shown, "total": found.get("total", len(contacts))})


__all__ = ["in_process_client", "json_object_body", "list_limit", "running_sandbox", "sandboxes_api"]
