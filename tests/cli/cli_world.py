"""The CLI as a user meets it: two served sandboxes, a credential store, and ``connector ...`` commands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from flask import Flask, jsonify, request

from connector.cli import main
from sandboxes.contacts import ContactsSandbox
from sandboxes.okta import OktaSandbox

#: Long, distinctive secrets, so a test can prove they never appear in any output.
OKTA_TOKEN = "okta-cli-walkthrough-token-7f3a9c"
CONTACTS_KEY = "contacts-cli-walkthrough-key-5b2e8d"
LOCATION = "loc_cli"


@dataclass
class CliWorld:
    """Both sandboxes on real ports and the environment every ``connector`` command runs in."""

    okta: OktaSandbox
    contacts: ContactsSandbox
    okta_url: str
    contacts_url: str
    hook_url: str
    data_dir: Path
    runner: CliRunner

    @property
    def env(self) -> dict[str, str | None]:
        # A key file in the temp store, never a key from the developer's shell.
        return {"CONNECTOR_DATA_DIR": str(self.data_dir), "CONNECTOR_SECRET_KEYS": None}

    def run(self, *args: str) -> Result:
        """``connector ARGS...`` in-process; never raises, so failures can be inspected."""
        return self.runner.invoke(main, list(args), env=self.env, catch_exceptions=True)

    def ok(self, *args: str) -> Result:
        """``connector ARGS...``, asserting it succeeded (the message shows what it printed if not)."""
        result = self.run(*args)
        assert result.exit_code == 0, f"connector {' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
        return result


def handshake_receiver() -> Flask:
    """Answers Okta's one-time verification challenge, as the platform's hook ingress would."""
    app = Flask("cli_hook_receiver")

    @app.route("/<path:anything>", methods=["GET", "POST"])
    def receive(anything: str):  # type: ignore[no-untyped-def]
        challenge = request.headers.get("x-okta-verification-challenge")
        return jsonify({"verification": challenge}) if challenge else ("", 204)

    return app
