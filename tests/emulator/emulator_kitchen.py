"""A tiny vendor ("Kitchen") and its connector, for testing the emulator end to end in-process.

The service keeps recipes (polled, newest first, with a cursor), notes (created by an action that
honours ``Idempotency-Key`` and counts real creations), and REST-hook subscriptions for orders.
Faults are queued per route: ``service.config["faults"]["POST /notes"] = [(500, {}), (429, {...})]``.
"""

from __future__ import annotations

import hmac
from collections.abc import Generator
from typing import Any

import httpx
from flask import Flask, jsonify, request

from connector.context import Connection, Context, HookRequest
from connector.definitions import Action, App, AuthSpec, Field, Trigger
from connector.errors import ExpiredAuth

TOKEN = "kitchen-token-123"


def kitchen_service() -> Flask:
    service = Flask("kitchen")
    recipes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    keys: dict[str, dict[str, Any]] = {}
    subscriptions: dict[str, dict[str, Any]] = {}
    faults: dict[str, list[tuple[int, dict[str, str]]]] = {}
    service.config.update(recipes=recipes, notes=notes, subscriptions=subscriptions, faults=faults, unsubscribed=[])

    @service.before_request
    def _auth_and_faults() -> Any:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return jsonify({"message": "bad token"}), 401
        queue = faults.get(f"{request.method} {request.path}")
        if queue:
            status, headers = queue.pop(0)
            return jsonify({"message": f"injected {status}"}), status, headers
        return None

    @service.get("/recipes")
    def list_recipes() -> Any:
        after = int(request.args.get("after", 0))
        return jsonify([r for r in reversed(recipes) if r["id"] > after])

    @service.post("/notes")
    def create_note() -> Any:
        key = request.headers.get("Idempotency-Key")
        if key and key in keys:
            return jsonify(keys[key]), 200
        body = request.get_json()
        note = {"id": len(notes) + 1, "title": body["title"], "servings": body.get("servings")}
        if body.get("pass_phrase"):
            service.config.setdefault("pass_phrases", []).append(body["pass_phrase"])
        notes.append(note)
        if key:
            keys[key] = note
        return jsonify(note), 201

    @service.post("/subscriptions")
    def subscribe() -> Any:
        body = request.get_json()
        sub = {"id": f"sub{len(subscriptions) + 1}", "target_url": body["target_url"], "secret": "hook-secret-xyz"}
        subscriptions[sub["id"]] = sub
        return jsonify(sub), 201

    @service.delete("/subscriptions/<sub_id>")
    def unsubscribe(sub_id: str) -> Any:
        subscriptions.pop(sub_id, None)
        service.config["unsubscribed"].append(sub_id)
        return "", 204

    @service.get("/orders")
    def orders() -> Any:
        return jsonify([{"id": "o2", "total": 20}, {"id": "o1", "total": 10}])

    @service.get("/orders/<order_id>")
    def order(order_id: str) -> Any:
        service.config["order_reads"] = service.config.get("order_reads", 0) + 1
        return jsonify({"id": order_id, "total": 10 * len(order_id)})

    return service


def add_recipes(service: Flask, *names: str) -> None:
    recipes = service.config["recipes"]
    for name in names:
        recipes.append({"id": len(recipes) + 1, "name": name})


# --- the connector ---------------------------------------------------------------------------------


class KitchenAuth(httpx.Auth):
    """Bearer token; a revoked credential cannot be refreshed, so it is expired auth."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.token == "revoked":
            raise ExpiredAuth("the Kitchen token was revoked; reconnect the account")
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def _new_recipes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    items = ctx.http.get("/recipes", params={"after": ctx.meta.cursor or 0}).json()
    if items and not ctx.meta.trial:
        ctx.save_cursor(str(max(int(ctx.meta.cursor or 0), items[0]["id"])))
    return items


def _all_recipes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return ctx.http.get("/recipes").json()


def _create_note(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    headers = {"Idempotency-Key": ctx.meta.idempotency_key} if ctx.meta.idempotency_key else {}
    return ctx.http.post("/notes", json=values, headers=headers).json()


def _subscribe(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    return ctx.http.post("/subscriptions", json={"target_url": ctx.meta.target_url}).json()


def _unsubscribe(ctx: Context, values: dict[str, Any]) -> None:
    ctx.http.delete(f"/subscriptions/{ctx.meta.subscription['id']}")


def _parse(ctx: Context, request: HookRequest) -> list[dict[str, Any]]:
    return list(request.json()["data"]["events"])


def _parse_with_details(ctx: Context, request: HookRequest) -> list[dict[str, Any]]:
    """Deliveries carry only order ids; each order is read from the Kitchen (which may throttle or fail)."""
    ids = [str(event["id"]) for event in request.json()["data"]["events"]]
    return [ctx.http.get(f"/orders/{order_id}").json() for order_id in ids]


def _samples(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return ctx.http.get("/orders").json()


def _handshake(request: HookRequest) -> dict[str, Any] | None:
    challenge = request.header("x-verification-challenge")
    return {"verification": challenge} if request.method == "GET" and challenge else None


def _authenticate(request: HookRequest, subscription: dict[str, Any]) -> bool:
    sent = request.header("X-Hook-Secret") or ""
    return hmac.compare_digest(sent.encode(), str(subscription.get("secret", "")).encode())


APP = App(
    key="kitchen",
    name="Kitchen",
    version="1.0.0",
    description="Recipes, notes and orders.",
    auth=AuthSpec(type="api_key", fields=(Field("token", type="password", required=True),)),
    triggers=(
        Trigger(
            key="new_recipe", noun="Recipe", label="New Recipe", description="A recipe was added.",
            output_fields=(Field("id", type="integer"), Field("name")), sample={"id": 1, "name": "Soup"},
            perform=_new_recipes,
        ),
        Trigger(
            key="any_recipe", noun="Recipe", label="Any Recipe", description="Every recipe, no cursor.",
            sample={"id": 1, "name": "Soup"}, perform=_all_recipes,
        ),
        Trigger(
            key="new_order", noun="Order", label="New Order", description="An order arrived (REST hook).",
            kind="hook", sample={"id": "o1", "total": 10}, subscribe=_subscribe, unsubscribe=_unsubscribe,
            parse_delivery=_parse, list_samples=_samples, handshake=_handshake, authenticate=_authenticate,
        ),
        Trigger(
            key="order_details", noun="Order", label="Order Details",
            description="An order arrived (REST hook); its details are read from the Kitchen.",
            kind="hook", sample={"id": "o1", "total": 10}, subscribe=_subscribe, unsubscribe=_unsubscribe,
            parse_delivery=_parse_with_details, list_samples=_samples, handshake=_handshake,
            authenticate=_authenticate,
        ),
    ),
    actions=(
        Action(
            key="create_note", noun="Note", label="Create Note", description="Writes a note.",
            input_fields=(
                Field("title", required=True), Field("servings", type="integer"),
                Field("pass_phrase", type="password", help_text="Shown to the kitchen only."),
            ),
            output_fields=(Field("id", type="integer"), Field("title")), sample={"id": 7, "title": "Soup"},
            perform=_create_note, idempotent=True,
        ),
    ),
)


def resolver(service: Flask, tokens: dict[str, str] | None = None) -> Any:
    """Connections by id, all talking to ``service`` in-process."""
    tokens = tokens if tokens is not None else {"kitchen-1": TOKEN, "revoked-1": "revoked"}

    def resolve(connection_id: str) -> Connection:
        token = tokens[connection_id]
        return Connection(
            app="kitchen", name=connection_id, base_url="http://kitchen.test", auth=KitchenAuth(token),
            fields={"token": token}, transport=httpx.WSGITransport(app=service),
        )

    return resolve


def poll_flow_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Recipes to notes",
        "trigger": {"app": "kitchen", "operation": "new_recipe", "connection_id": "kitchen-1"},
        "steps": [
            {"key": "note", "app": "kitchen", "operation": "create_note", "connection_id": "kitchen-1",
             "mapping": {"title": "Cook {{trigger.name}}"}},
        ],
        "interval_seconds": 60,
    }
    body.update(overrides)
    return body
