"""Suite-wide checks: every sandbox answer and every connector request against the vendor contracts.

``sandboxes/contract_check.py`` explains the checks. They are on for the whole session; a test
whose requests or answers broke a contract fails at teardown, listing each violation with its request.
Tests that break a contract on purpose take the violations with the ``contract_violations`` fixture.

Sandboxes in processes the tests start (``connector emulate``, ``connector sandbox ...``) inherit
``CONNECTOR_CONTRACT_LOG`` and append their violations to it; the session fails if any arrived, listing
them. A test that wants its own process's violations sets its own log file.

Every test also starts with only the installed apps known: ``--app`` specs named by one test's commands
do not leak into the next.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector.registry import forget_named_apps
from sandboxes.contract_check import CHECKS, LOG_ENV, Violation

_PROCESS_LOG = Path(tempfile.mkdtemp(prefix="contract-checks-")) / "processes.jsonl"


def pytest_configure(config: pytest.Config) -> None:
    CHECKS.enable()
    os.environ.setdefault(LOG_ENV, str(_PROCESS_LOG))


def _process_violations() -> list[str]:
    if not _PROCESS_LOG.exists():
        return []
    return [" ".join(f"{key}={value}" for key, value in json.loads(line).items())
            for line in _PROCESS_LOG.read_text().splitlines() if line.strip()]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _process_violations() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def sandbox_answers_follow_the_vendor_contracts() -> Iterator[None]:
    CHECKS.take()  # anything left by background threads of earlier tests is theirs, not this test's
    yield
    violations = CHECKS.take()
    if violations:
        listed = "\n".join(f"  {violation}" for violation in violations[:20])
        more = f"\n  ... and {len(violations) - 20} more" if len(violations) > 20 else ""
        pytest.fail(f"{len(violations)} contract violation(s) against docs/contracts/:\n{listed}{more}",
                    pytrace=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_PROCESS_LOG.parent, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from_processes = _process_violations()
    if from_processes:
        terminalreporter.section("contract violations in sandbox processes the tests started", red=True)
        for line in from_processes:
            terminalreporter.write_line(f"  {line}")
    for name, (exercised, untouched) in CHECKS.coverage().items():
        listed = ", ".join(untouched[:6]) + (f" and {len(untouched) - 6} more" if len(untouched) > 6 else "")
        never = f"; never answered: {listed}" if untouched else ""
        terminalreporter.write_line(f"vendor contract {name}: {exercised} documented operations exercised{never}")
    terminalreporter.write_line(
        f"vendor contracts: {CHECKS.checked} sandbox answers checked against docs/contracts/; "
        f"{CHECKS.skipped_admin} calls to the sandboxes' own /_sandbox/ controls not checked (not vendor endpoints)"
    )


@pytest.fixture
def contract_violations() -> Callable[[], list[Violation]]:
    """Take the violations recorded so far (for tests that break a contract on purpose)."""
    return CHECKS.take


@pytest.fixture(autouse=True)
def _forget_named_apps() -> Iterator[None]:
    yield
    forget_named_apps()
