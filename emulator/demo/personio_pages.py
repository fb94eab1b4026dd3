"""The Sandboxes page's Personio API: create an employee and list the newest, through Personio's own API.

Like the Okta button, these routes never touch the sandbox's Python internals: they take a token from
``POST /v1/auth`` with the sandbox's API credential and call ``/v1/company/employees`` in-process, so an
employee the demo creates is stored, validated and timestamped exactly as an integration's would be,
and the "New Personio employee" trigger finds it by polling. The credential and the token stay on the
server; answers carry only employee fields.

Routes:
    POST /api/sandboxes/personio/employees   create an employee; missing fields are generated
    GET  /api/sandboxes/personio/employees   the newest employees (?limit=, 1-50, default 10)
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from flask import Blueprint, Response, current_app, jsonify

from emulator.api.errors import ApiError as ApiProblem
from emulator.demo.sandbox_pages import in_process_client, json_object_body, list_limit, running_sandbox
from sandboxes.people import people

personio_sandbox_api = Blueprint("ui_personio_sandbox", __name__)

#: What the form may send; everything else is refused so a typo does not silently vanish.
EMPLOYEE_KEYS = ("first_name", "last_name", "email", "department", "position")
#: The fields the page shows of an employee (Personio wraps each in {label, value, type, universal_id}).
SHOWN_ATTRIBUTES = ("id", "first_name", "last_name", "email", "department", "position", "office", "status",
                    "created_at")
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
_TOKENS = "ui_personio_tokens"


# -- talking to the sandbox -------------------------------------------------------------------------
def _credential(sandbox: Any) -> tuple[str, str]:
    credentials = sandbox.settings.credentials
    if not credentials:
        raise ApiProblem(502, "the Personio sandbox has no API credential; add one to PersonioSettings.credentials")
    return next(iter(credentials.items()))


def _fresh_token(sandbox: Any, http: httpx.Client) -> str:
    """A token from ``POST /v1/auth``, remembered per sandbox (the endpoint allows 60 calls a minute)."""
    client_id, client_secret = _credential(sandbox)
    response = http.post("/v1/auth", json={"client_id": client_id, "client_secret": client_secret})
    if response.status_code >= 400:
        raise _vendor_problem(response, "issue a token for the emulator's API credential")
    token = str(response.json()["data"]["token"])
    current_app.extensions.setdefault(_TOKENS, {})[id(sandbox)] = token
    return token


def _call(sandbox: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One employee API call with a remembered token; a rejected token is renewed once and the call repeated."""
    tokens: dict[int, str] = current_app.extensions.setdefault(_TOKENS, {})
    with in_process_client(sandbox, {"Accept": "application/json"}) as http:
        token = tokens.get(id(sandbox)) or _fresh_token(sandbox, http)
        response = http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        if response.status_code == 401:
            token = _fresh_token(sandbox, http)
            response = http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
    rotated = response.headers.get("Authorization", "")
    if rotated.startswith("Bearer "):  # Personio's former single-use tokens: the next one comes back here
        tokens[id(sandbox)] = rotated.removeprefix("Bearer ").strip()
    return response


def _vendor_problem(response: httpx.Response, what: str) -> ApiProblem:
    """Personio's error envelope as our error: input it refuses is 422, a spent rate limit 429, the rest 502."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    detail = str(error.get("message") or "").strip().rstrip(".")
    message = f"the Personio sandbox refused to {what}: HTTP {response.status_code} {detail}".strip()
    if response.status_code == 429:  # the caller's pace, not a broken vendor: pass it on with when to retry
        return ApiProblem(429, message + f"; try again in {response.headers.get('Retry-After') or 'a few'} s")
    field, colon, _ = detail.partition(":")  # the sandbox names the field first: "email: has already been taken"
    if response.status_code == 422 and colon and field.strip().isidentifier():
        return ApiProblem(422, message, field.strip())
    return ApiProblem(502, message)


# -- shaping ----------------------------------------------------------------------------------------
def _flat(employee: dict[str, Any]) -> dict[str, Any]:
    """``{type, attributes:{key:{value}}}`` as plain ``{key: value}``; departments and offices by name."""
    attributes = employee.get("attributes") or {}
    flat: dict[str, Any] = {}
    for key in SHOWN_ATTRIBUTES:
        value = (attributes.get(key) or {}).get("value")
        if isinstance(value, dict):
            value = (value.get("attributes") or {}).get("name")
        flat[key] = value
    return flat


def _generated_employee(sandbox: Any) -> dict[str, Any]:
    person = next(people(1, seed=11, start=secrets.randbelow(1_000_000), domain="example.org"))
    employee: dict[str, Any] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "department": person.department,
        "position": person.title,
        "office": person.city,
    }
    phone_keys = [spec.key for spec in sandbox.settings.custom_attributes if spec.label == "Phone"]
    if phone_keys:
        employee["custom_attributes"] = {phone_keys[0]: person.phone}
    return employee


def _limit() -> int:
    return list_limit(default=DEFAULT_LIMIT, highest=MAX_LIMIT)


# -- routes -----------------------------------------------------------------------------------------
@personio_sandbox_api.post("/api/sandboxes/personio/employees")
def create_personio_employee() -> tuple[Response, int]:
    personio = running_sandbox("personio")
    body = json_object_body("employee fields, e.g. {\"first_name\": \"Ada\"}")
    unknown = sorted(set(body) - set(EMPLOYEE_KEYS))
    if unknown:
        raise ApiProblem(422, f"is not a field of the form; use {', '.join(EMPLOYEE_KEYS)}", unknown[0])
    employee = _generated_employee(personio)
    for key in EMPLOYEE_KEYS:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise ApiProblem(422, f"must be text, got {type(value).__name__}", key)
        if value and value.strip():
            employee[key] = value.strip()
    # Personio's API only accepts departments and offices the company already has; the page acts as the
    # company's admin, who sets them up in Personio's web app first.
    for unit in ("department", "office"):
        if employee.get(unit):
            personio.define_org_unit(unit, employee[unit])
    created = _call(personio, "POST", "/v1/company/employees", json={"employee": employee})
    if created.status_code >= 400:
        raise _vendor_problem(created, "create the employee")
    # Personio answers a write with the id only; what it stored is what we sent (one call, not two: the
    # employee endpoints allow 15 calls a second per credential).
    shown = {key: employee.get(key) for key in SHOWN_ATTRIBUTES if key in employee}
    return jsonify({"employee": {"id": created.json()["data"]["id"], **shown}}), 201


@personio_sandbox_api.get("/api/sandboxes/personio/employees")
def list_personio_employees() -> Response:
    personio = running_sandbox("personio")
    limit = _limit()
    first = _call(personio, "GET", "/v1/company/employees", params={"limit": limit, "offset": 0})
    if first.status_code >= 400:
        raise _vendor_problem(first, "list employees")
    page = first.json()
    total = int((page.get("metadata") or {}).get("total_elements") or 0)
    if total > limit:  # the sandbox lists oldest first; the newest are the last page
        last = _call(personio, "GET", "/v1/company/employees", params={"limit": limit, "offset": total - limit})
        if last.status_code >= 400:
            raise _vendor_problem(last, "list employees")
        page = last.json()
    employees = [_flat(item) for item in page.get("data") or []]
    employees.reverse()
    return jsonify({"employees": employees, "total": total})


__all__ = ["personio_sandbox_api"]
