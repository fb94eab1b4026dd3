"""The security story runs once per module: tests then search each surface it produced for canaries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from security_world import SecurityStory, build_story


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecurityStory]:
    yield from build_story(tmp_path_factory.mktemp("security-data"))
