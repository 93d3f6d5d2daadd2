"""Precise differences between two wire-parity traces (used by ``test_wire_parity.py`` and for debugging).

``python tests/official/parity_diff.py OURS.json OFFICIAL.json [SCENARIO_PREFIX]`` prints every difference.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def differences(ours: Any, official: Any, path: str = "") -> list[str]:
    """Every leaf where the two JSON values differ, as ``path: ours != official`` lines."""
    if isinstance(ours, dict) and isinstance(official, dict):
        lines: list[str] = []
        for key in list(dict.fromkeys([*ours, *official])):
            if key not in ours:
                lines.append(f"{path}.{key}: <missing> != {_short(official[key])}")
            elif key not in official:
                lines.append(f"{path}.{key}: {_short(ours[key])} != <missing>")
            else:
                lines.extend(differences(ours[key], official[key], f"{path}.{key}"))
        return lines
    if isinstance(ours, list) and isinstance(official, list):
        lines = []
        if len(ours) != len(official):
            lines.append(f"{path}: {len(ours)} items != {len(official)} items")
        for index, (left, right) in enumerate(zip(ours, official, strict=False)):
            lines.extend(differences(left, right, f"{path}[{index}]"))
        return lines
    if ours != official:
        return [f"{path}: {_short(ours)} != {_short(official)}"]
    return []


def step_differences(ours: dict[str, Any], official: dict[str, Any]) -> dict[str, list[str]]:
    """Differences of one scenario, grouped by step name (``<scenario>`` for the scenario's own fields)."""
    grouped: dict[str, list[str]] = {}
    ours_steps = {step["step"]: step for step in ours["steps"]}
    official_steps = {step["step"]: step for step in official["steps"]}
    if list(ours_steps) != list(official_steps):
        grouped["<scenario>"] = [f"steps {list(ours_steps)} != {list(official_steps)}"]
    if ours.get("scenario_crashed") != official.get("scenario_crashed"):
        grouped.setdefault("<scenario>", []).append(
            f"crashed: {ours.get('scenario_crashed')} != {official.get('scenario_crashed')}")
    for name in ours_steps.keys() & official_steps.keys():
        found = differences(ours_steps[name], official_steps[name])
        if found:
            grouped[name] = found
    return grouped


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 400 else text[:400] + "..."


def main(argv: list[str]) -> None:
    with open(argv[1]) as left, open(argv[2]) as right:
        ours, official = json.load(left), json.load(right)
    prefix = argv[3] if len(argv) > 3 else ""
    for name in ours:
        if name == "package_file" or not name.split(":", 1)[-1].startswith(prefix):
            continue
        if name not in official:
            print(f"== {name}: missing in official")
            continue
        for step, lines in step_differences(ours[name], official[name]).items():
            print(f"== {name} / {step}")
            for line in lines:
                print("   ", line)


if __name__ == "__main__":
    main(sys.argv)
