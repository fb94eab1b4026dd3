"""Rotating the key re-seals the emulator's encrypted flow columns too, so flows keep working."""

from __future__ import annotations

from click.testing import CliRunner

from connector.cli import main
from emulator.demo import build_environment, seed_demo
from emulator.sealing import MARK

PUBLIC_URL = "http://127.0.0.1:5999"


def test_flows_stay_readable_after_the_key_is_rotated(tmp_path):
    data = tmp_path / "data"
    env = build_environment(PUBLIC_URL, data, okta_users=3, contacts=2, runner_thread=False)
    flow_id = seed_demo(env)["flow"]
    store = env.emulator.extensions["emulator"].store
    with store.engine.connect() as db:
        raw = db.exec_driver_sql("SELECT steps FROM emulator_flows WHERE id = ?", (flow_id,)).scalar_one()
    assert MARK in raw and "trigger.profile.email" not in raw  # sealed at rest
    env.close()

    rotated = CliRunner().invoke(main, ["keys", "rotate", "--data-dir", str(data)])
    assert rotated.exit_code == 0, rotated.output
    assert len((data / "secret.key").read_text().split()) == 1  # the old key is retired

    again = build_environment(PUBLIC_URL, data, okta_users=3, contacts=2, runner_thread=False)
    flow = again.emulator.extensions["emulator"].store.get_flow(flow_id)
    assert flow["steps"][0]["mapping"]["email"] == "{{trigger.profile.email}}"
    again.close()
