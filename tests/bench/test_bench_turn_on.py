"""Smoke checks for the turn-on benchmark: both children count every user, and the line judges the ratio."""

from __future__ import annotations

import json

import pytest
from benchkit import okta_org

from emulator.serving import serve

turn_on = pytest.importorskip("turn_on")


@pytest.mark.parametrize("kind", ["poll", "turn-on"])
def test_each_turn_on_child_records_every_user_of_a_three_page_org(kind, capsys):
    sandbox = okta_org(450)
    with serve(sandbox.app, server="waitress") as served:
        sandbox.base_url = served.base_url
        turn_on.child(kind, served.base_url, sandbox.settings.token)
    sandbox.close()
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["kind"] == kind and report["records"] == 450


def test_the_turn_on_line_reports_median_spread_ratio_and_linearity():
    def reports(seconds: list[float], records: int) -> list[dict[str, float]]:
        return [{"seconds": s, "records": records} for s in seconds]

    results = {
        1000: {"poll": reports([0.10, 0.12, 0.11], 1000), "turn-on": reports([0.14, 0.15, 0.20], 1000)},
        5000: {"poll": reports([0.50, 0.55, 0.60], 5000), "turn-on": reports([0.70, 0.75, 0.90], 5000)},
    }
    line = turn_on.summarise(results)
    assert "1,000 users: turn-on 0.15s [0.14-0.20s], poll alone 0.11s [0.10-0.12s], ratio 1.36" in line
    assert line.endswith("PASS")
    results[5000]["turn-on"] = reports([1.0, 1.1, 1.2], 5000)  # 2x the poll: the record is too slow
    assert turn_on.summarise(results).endswith("MISS")
