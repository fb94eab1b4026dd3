"""The Okta app offers every operation the user's document lists (seed 004: Rewst's ~330 Okta actions).

The seed's list is read from the document itself when it is beside the repository (``shared/seeds/``),
else from the copy the catalogue's build script kept (``seed`` in ``okta_catalogue.json``). Each row is
matched to Okta's endpoint by method and path; the app's manifest must hold the operation that serves
it: a catalogue operation, the hand-written one that takes precedence, or, for a row the vendor's
document does not have, the operation the recorded decision names.
"""

from __future__ import annotations

import re
from pathlib import Path

from connector.apps.okta.app import APP, CATALOGUE
from connector.catalogue import load_catalogue
from connector.manifest import build_manifest

ROOT = Path(__file__).resolve().parents[3]
SEED_DIRS = [ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds"]
ROW = re.compile(r"`(GET|POST|PUT|DELETE|PATCH)`</mark> `<example>\.okta\.com(/[^`]*)`")


def norm(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def seed_rows() -> list[tuple[str, str]]:
    for folder in SEED_DIRS:
        for file in sorted(folder.glob("004_*.txt")) if folder.is_dir() else []:
            return [(m[1], m[2]) for m in ROW.finditer(file.read_text())]
    return [(row["method"], row["path"]) for row in load_catalogue(CATALOGUE)["seed"]]


def test_every_seed_operation_is_in_the_okta_manifest() -> None:
    catalogue = load_catalogue(CATALOGUE)
    served = {(row["method"], norm(row["path"])): row for row in catalogue["seed"]}
    manifest = build_manifest(APP)
    offered = {op["key"] for kind in ("triggers", "actions", "searches") for op in manifest.get(kind, [])}
    rows = seed_rows()
    missing = []
    for method, path in rows:
        row = served.get((method, norm(path)))
        if row is None or row["key"] not in offered:
            missing.append(f"{method} {path} -> {row['key'] if row else 'no catalogue row'}")
    print(f"seed 004: {len(rows)} operations, {len(rows) - len(missing)} in the okta manifest; missing:",
          missing or "nothing")
    assert len(rows) >= 330
    assert missing == []


def test_every_seed_row_without_a_vendor_operation_has_a_reasoned_decision() -> None:
    undocumented = [row for row in load_catalogue(CATALOGUE)["seed"] if "vendor_path" not in row]
    assert undocumented, "the seed's Generic Request has no Okta endpoint and must be recorded"
    for row in undocumented:
        assert row["key"] and len(row["reason"]) > 40, row
