"""Shared pytest configuration: the recorded-test fixtures (see ``tests/_recording/__init__.py`` for usage).

Fixtures: ``recorded`` (one recorded test: cassette, vault URL, credentials), ``live_target`` (session; None in
playback), ``emulator`` (session; an in-process Managed HSM emulator, started on first use in any mode). The
challenge cache is cleared around every test. Feature folders add their own fixtures in their own conftest.py
(e.g. ``tests/backup/conftest.py`` for backup storage). ``azurite`` (session) is Azure Storage's emulator.

At the end of the run the reliability and security figures the tests counted (``reliability_ledger``) are printed,
and written to ``$MHSM_RELIABILITY_REPORT`` when it is set.
"""

import os
from collections.abc import Iterator

import pytest
from _recording.fixtures import (  # noqa: F401  (pytest discovers fixtures and hooks by name)
    _fresh_challenge_cache,
    emulator,
    live_target,
    pytest_runtest_makereport,
    recorded,
)
from mhsm_emulator.azurite import Azurite
from reliability_ledger import REPORT_ENV, ledger, merge, table_rows, write_report


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """Azurite's blob service on a free 127.0.0.1 port for the session (started on first use, stopped at the end)."""
    with Azurite() as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the figures the tests counted; merge them into ``$MHSM_RELIABILITY_REPORT`` when it is set."""
    if hasattr(config, "workerinput"):  # an xdist worker: its controller reports
        return
    run = ledger.run_record(list(config.invocation_params.args), int(exitstatus))
    target = os.environ.get(REPORT_ENV)
    if not run["counts"] and not target:
        return
    if target:
        path, report = write_report(target, run)
    else:
        report = merge([run])
    terminalreporter.write_sep("=", "Reliability and security figures")
    for label, count, _ in table_rows(report):
        terminalreporter.write_line(f"{count:>12}  {label}")
    if target:
        runs = len(report["runs"])
        terminalreporter.write_line(f"written to {path} and {path.with_suffix('.json')} "
                                    f"({runs} pytest run{'s' if runs > 1 else ''} merged)")
