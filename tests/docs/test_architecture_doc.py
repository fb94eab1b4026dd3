"""docs/architecture.md stays true: every file it names exists, and every ``module.function`` it
follows the Okta user through is defined in that file."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
PATH = re.compile(r"`((?:connector|triggers|actions|searches|auth|emulator|sandboxes|tests|docs)/[\w/.-]*)`")
#: "`emulator/runner.py` `Runner.poll_flow`": a file, then the name defined in it.
PATH_AND_NAME = re.compile(r"`([\w/]+\.py)` `(\w+)(?:\.(\w+))?`")


def test_every_file_the_architecture_page_names_exists() -> None:
    named = sorted(set(PATH.findall(DOC)))
    assert len(named) > 30
    assert [path for path in named if not (ROOT / path.replace("<app>", "okta")).exists()] == []


def test_every_function_it_follows_is_defined_where_it_says() -> None:
    pairs = PATH_AND_NAME.findall(DOC)
    assert len(pairs) > 10
    missing = []
    for path, name, member in pairs:
        source = (ROOT / path).read_text()
        if not re.search(rf"^(?:class|def) {name}\b|^{name} = ", source, re.MULTILINE):
            missing.append(f"{path}: {name}")
        elif member and not re.search(rf"^\s+def {member}\b", source, re.MULTILINE):
            missing.append(f"{path}: {name}.{member}")
    assert missing == []
