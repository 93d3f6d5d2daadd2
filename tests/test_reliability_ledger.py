"""The ledger that counts the README's reliability figures: unknown names refused, zeros kept apart from
"not measured", runs merged by summing, lost writes counted as missing, duplicated or resurrected."""

import json
from pathlib import Path

import pytest
from reliability_ledger import FIGURES, Ledger, lost_writes, merge, table_rows, write_report


def test_unknown_figure_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown reliability figure"):
        Ledger().add("no_such_figure", 1)


def test_a_counted_zero_is_not_unmeasured() -> None:
    ledger = Ledger()
    ledger.add("fuzzed_5xx", 0)
    counts = {label: count for label, count, _ in table_rows(merge([ledger.run_record([], 0)]))}
    assert counts[FIGURES["fuzzed_5xx"].label + " (must be 0)"] == "0"
    assert counts[FIGURES["kill9_cycles"].label] == "not measured"


def test_runs_merge_by_summing(tmp_path: Path) -> None:
    first, second = Ledger(), Ledger()
    first.add("rbac_cases", 1200)
    second.add("rbac_cases", 34)
    second.add("kill9_cycles", 2)
    target = str(tmp_path / "report.md")
    write_report(target, first.run_record(["a"], 0))
    markdown_path, report = write_report(target, second.run_record(["b"], 1))
    assert report["figures"]["rbac_cases"]["count"] == 1234
    assert report["figures"]["kill9_cycles"]["count"] == 2
    assert len(json.loads((tmp_path / "report.json").read_text())["runs"]) == 2
    text = markdown_path.read_text()
    assert "| 1,234 |" in text and "1 of them did not pass" in text


@pytest.mark.parametrize(
    ("found", "expected", "lost"),
    [
        (["a", "b"], ["a", "b"], 0),
        (["a"], ["a", "b"], 1),  # missing
        (["a", "b", "b"], ["a", "b"], 1),  # duplicated
        (["a", "b", "c"], ["a", "b"], 1),  # resurrected
    ],
)
def test_lost_writes(found: list[str], expected: list[str], lost: int) -> None:
    assert lost_writes(found, expected) == lost
