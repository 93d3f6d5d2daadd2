"""The reliability and security figures of a test run, counted by the tests that produce them.

A test adds what it checked where the count is known (``ledger.add("fuzzed_requests", 1)``, ``ledger.add("fuzzed_5xx",
int(status >= 500))``); ``tests/conftest.py`` prints the table at the end of the run and, when the environment
variable :data:`REPORT_ENV` names a file, writes it there as Markdown plus a ``.json`` twin. A report that already
exists there is merged (its runs kept, the counts summed): ``make test`` runs pytest twice (playback, then the
recorded tests live) into one report, and removes the old one first.

A figure nobody added to (not even 0) is "not measured", never 0: the zeros of the table are counted zeros.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPORT_ENV = "MHSM_RELIABILITY_REPORT"
"""Environment variable naming the Markdown report to write (and merge into); nothing is written when unset."""


@dataclass(frozen=True)
class Figure:
    """One line of the table: what it counts, and whether anything but 0 is a defect."""

    label: str
    must_be_zero: bool = False


FIGURES: dict[str, Figure] = {
    "rbac_cases": Figure("RBAC cases checked (role x operation x assignment scope), each against an independent model"),
    "scope_spellings": Figure("scope, path and GUID spellings tried (requests whose answer was checked)"),
    "token_forgeries_refused": Figure("forged or foreign tokens refused with 401 (requests)"),
    "fuzzed_requests": Figure("malformed requests fuzzed against the emulator (bodies, headers, paths, methods, "
                              "api-versions, raw HTTP, identity endpoint)"),
    "fuzzed_5xx": Figure("... of which answered 5xx", must_be_zero=True),
    "ekm_check_502": Figure("... of which 502 from the EKM check by design (its connection points at a closed port)"),
    "challenges_fuzzed": Figure("malformed WWW-Authenticate challenges through the client (parser, policy, clients)"),
    "challenge_unexpected": Figure("... of which ended other than as a 401 or a clear ValueError", must_be_zero=True),
    "challenge_resends_checked": Figure("challenged requests re-sent and checked to be themselves (replay checks)"),
    "concurrent_client_requests": Figure("concurrent requests on one client checked (async tasks, threads)"),
    "challenge_resend_problems": Figure("... replay or cross-talk problems found", must_be_zero=True),
    "faults_injected": Figure("faults injected and survived (429/503 answers, dropped connections, lost answers)"),
    "concurrent_writes": Figure("concurrent writes acknowledged (threads, asyncio tasks, racing job starts)"),
    "concurrent_writes_lost": Figure("... of which lost, duplicated or resurrected", must_be_zero=True),
    "kill9_cycles": Figure("kill -9 cycles (SIGKILL, then a restart on the same data folder)"),
    "kill9_acknowledged_writes": Figure("writes acknowledged before a kill -9"),
    "kill9_writes_missing": Figure("... of which missing after the restart", must_be_zero=True),
    "idle_closed_by_timeout": Figure("idle or slow connections closed by a timeout (handshake, header, body, idle)"),
    "log_lines_scanned": Figure("log lines scanned for tokens and secrets (emulator DEBUG log, client network trace)"),
    "secrets_in_logs": Figure("... tokens, SAS signatures or keys found in them", must_be_zero=True),
    "cassette_files_scanned": Figure("committed cassettes scanned (tests/recordings)"),
    "cassette_interactions_scanned": Figure("... interactions in them"),
    "secrets_in_cassettes": Figure("... tokens, Authorization headers, SAS signatures or keys found in them",
                                   must_be_zero=True),
}


class Ledger:
    """Session-wide counters keyed by :data:`FIGURES`; each remembers which test files added to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.sources: dict[str, set[str]] = {}

    def add(self, figure: str, count: int = 1) -> None:
        """Add ``count`` (0 included: a measured zero) to ``figure``."""
        if figure not in FIGURES:
            raise KeyError(f"unknown reliability figure {figure!r}: add it to FIGURES in {__name__}")
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split("::", 1)[0]
        with self._lock:
            self.counts[figure] = self.counts.get(figure, 0) + int(count)
            if test:
                self.sources.setdefault(figure, set()).add(test)

    def run_record(self, args: list[str], exit_status: int) -> dict[str, Any]:
        """This process's counts as one run of a report."""
        with self._lock:
            return {"args": args, "exit_status": exit_status, "counts": dict(self.counts),
                    "sources": {name: sorted(files) for name, files in self.sources.items()}}


ledger = Ledger()
"""The one ledger of this pytest process."""


def lost_writes(found: Iterable[str], expected: Iterable[str]) -> int:
    """How many acknowledged writes ``found`` (names of stored rows) contradicts: missing, duplicated or
    resurrected (present although deleted), against the names that should be there."""
    found, wanted = list(found), set(expected)
    return len(set(found) ^ wanted) + len(found) - len(set(found))


@contextmanager
def count_faults(injector: Any) -> Iterator[None]:
    """Add the faults a :class:`mhsm_emulator.faults.FaultInjector` injects while the block runs to
    ``faults_injected``: its counts before each re-configuration (which resets them) and at the end."""

    before = [sum(injector.injected.values())]  # injected before the block: not this block's

    def flush() -> None:
        ledger.add("faults_injected", sum(injector.injected.values()) - before[0])

    configure = injector.configure

    def counting_configure(config: Any) -> None:
        flush()
        configure(config)
        before[0] = 0

    injector.configure = counting_configure
    try:
        yield
    finally:
        del injector.configure  # the class's method again
        flush()


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The report of ``runs``: per figure its label, total (None when no run measured it) and test files."""
    figures: dict[str, Any] = {}
    for name, figure in FIGURES.items():
        measured = [run for run in runs if name in run["counts"]]
        files = sorted({file for run in measured for file in run["sources"].get(name, [])})
        figures[name] = {"label": figure.label, "must_be_zero": figure.must_be_zero,
                         "count": sum(run["counts"][name] for run in measured) if measured else None,
                         "measured_in": files}
    return {"figures": figures, "runs": runs}


def report_paths(value: str) -> tuple[Path, Path]:
    """The Markdown and JSON files for the environment variable's value."""
    path = Path(value)
    markdown = path if path.suffix != ".json" else path.with_suffix(".md")
    return markdown, markdown.with_suffix(".json")


def read_runs(json_path: Path) -> list[dict[str, Any]]:
    """The runs of an existing report (none when there is no readable one)."""
    try:
        runs = json.loads(json_path.read_text())["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [run for run in runs if isinstance(run, dict) and isinstance(run.get("counts"), dict)]


def _number(count: int | None) -> str:
    return "not measured" if count is None else f"{count:,}"


def table_rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, count, test files) per figure, in table order."""
    rows = []
    for figure in report["figures"].values():
        files = ", ".join(Path(file).name for file in figure["measured_in"])
        label = figure["label"] + (" (must be 0)" if figure["must_be_zero"] else "")
        rows.append((label, _number(figure["count"]), files))
    return rows


def markdown(report: dict[str, Any]) -> str:
    """The report as a Markdown section."""
    runs = report["runs"]
    passes = "; ".join("`" + " ".join(["pytest", *run["args"]]) + "`" for run in runs)
    failed = [run for run in runs if run["exit_status"] != 0]
    lines = [
        "## Reliability and security figures",
        "",
        f"Counted by the tests themselves in {len(runs)} pytest run(s) ({passes}), "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}."
        + (f" {len(failed)} of them did not pass: these figures are not a clean run's." if failed else ""),
        "",
        "| Figure | Count | Measured in |",
        "|---|---:|---|",
    ]
    lines += [f"| {label} | {count} | {files} |" for label, count, files in table_rows(report)]
    return "\n".join(lines) + "\n"


def write_report(value: str, run: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    """Merge ``run`` into the report named by ``value`` (Markdown and JSON); the Markdown path and the report."""
    markdown_path, json_path = report_paths(value)
    report = merge([*read_runs(json_path), run])
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    markdown_path.write_text(markdown(report))
    return markdown_path, report
