"""Secrets are sacred: planted canary secrets appear on no surface of the platform.

The story in :mod:`security_world` plants an Okta API token, a Contacts API key, OAuth tokens (with a
rotation) and the OAuth client secret, a password mapped into an Okta ``create_user`` step, and an Okta
event hook's shared secret; then it connects, tests, turns flows on, runs them, fails a step on purpose,
replays it and uses the CLI on the same data folder. Each test below searches one surface.
"""

from __future__ import annotations

import json
import logging

import pytest
from security_world import PASSWORD_STEP, RecordingClient, SecurityStory, Seen, _oauth_secrets

CONNECTION_SECRETS = ("okta_token", "contacts_key", "wrong_token")


def _connection_kinds(story: SecurityStory) -> tuple[str, ...]:
    return (*CONNECTION_SECRETS, *(k for k in story.canaries if k.startswith("oauth_")))


# -- the story really exercised what the tests look at (otherwise "no leak" proves nothing) ---------
def test_the_story_used_every_planted_secret(story: SecurityStory) -> None:
    kinds = set(story.canaries)
    assert {"okta_token", "contacts_key", "password", "hook_secret"} <= kinds
    assert sum(k.startswith("oauth_refresh") for k in kinds) >= 2, "the OAuth refresh token never rotated"
    assert sum(k.startswith("oauth_access") for k in kinds) >= 2
    assert "failed" not in story.statuses["after_replay"]
    assert "waiting_retry" in story.statuses["provisioning_runs"], "the sandbox fault never failed a step"
    assert story.statuses["hook_runs"] and set(story.statuses["hook_runs"]) == {"succeeded"}
    assert set(story.statuses["cli_exit"].values()) == {0}, story.statuses["cli_exit"]


def test_the_password_step_sent_its_password_and_history_shows_it_masked(story: SecurityStory) -> None:
    api = RecordingClient(story.env.wsgi, story, script=True)
    run = api.get(f"/api/runs/{story.ids['runs'][-1]}").get_json()
    step = run["steps"][PASSWORD_STEP]
    assert step["key"] == "twin" and step["status"] == "succeeded"
    assert step["input"]["password"] == "[redacted]"
    posted = [x for x in step["trace"] if x["method"] == "POST" and "/api/v1/users" in x["url"]]
    assert posted, step["trace"]
    assert '"credentials"' in posted[-1]["request_body"] and "[redacted]" in posted[-1]["request_body"]


# -- JSON API answers, by area ---------------------------------------------------------------------
@pytest.mark.parametrize("area", ["connections", "oauth", "flows", "trials", "runs", "hooks", "sandboxes", "catalogue"])
def test_no_json_api_answer_contains_a_secret(story: SecurityStory, area: str) -> None:
    answers = story.api_answers.get(area, [])
    assert answers, f"the story made no {area} calls"
    assert story.leaks(answers) == []


def test_the_editor_mapping_preview_masks_a_mapped_password(story: SecurityStory) -> None:
    answers = story.api_answers["editor"]
    assert answers
    assert story.leaks(answers) == []


def test_connection_answers_show_secrets_only_as_masked_last_four(story: SecurityStory) -> None:
    api = RecordingClient(story.env.wsgi, story, script=True)
    listed = api.get("/api/connections").get_json()["connections"]
    by_name = {c["name"]: c["fields"] for c in listed}
    assert by_name["Okta canary"]["api_token"] == "••••" + story.canaries["okta_token"][-4:]
    assert by_name["Contacts canary key"]["api_key"] == "••••" + story.canaries["contacts_key"][-4:]
    oauth = by_name["Contacts canary OAuth"]
    assert all(str(oauth[k]).startswith("••••") for k in ("access_token", "refresh_token", "client_secret"))


# -- HTML pages ------------------------------------------------------------------------------------
def test_no_web_page_contains_a_secret(story: SecurityStory) -> None:
    paths = {seen.where for seen in story.pages}
    assert {"GET /", "GET /flows", "GET /connections", "GET /runs", "GET /sandboxes"} <= paths
    assert any(p.startswith("GET /runs/run_") for p in paths) and any(p.startswith("GET /flows/flow_") for p in paths)
    assert story.leaks(story.pages) == []


def test_the_browser_session_cookie_carries_no_token_after_connecting(story: SecurityStory) -> None:
    assert [seen.where for seen in story.cookies] == ["cookie session"]
    assert story.leaks(story.cookies) == []


# -- logs ------------------------------------------------------------------------------------------
def test_no_debug_log_line_contains_a_secret(story: SecurityStory) -> None:
    assert any(line.startswith("httpx | HTTP Request") for line in story.logs), "DEBUG logging was not captured"
    assert any("/oauth/token" in line for line in story.logs), "no token exchange was logged"
    assert story.leaks([Seen(f"log line {n}", line) for n, line in enumerate(story.logs)]) == []


def test_a_token_refresh_and_a_password_trial_log_nothing_secret_at_debug(
    story: SecurityStory, caplog: pytest.LogCaptureFixture
) -> None:
    env = story.env
    api = RecordingClient(env.wsgi, story, script=True)
    api.area = "caplog"
    with caplog.at_level(logging.DEBUG):
        for name in ("authlib", "httpx", "httpcore", "werkzeug"):
            caplog.set_level(logging.DEBUG, logger=name)
        env.contacts.faults.expire_tokens()
        tested = api.post(f"/api/connections/{story.ids['connections']['oauth']}/test").get_json()
        trial = api.post(f"/api/flows/{story.ids['flow']}/steps/{PASSWORD_STEP}/test",
                         json={"sample": {"id": "00ucaplog", "profile": {
                             "firstName": "Cap", "lastName": "Log", "email": "cap.log@example.org",
                             "login": "cap.log@example.org"}}}).get_json()
    assert tested["ok"] is True and trial["error"] is None
    canaries = {**story.canaries, **_oauth_secrets(env)}
    texts = [caplog.text, *(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)]
    assert any("oauth/token" in t for t in texts), "the refresh was not logged, so the check proves nothing"
    assert [k for k, v in canaries.items() for t in texts if v in t] == []
    assert [k for k, v in canaries.items() for seen in story.api_answers["caplog"] if v in seen.text] == []


# -- run history: step inputs, outputs, traces, errors, deliveries ---------------------------------
def test_run_history_traces_and_errors_hold_no_secret(story: SecurityStory) -> None:
    store = story.env.emulator.extensions["emulator"].store
    seen: list[Seen] = []
    for run_id in story.ids["runs"] + story.ids["hook_runs"]:
        seen.append(Seen(f"run {run_id}", json.dumps(store.get_run(run_id), default=str)))
        for result in store.step_results_for(run_id):
            seen.append(Seen(f"step {run_id}/{result['step_key']}", json.dumps(result, default=str)))
    for flow_id in (story.ids["flow"], story.ids["hook_flow"]):
        for delivery in store.list_deliveries(flow_id):
            seen.append(Seen(f"delivery {delivery['id']}", json.dumps(delivery, default=lambda b: b.decode())))
    assert any('"trace"' in s.text and "request_body" in s.text for s in seen)
    assert any(s.where.startswith("delivery") for s in seen), "no hook delivery was stored"
    assert story.leaks(seen) == []


# -- the data folder, byte for byte ----------------------------------------------------------------
def _data_files(story: SecurityStory) -> list[tuple[str, bytes]]:
    files = [(p.name, p.read_bytes()) for p in sorted(story.data_dir.iterdir()) if p.is_file()]
    names = {name for name, _ in files}
    assert {"connector.db", "emulator.db", "secret.key"} <= names, names
    return files


def _found_in_files(story: SecurityStory, kinds: tuple[str, ...]) -> list[str]:
    return [f"{kind} in {name}" for name, data in _data_files(story) for kind in kinds
            if story.canaries[kind].encode() in data]


def test_connection_secrets_are_not_stored_in_plaintext_anywhere_in_the_data_folder(story: SecurityStory) -> None:
    assert _found_in_files(story, _connection_kinds(story)) == []


def test_a_mapped_password_is_not_stored_in_plaintext(story: SecurityStory) -> None:
    assert _found_in_files(story, ("password",)) == []


def test_the_event_hook_secret_is_not_stored_in_plaintext(story: SecurityStory) -> None:
    assert _found_in_files(story, ("hook_secret",)) == []


# -- the CLI on the same data folder ---------------------------------------------------------------
def test_the_cli_lists_and_invokes_without_printing_a_secret(story: SecurityStory) -> None:
    where = {seen.where for seen in story.cli}
    assert "connector connections list" in where
    assert any("--trace" in seen.text or '"trace"' in seen.text for seen in story.cli)
    assert story.leaks(story.cli) == []
