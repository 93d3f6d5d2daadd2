"""Summaries of interleaved rounds, the Markdown table and the PNG chart of the ratios."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional


@dataclass
class Row:
    """One line of the table: a figure of ours (or a floor) against the official package."""

    key: str
    title: str
    unit: str
    ours: list[float]
    official: list[float]
    goal: Optional[float] = None  # the ratio to stay at or under; None: reported only
    higher_is_better: bool = False  # only for absolute figures (the emulator's requests/s)
    absolute_goal: Optional[float] = None  # for rows without an official side
    note: str = ""
    cpu_ours: list[float] = field(default_factory=list)  # client CPU per operation, when the worker measured it
    cpu_official: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [a / b for a, b in zip(self.ours, self.official, strict=False) if b]

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "title": self.title, "unit": self.unit, "note": self.note}
        data["ours"] = spread(self.ours)
        if self.official:
            data["official"] = spread(self.official)
            data["ratio"] = spread(self.ratios)
            data["goal_ratio"] = self.goal
            data["met"] = None if self.goal is None else data["ratio"]["median"] <= self.goal
            if self.cpu_ours and self.cpu_official:
                data["cpu_ours_ms"] = spread(self.cpu_ours)
                data["cpu_official_ms"] = spread(self.cpu_official)
                data["cpu_ratio"] = spread([a / b for a, b in zip(self.cpu_ours, self.cpu_official, strict=False) if b])
        else:
            data["goal"] = self.absolute_goal
            if self.absolute_goal is not None and self.ours:
                median = data["ours"]["median"]
                data["met"] = median >= self.absolute_goal if self.higher_is_better else median <= self.absolute_goal
            else:
                data["met"] = None
        return data


def spread(values: list[float]) -> dict[str, Any]:
    """Median, min, max and interquartile range of a list of round values."""
    if not values:
        return {"median": float("nan"), "min": float("nan"), "max": float("nan"), "iqr": float("nan"), "n": 0}
    ordered = sorted(values)
    if len(ordered) >= 4:
        quartiles = statistics.quantiles(ordered, n=4)
        iqr = quartiles[2] - quartiles[0]
    else:
        iqr = ordered[-1] - ordered[0]
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "max": ordered[-1],
        "iqr": iqr,
        "n": len(ordered),
        "values": values,
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "B/item":
        return f"{value:,.0f} B/item"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if value >= 100:
        return f"{value:.0f} {unit}"
    if value >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.3f} {unit}"


def markdown(rows: list[Row], header_lines: list[str]) -> str:
    """The results table (figure, ours, official, ratio median [min..max], goal, met?)."""
    lines = [*header_lines, ""]
    lines.append("| figure | ours | official | ratio median [min..max] | goal | met? | client CPU ratio |")
    lines.append("|---|---|---|---|---|---|---|")
    for row in rows:
        summary = row.summary()
        ours = summary["ours"]
        if row.official:
            official = _fmt(summary["official"]["median"], row.unit)
            ratio = summary["ratio"]
            ratio_text = f"{ratio['median']:.2f} [{ratio['min']:.2f}..{ratio['max']:.2f}]"
            goal = f"≤ {row.goal:.2f}" if row.goal is not None else "report"
            ours_text = _fmt(ours["median"], row.unit)
        else:
            official, ratio_text = "—", "—"
            ours_text = f"{_fmt(ours['median'], row.unit)} [{ours['min']:,.0f}..{ours['max']:,.0f}]"
            sign = "≥" if row.higher_is_better else "≤"
            goal = f"{sign} {row.absolute_goal:,.0f}" if row.absolute_goal is not None else "report"
        met = {True: "yes", False: "**no**", None: "—"}[summary["met"]]
        title = row.title + (f" ({row.note})" if row.note else "")
        cpu = summary.get("cpu_ratio")
        cpu_text = f"{cpu['median']:.2f} [{cpu['min']:.2f}..{cpu['max']:.2f}]" if cpu else "—"
        lines.append(f"| {title} | {ours_text} | {official} | {ratio_text} | {goal} | {met} | {cpu_text} |")
    return "\n".join(lines) + "\n"


def chart(rows: list[Row], path: Path, title: str) -> Optional[str]:
    """A horizontal bar chart of the ratio medians (min..max whiskers) with each goal marked; None if drawn."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install -r benchmarks/requirements.txt): no chart"
    ratio_rows = [row for row in rows if row.official and row.ratios]
    if not ratio_rows:
        return "no ratio to draw"
    labels = [row.title + (f"\n({row.note})" if row.note else "") for row in ratio_rows][::-1]
    summaries = [row.summary()["ratio"] for row in ratio_rows][::-1]
    goals = [row.goal for row in ratio_rows][::-1]
    medians = [s["median"] for s in summaries]
    errors = [[s["median"] - s["min"] for s in summaries], [s["max"] - s["median"] for s in summaries]]
    colors = []
    for median, goal in zip(medians, goals, strict=True):
        if goal is None:
            colors.append("#9e9e9e")
        else:
            colors.append("#2e7d32" if median <= goal else "#c62828")
    figure, axes = plt.subplots(figsize=(11, 0.6 * len(labels) + 2.0))
    positions = list(range(len(labels)))
    axes.barh(positions, medians, xerr=errors, color=colors, alpha=0.85, capsize=3)
    for position, goal in zip(positions, goals, strict=True):
        if goal is not None:
            axes.plot([goal, goal], [position - 0.42, position + 0.42], color="black", linewidth=2.2)
    axes.axvline(1.0, color="#555555", linestyle="--", linewidth=1)
    axes.set_yticks(positions)
    axes.set_yticklabels(labels, fontsize=8)
    axes.set_xlabel("ours / official (per-round ratio, median with min..max); black tick = goal; < 1 is faster")
    absolute = [row for row in rows if not row.official and row.ours]
    for row in absolute:
        summary = row.summary()
        goal = f", goal {'≥' if row.higher_is_better else '≤'} {row.absolute_goal:,.0f}" if row.absolute_goal else ""
        title += f"\n{row.title}: {summary['ours']['median']:,.0f} {row.unit}{goal}"
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return None
