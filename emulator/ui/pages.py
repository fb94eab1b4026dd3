"""Server-rendered page shells: each page is a template plus a script that talks to the JSON API.

The pages hold no data of their own (so nothing secret can end up in the HTML); their scripts fetch
everything from ``/api`` and send the CSRF token with every change.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

ui = Blueprint(
    "ui", __name__, template_folder="templates", static_folder="static", static_url_path="/ui/static"
)


@ui.get("/")
def home() -> Response:
    return redirect(url_for("ui.flows_page"))


@ui.get("/flows")
def flows_page() -> str:
    return render_template("ui/flows.html", page="flows", title="Flows")


@ui.get("/flows/new")
def new_flow_page() -> str:
    return render_template("ui/flow_editor.html", page="flows", title="New flow", flow_id="")


@ui.get("/flows/<flow_id>")
def flow_editor_page(flow_id: str) -> str:
    return render_template("ui/flow_editor.html", page="flows", title="Flow editor", flow_id=flow_id)


@ui.get("/connections")
def connections_page() -> str:
    gateway = current_app.extensions.get("connections")
    allowed = sorted(gateway.policy.allowed_origins) if gateway is not None else []
    return render_template("ui/connections.html", page="connections", title="Connections", allowed_origins=allowed)


@ui.get("/runs")
def runs_page() -> str:
    return render_template("ui/runs.html", page="runs", title="Run history")


@ui.get("/runs/<run_id>")
def run_detail_page(run_id: str) -> str:
    return render_template("ui/run_detail.html", page="runs", title="Run detail", run_id=run_id)


#: ``app.extensions`` key of the Sandboxes page's view, set by whoever serves sandboxes beside the emulator
#: (:mod:`emulator.demo`); without one, the nav has no Sandboxes entry and the page says none run here.
SANDBOXES_PAGE = "sandboxes_page"


@ui.app_context_processor
def _sandboxes_running() -> dict[str, bool]:
    return {"sandboxes_running": SANDBOXES_PAGE in current_app.extensions}


@ui.get("/sandboxes")
def sandboxes_page() -> str:
    page = current_app.extensions.get(SANDBOXES_PAGE)
    if page is None:
        return render_template("ui/no_sandboxes.html", page="sandboxes", title="Sandboxes")
    return str(page())


@ui.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on every page of this origin (the sandboxes' pages too)."""
    assert ui.static_folder is not None
    icon = (Path(ui.static_folder) / "favicon.svg").read_bytes()
    return Response(icon, mimetype="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@ui.get("/syncs")
def syncs_page() -> str:
    return render_template("ui/syncs.html", page="syncs", title="Syncs")
