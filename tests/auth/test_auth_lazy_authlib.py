"""Authlib loads only when OAuth or private-key JWT code runs, never for API-key and token-auth work."""

from __future__ import annotations

import subprocess
import sys
import textwrap

TOKEN_AUTH_WORK = """
import sys

import httpx
from click.testing import CliRunner

from connector.cli import main
from connector.context import Connection
from connector.registry import get_app
from connector.runtime import invoke

result = CliRunner().invoke(main, ["validate"])
assert result.exit_code == 0, result.output

okta = Connection(
    app="okta", fields={"org_url": "https://dev-1.okta.com", "api_token": "00token-for-a-poll"},
    transport=httpx.MockTransport(lambda request: httpx.Response(200, json=[])),
)
assert invoke(get_app("okta"), "new_user", okta).output == []
print("after token work:", sorted(m for m in sys.modules if m.split(".")[0] == "authlib"))

from auth.oauth_flow import start_authorization

start_authorization("https://idp.example/authorize", "client", "https://localhost/cb", ["read"], {})
print("after an OAuth start:", "authlib" in sys.modules)
"""


def test_validate_and_a_token_auth_poll_never_import_authlib_but_an_oauth_start_does() -> None:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(TOKEN_AUTH_WORK)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "after token work: []" in run.stdout, run.stdout
    assert "after an OAuth start: True" in run.stdout, run.stdout
