"""The doors secrets could walk through: hook ingress authentication, the browser session, the key file."""

from __future__ import annotations

import ast
import inspect
import json
import stat
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from security_world import SecurityStory
from werkzeug.test import Client

import emulator.hooks
from connector.definitions import Trigger
from connector.registry import load_apps

CONSTANT_TIME_CALLS = ("compare_digest", "verify")


def _hook_triggers() -> list[tuple[str, Trigger]]:
    return [(f"{app.key}.{t.key}", t) for app in load_apps().values() for t in app.triggers
            if t.kind == "hook" and t.authenticate is not None]


def _tree(fn: Callable[..., Any]) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(fn)))


def _called_names(fn: Callable[..., Any]) -> set[str]:
    tree = _tree(fn)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _uses_constant_time_check(fn: Callable[..., Any], depth: int = 2) -> bool:
    """The function, or a module-level function it calls, uses hmac.compare_digest or a signature verify."""
    called = _called_names(fn)
    if called & set(CONSTANT_TIME_CALLS):
        return True
    if depth == 0:
        return False
    helpers = [fn.__globals__.get(name) for name in called]
    return any(inspect.isfunction(h) and _uses_constant_time_check(h, depth - 1) for h in helpers)


def _compares_with_equals(fn: Callable[..., Any]) -> bool:
    return any(isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
               for node in ast.walk(_tree(fn)))


def test_every_hook_trigger_authenticates_deliveries():
    triggers = _hook_triggers()
    assert {"okta.new_user_instant"} <= {key for key, _ in triggers}
    hook_kinds = [f"{app.key}.{t.key}" for app in load_apps().values() for t in app.triggers if t.kind == "hook"]
    assert sorted(hook_kinds) == sorted(key for key, _ in triggers), "a hook trigger accepts unauthenticated POSTs"


@pytest.mark.parametrize("key,trigger", _hook_triggers(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_hook_trigger_checks_secrets_in_constant_time(key: str, trigger: Trigger):
    assert trigger.authenticate is not None
    assert _uses_constant_time_check(trigger.authenticate), f"{key}: no hmac.compare_digest or signature verify"
    assert not _compares_with_equals(trigger.authenticate), f"{key}: compares with == / !="


def test_the_ingress_authenticates_before_it_stores_and_never_compares_secrets_itself():
    ingress = emulator.hooks.receive_delivery
    source = inspect.getsource(ingress)
    assert source.index("trigger.authenticate(") < source.index("store_delivery(")
    compared = [ast.unparse(node) for node in ast.walk(_tree(ingress)) if isinstance(node, ast.Compare)]
    assert not [c for c in compared if any(w in c.lower() for w in ("secret", "authorization", "signature", "header"))]


def _delivery(story: SecurityStory, authorization: str | None) -> tuple[int, int]:
    store = story.env.emulator.extensions["emulator"].store
    flow_id = story.ids["hook_flow"]
    before = len(store.list_deliveries(flow_id, limit=1000))
    headers = {"Authorization": authorization} if authorization is not None else {}
    body = {"data": {"events": [{"uuid": "forged-event", "eventType": "user.lifecycle.create",
                                 "published": "2026-01-01T00:00:00.000Z"}]}}
    status = Client(story.env.wsgi).post(f"/hooks/{flow_id}", json=body, headers=headers).status_code
    return status, len(store.list_deliveries(flow_id, limit=1000)) - before


@pytest.mark.parametrize("authorization", [None, "", "wrong", "almost"], ids=["missing", "empty", "wrong", "one-off"])
def test_a_delivery_without_the_hook_secret_is_refused_and_not_stored(story: SecurityStory, authorization: str | None):
    if authorization == "almost":
        secret = story.canaries["hook_secret"]
        authorization = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert _delivery(story, authorization) == (401, 0)
    assert story.statuses["forged_delivery"] == 401


def test_a_delivery_with_the_hook_secret_is_stored_without_it(story: SecurityStory):
    status, stored = _delivery(story, story.canaries["hook_secret"])
    assert (status, stored) == (200, 1)
    store = story.env.emulator.extensions["emulator"].store
    [newest] = store.list_deliveries(story.ids["hook_flow"], limit=1)
    assert story.canaries["hook_secret"] not in json.dumps(newest, default=lambda b: b.decode())


# -- the browser session ---------------------------------------------------------------------------
def test_the_session_cookie_is_httponly_and_samesite(story: SecurityStory):
    response = Client(story.env.wsgi).get(story.env.start_url.removeprefix(story.env.public_url))
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes.get("samesite", "").lower() in ("samesite=lax", "samesite=strict")


@pytest.mark.parametrize("has_session", [True, False], ids=["with-session-cookie", "no-cookie"])
def test_a_cross_site_form_post_cannot_turn_a_flow_on(story: SecurityStory, has_session: bool):
    em = story.env.emulator.extensions["emulator"]
    api = Client(story.env.wsgi)
    flow = api.post("/api/flows", headers=story.env.api_headers, json={
        "name": "Forgery target", "trigger": {"app": "okta", "operation": "new_user", "input": {},
                                              "connection_id": story.ids["connections"]["okta"]}, "steps": []})
    assert flow.status_code == 201, flow.get_data(as_text=True)
    flow_id = flow.get_json()["id"]
    victim = Client(story.env.wsgi)
    if has_session:  # the user has the emulator open: the browser holds its signed-in session cookie
        victim.get(story.env.start_url.removeprefix(story.env.public_url))
    # What an <form enctype="text/plain"> on another site can send: no custom header, no Authorization.
    forged = victim.post(f"/api/flows/{flow_id}/on", data='{"x": "y"}', content_type="text/plain",
                         headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"})
    # Signed in: the CSRF check refuses it. Not signed in: there is no login to ride on at all.
    expected = (403, "X-CSRF-Token") if has_session else (401, "X-Emulator-Token")
    assert (forged.status_code, forged.get_json()["error"]["field"]) == expected
    assert em.store.get_flow(flow_id)["state"] == "off"


# -- the key file ----------------------------------------------------------------------------------
def test_the_encryption_key_file_is_owner_only(story: SecurityStory):
    key_file: Path = story.data_dir / "secret.key"
    mode = stat.S_IMODE(key_file.stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert key_file.read_text().strip() not in (story.data_dir / "connector.db").read_bytes().decode("latin-1")
