"""Smoke checks for the poll benchmarks: each client reads the whole listing, and the lines say PASS/MISS."""

from __future__ import annotations

import json

import pytest
from benchkit import okta_org

from emulator.serving import serve

poll_seed = pytest.importorskip("poll_seed")
poll_incremental = pytest.importorskip("poll_incremental")


@pytest.fixture(scope="module")
def served_org():
    sandbox = okta_org(450)
    with serve(sandbox.app) as served:
        sandbox.base_url = served.base_url
        yield sandbox
    sandbox.close()


@pytest.mark.parametrize("client", ["product", "fair", "bare"])
def test_each_poll_seed_client_reads_every_user_of_a_three_page_org(served_org, client):
    read = poll_seed.READERS[client](served_org.base_url, served_org.settings.token)
    assert read() == 450
    assert read() == 450  # the baselines reuse their client; a second read sees the same org


def test_the_poll_seed_line_judges_the_product_against_the_fair_baseline_with_median_and_spread():
    report = {"seconds": 0.2, "records": 400, "peak_mb": 60.0, "start_mb": 50.0}
    results = {
        200: {"product": [{**report, "records": 200}], "fair": [{**report, "records": 200, "seconds": 0.1}]},
        400: {
            "product": [{**report, "peak_mb": 61.0}, {**report, "seconds": 0.3, "peak_mb": 61.0}],
            "fair": [{**report, "seconds": 0.15}, {**report, "seconds": 0.17}],
        },
    }
    line = poll_seed.summarise(results, ["product", "fair"])
    assert line.startswith("poll_seed (1 rounds, median [min-max]): 200 users (1 pages)")
    assert "product 0.25s [0.20-0.30s], fair 0.16s [0.15-0.17s]" in line
    assert "product/fair 2.00" in line
    assert "product peak RSS 60 -> 61 MiB" in line
    assert line.endswith("MISS")  # 2.00x the fair baseline misses the 1.1x goal


def test_the_minimal_singer_tap_is_reported_but_only_the_full_schema_tap_is_judged():
    def reports(seconds: float) -> list[dict[str, float]]:
        return [{"seconds": seconds, "records": 200, "peak_mb": 60.0, "start_mb": 50.0}]

    results = {
        200: {"product": reports(0.1), "fair": reports(0.1), "singer-full": reports(1.5), "singer": reports(0.5)},
    }
    line = poll_seed.summarise(results, ["product", "fair", "singer-full", "singer"])
    assert "singer-full/product 15.0x; singer/product 5.0x" in line
    assert line.endswith("PASS")
    results[200]["singer-full"] = reports(0.8)
    assert poll_seed.summarise(results, ["product", "fair", "singer-full", "singer"]).endswith("MISS")


def test_the_full_schema_singer_tap_declares_every_okta_user_field():
    pytest.importorskip("singer_sdk")
    schema = poll_seed.okta_user_schema()
    assert {"id", "status", "created", "lastLogin", "profile", "credentials", "_links"} <= set(schema["properties"])
    assert len(schema["properties"]["profile"]["properties"]) == 31


def test_a_client_that_misses_users_fails_the_poll_seed_goal():
    report = {"seconds": 0.1, "records": 199, "peak_mb": 60.0, "start_mb": 50.0}
    line = poll_seed.summarise({200: {"product": [report], "fair": [{**report, "records": 200}]}}, ["product", "fair"])
    assert "RECORD COUNT WRONG: product 199" in line
    assert line.endswith("MISS")


def test_an_incremental_poll_with_nothing_new_makes_one_call(served_org, capsys):
    last_id = list(served_org.state.users.records)[-1].id
    poll_incremental.child(served_org.base_url, served_org.settings.token, last_id, 2)
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["first_poll_items"] == 450
    assert report["calls"] == 1
    assert report["emitted"] == 0
    line = poll_incremental.summarise({100: report, 450: report})
    assert "cost 450 vs 100 users 1.00x" in line
    assert line.endswith("PASS")
