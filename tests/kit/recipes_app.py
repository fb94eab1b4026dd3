"""A tiny app and the tiny service it talks to, for testing the kit without any vendor."""

from __future__ import annotations

import time
from typing import Any

import click
from flask import Flask, jsonify, request

from connector.context import Context
from connector.definitions import Action, App, AuthSpec, Field, Search, Trigger


def recipes_service(token: str = "secret-token-123") -> Flask:
    """A stateful recipes API: list newest first, create, and a slow endpoint."""
    app = Flask("recipes")
    recipes: list[dict[str, Any]] = []
    calls: list[str] = []
    app.config["calls"] = calls
    app.config["recipes"] = recipes

    @app.before_request
    def _auth():  # type: ignore[no-untyped-def]
        calls.append(f"{request.method} {request.path}")
        if request.headers.get("Authorization") != f"Bearer {token}":
            return jsonify({"message": "bad token"}), 401
        return None

    @app.get("/recipes")
    def list_recipes():  # type: ignore[no-untyped-def]
        return jsonify(list(reversed(recipes)))

    @app.post("/recipes")
    def create_recipe():  # type: ignore[no-untyped-def]
        body = request.get_json()
        recipe = {"id": len(recipes) + 1, "name": body["name"], "servings": body.get("servings", 1)}
        recipes.append(recipe)
        return jsonify(recipe), 201

    @app.get("/me")
    def me():  # type: ignore[no-untyped-def]
        return jsonify({"user": "chef"})

    return app


@click.command("recipes")
@click.option("--port", default=0, show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--token", default="secret-token-123", show_default=True, help="The bearer token to accept.")
def sandbox_command(port: int, token: str) -> None:
    """Serve the recipes service."""
    from emulator.serving import serve

    with serve(recipes_service(token), port=port) as served:
        click.echo(f"Recipes sandbox: {served.base_url}")


def _list_recipes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return ctx.http.get("/recipes").json()


def _create_recipe(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    return ctx.http.post("/recipes", json=values).json()


def _duplicate_ids(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": 1}, {"id": 1}]


def _no_ids(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": "soup"}]


def _slow(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    time.sleep(2)
    return []


def _bearer(fields: Any) -> Any:
    import httpx

    class Bearer(httpx.Auth):
        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            request.headers["Authorization"] = f"Bearer {fields['token']}"
            yield request

    return Bearer()


RECIPE_OUTPUT = (Field("id", type="integer", required=True), Field("name"), Field("servings", type="integer"))

APP = App(
    key="recipes",
    name="Recipes",
    version="1.0.0",
    description="A small example app.",
    auth=AuthSpec(
        type="api_key",
        fields=(
            Field("token", type="password", required=True),
            Field("server", "Server", help_text="where the recipes API runs; default http://recipes.test"),
        ),
        handler=_bearer,
        test=lambda ctx: ctx.http.get("/me").json(),
        label=lambda data: data["user"],
        base_url=lambda fields: str(fields.get("server") or "http://recipes.test").rstrip("/"),
        url_field="server",
    ),
    sandbox="recipes_app:sandbox_command",
    triggers=(
        Trigger(
            key="new_recipe", noun="Recipe", label="New Recipe", description="Triggers on a new recipe.",
            output_fields=RECIPE_OUTPUT, sample={"id": 1, "name": "Soup", "servings": 2},
            perform=_list_recipes,
        ),
        Trigger(
            key="broken_duplicates", noun="Recipe", label="Broken", description="Returns duplicate ids.",
            sample={"id": 1}, perform=_duplicate_ids, hidden=True,
        ),
        Trigger(
            key="broken_no_ids", noun="Recipe", label="Broken", description="Returns items without ids.",
            sample={"id": 1}, perform=_no_ids, hidden=True,
        ),
        Trigger(
            key="slow_recipes", noun="Recipe", label="Slow", description="Takes two seconds.",
            sample={"id": 1}, perform=_slow, hidden=True,
        ),
    ),
    actions=(
        Action(
            key="create_recipe", noun="Recipe", label="Create Recipe", description="Creates a recipe.",
            input_fields=(
                Field("name", required=True, help_text="What the dish is called."),
                Field("servings", type="integer", default=2),
            ),
            output_fields=RECIPE_OUTPUT, sample={"id": 1, "name": "Soup", "servings": 2},
            perform=_create_recipe,
        ),
    ),
    searches=(
        Search(
            key="list_recipes", noun="Recipe", label="List Recipes", description="Every recipe.",
            output_fields=RECIPE_OUTPUT, sample={"id": 1, "name": "Soup", "servings": 2},
            perform=_list_recipes,
        ),
    ),
)
