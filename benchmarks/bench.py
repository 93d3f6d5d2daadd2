"""This package against the official 4.7.2, side by side, over HTTPS (``make bench``; never part of ``make test``).

Every figure of issue 10 is measured by running a worker script under each interpreter (the repository's ``.venv``
for this package, ``.venv-official`` for the official one, built the way ``tests/official`` builds it), so the two
packages never share a process. Rounds are interleaved (A B, B A, A B ...) and each round gives a paired ratio
ours/official; the table shows medians of the round values and the ratio median with its min..max. The floors run
azure-core's ``PipelineClient`` with its transport and no policies, in the official environment (same azure-core).

    .venv/bin/python benchmarks/bench.py                       # everything, 5 rounds -> results/latest.*
    .venv/bin/python benchmarks/bench.py --rounds 9            # more rounds on a noisy machine
    .venv/bin/python benchmarks/bench.py --figures sync_get,list --rounds 3   # a subset -> results/subset.*
    .venv/bin/python benchmarks/bench.py --quick               # 2 rounds, fewer calls (a smoke run)
    .venv/bin/python benchmarks/bench.py --target emulator     # against the real emulator instead of the fake HSM
    .venv/bin/python benchmarks/bench.py --list                # the figure keys
    .venv/bin/python benchmarks/bench.py --render benchmarks/results/latest.json   # redo table + chart only

    make bench BENCH_ARGS="--figures cold_start,import --rounds 8"

Writes ``<output>.md`` (the table), ``<output>.json`` (every round's raw data) and ``<output>.png`` (the ratios
with their goals) into ``--output-dir`` (default ``benchmarks/results``). Profiles: ``benchmarks/profile_figure.py``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _report import Row, chart, markdown  # noqa: E402
from _servers import Target, emulator, fake_hsm  # noqa: E402

REPO = HERE.parent
WORKER = HERE / "_worker.py"
COLD = HERE / "_coldstart.py"
LOAD = HERE / "_emulator_load.py"
EMULATOR_GET = (
    "/providers/Microsoft.Authorization/roleDefinitions/21dbd100-6940-42c2-9190-5d6cb909625b?api-version=2025-07-01"
)


@dataclass
class Figure:
    """One figure of the table and how to measure it."""

    key: str
    title: str
    kind: str  # worker | process | import | rss | emulator
    unit: str
    goal: Optional[float]
    params: dict[str, Any] = field(default_factory=dict)
    quick: dict[str, Any] = field(default_factory=dict)
    floor_title: Optional[str] = None  # also measure the transport-only floor under this title
    reps: int = 1  # fresh processes per side per round (process figures)
    on_emulator: bool = True


FIGURES = [
    Figure("sync_get", "sync get_role_definition", "worker", "ms", 0.70,
           {"calls": 400, "warmup": 40}, {"calls": 100, "warmup": 10},
           floor_title="floor: PipelineClient + RequestsTransport, no policies, sync get"),
    Figure("async_get", "async get_role_definition, 64 concurrent tasks (time per call)", "worker", "ms", 0.60,
           {"calls": 1920, "warmup": 2, "concurrency": 64}, {"calls": 1280, "warmup": 1, "concurrency": 64},
           floor_title="floor: AsyncPipelineClient + AioHttpTransport, no policies, 64 tasks"),
    Figure("list", "list_role_definitions, 1,000 items in 10 pages", "worker", "ms", 0.30,
           {"calls": 12, "warmup": 2, "items": 1000}, {"calls": 4, "warmup": 1, "items": 1000}),
    Figure("create", "create_role_assignment", "worker", "ms", 0.70,
           {"calls": 300, "warmup": 30}, {"calls": 80, "warmup": 10}),
    Figure("backup", "begin_backup(...).result(), 3 polls", "worker", "ms", 0.75,
           {"calls": 80, "warmup": 8}, {"calls": 20, "warmup": 3}, on_emulator=False),
    Figure("cold_start", "cold start: fresh process, import, construct, first get", "process", "ms", 1.30, reps=5),
    Figure("import", "import of the three client names alone", "import", "ms", None, reps=5),
    Figure("async_verify", "async get, connection_verify=<CA file path>, 64 tasks", "worker", "ms", 0.45,
           {"calls": 640, "warmup": 1, "concurrency": 64}, {"calls": 256, "warmup": 1, "concurrency": 64}),
    Figure("rss", "RSS after constructing one client", "rss", "MiB", 1.00, reps=3),
    Figure("mem_per_item", "memory retained per listed item (10,000 items)", "worker", "B/item", 1.00,
           {"items": 10000}, {"items": 10000}, on_emulator=False),
    Figure("emulator", "emulator: authenticated GETs/s, 64 aiohttp clients, keep-alive", "emulator", "req/s", None,
           {"seconds": 3.0, "warmup": 1.0, "concurrency": 64}, {"seconds": 1.5, "warmup": 0.5, "concurrency": 64}),
]
BY_KEY = {figure.key: figure for figure in FIGURES}
EMULATOR_GOAL = 3000.0


class Bench:
    """Runs the rounds and keeps every measurement."""

    def __init__(
        self, args: argparse.Namespace, ours_python: str, official_python: str, wheel_python: Optional[str],
        target: Target,
    ) -> None:
        self.args = args
        self.python = {"ours": ours_python, "official": official_python}
        if wheel_python:
            self.python["wheel"] = wheel_python
        self.floor_python = official_python if args.floor_in == "official" else ours_python
        self.target = target
        self.scratch = tempfile.mkdtemp(prefix="mhsm-bench-cwd-")
        self.raw: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.warnings: list[str] = []

    # ---- environment of every child: only what a user of the emulator exports ----

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "SSL_CERT_FILE": self.target.ca_file,
            "REQUESTS_CA_BUNDLE": self.target.ca_file,
        }

    def interpreter(self, side: str) -> str:
        if side == "floor":
            return self.floor_python
        return self.python[side.split("_")[0]]

    def _run(self, command: list[str], timeout: float = 600) -> tuple[str, float]:
        started = time.perf_counter()
        result = subprocess.run(
            command, env=self.env(), cwd=self.scratch, capture_output=True, text=True, timeout=timeout
        )
        elapsed = (time.perf_counter() - started) * 1000
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:3])} failed ({result.returncode}):\n{result.stderr[-4000:]}")
        return result.stdout, elapsed

    # ---- one measurement of one side ----

    def measure(self, figure: Figure, side: str) -> dict[str, Any]:
        python = self.interpreter(side)
        if figure.kind == "worker":
            spec = {
                "figure": figure.key, "side": "floor" if side == "floor" else side,
                "vault_url": self.target.vault_url, "ca_file": self.target.ca_file, "token": self.target.token,
                "stats": self.target.stats, "params": self.params(figure),
            }
            stdout, _ = self._run([python, str(WORKER), json.dumps(spec)])
            result = dict(json.loads(stdout.strip().splitlines()[-1]))
            self._check_package(side, result)
            return result
        if figure.kind == "process":
            mode = "pass" if side.endswith("_pass") else "cold"
            _, elapsed = self._run([python, str(COLD), mode, self.target.vault_url, self.target.token])
            return {"value": elapsed}
        if figure.kind == "import":
            stdout, elapsed = self._run([python, str(COLD), "import"])
            return {"value": float(stdout.strip()), "process_ms": elapsed}
        if figure.kind == "rss":
            mode = "bare" if side.endswith("_bare") else "rss"
            stdout, _ = self._run([python, str(COLD), mode, self.target.vault_url])
            return {"value": int(stdout.strip()) / 1024}
        raise ValueError(figure.kind)

    def _check_package(self, side: str, result: dict[str, Any]) -> None:
        location = str(result.get("file", ""))
        in_official = ".venv-official" in location
        if (side == "ours" and in_official) or (side == "official" and not in_official):
            raise RuntimeError(f"side {side} imported {location}: wrong environment")

    def params(self, figure: Figure) -> dict[str, Any]:
        params = dict(figure.quick if self.args.quick and figure.quick else figure.params)
        if self.target.name == "emulator" and "items" in params and figure.key == "list":
            params["items"] = None  # the emulator lists what it has
        return params

    # ---- rounds ----

    def sides(self, figure: Figure) -> list[str]:
        sides = ["ours", "official"]
        fresh_process = figure.kind in ("process", "import", "rss")
        if fresh_process and "wheel" in self.python:
            sides.append("wheel")
        if figure.floor_title:
            sides.append("floor")
        if figure.kind == "process":
            sides += [side + "_pass" for side in sides]
        if figure.kind == "rss":
            sides += [side + "_bare" for side in sides]
        return sides

    def run_figure(self, figure: Figure) -> None:
        sides = self.sides(figure)
        rounds = self.args.rounds
        reps = figure.reps if not self.args.quick else max(1, figure.reps // 2)
        store: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
        if figure.kind in ("process", "import", "rss"):
            for side in sides:  # compile bytecode and warm the page cache before anything counts
                self.measure(figure, side)
        for round_index in range(rounds):
            per_round: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
            for rep in range(reps):
                order = sides if (round_index * reps + rep) % 2 == 0 else sides[::-1]
                for side in order:
                    per_round[side].append(self.measure(figure, side))
            for side in sides:
                results = per_round[side]
                values = [r["value"] for r in results]
                merged = dict(results[0])
                merged["value"] = statistics.median(values)
                if len(values) > 1:
                    merged["rep_values"] = values
                store[side].append(merged)
            self._check_wire(figure, per_round)
            ours, official = store["ours"][-1]["value"], store["official"][-1]["value"]
            extra = f"  floor {store['floor'][-1]['value']:.3f}" if "floor" in store else ""
            print(f"  [{figure.key} round {round_index + 1}/{rounds}] ours {ours:.3f}  official {official:.3f}"
                  f"  ratio {ours / official:.3f}{extra} {figure.unit}", flush=True)
        self.raw[figure.key] = store

    def _check_wire(self, figure: Figure, per_round: dict[str, list[dict[str, Any]]]) -> None:
        ours = per_round["ours"][0].get("requests_per_op")
        official = per_round["official"][0].get("requests_per_op")
        if ours is not None and official is not None and ours != official:
            message = f"{figure.key}: requests per operation differ: ours {ours} official {official}"
            if message not in self.warnings:
                self.warnings.append(message)
                print("  WARNING " + message, flush=True)

    def run_emulator(self, figure: Figure) -> None:
        params = self.params(figure)
        values: list[dict[str, Any]] = []
        with emulator(self.python["ours"]) as emu:
            spec = {"vault_url": emu.vault_url, "ca_file": emu.ca_file, "token": emu.token, "path": EMULATOR_GET,
                    "server_pid": emu.pid, **params}
            for round_index in range(self.args.rounds):
                stdout, _ = self._run([self.python["ours"], str(LOAD), json.dumps(spec)])
                result = dict(json.loads(stdout.strip().splitlines()[-1]))
                result["value"] = result["rps"]
                if set(result["statuses"]) != {"200"}:
                    self.warnings.append(f"emulator answered {result['statuses']}")
                values.append(result)
                print(f"  [emulator round {round_index + 1}/{self.args.rounds}] {result['rps']:.0f} req/s "
                      f"(statuses {result['statuses']}; CPU per request: emulator "
                      f"{result['server_cpu_us_per_request']:.0f} µs, generator "
                      f"{result['generator_cpu_us_per_request']:.0f} µs)", flush=True)
        self.raw[figure.key] = {"emulator": values}

    def rows(self) -> list[Row]:
        return build_rows(self.raw, self.target.name)


def build_rows(raw: dict[str, dict[str, list[dict[str, Any]]]], target_name: str) -> list[Row]:
    """The table's rows from the raw rounds (as kept in the JSON results)."""
    rows: list[Row] = []
    for figure in FIGURES:
        store = raw.get(figure.key)
        if store is None:
            continue
        if figure.kind == "emulator":
            server_cpu = [r["server_cpu_us_per_request"] for r in store["emulator"]
                          if r.get("server_cpu_us_per_request")]
            note = f"emulator CPU {statistics.median(server_cpu):.0f} µs/request" if server_cpu else ""
            rows.append(Row(figure.key, figure.title, figure.unit, [r["value"] for r in store["emulator"]], [],
                            higher_is_better=True, absolute_goal=EMULATOR_GOAL, note=note))
            continue

        def values(side: str, store: dict[str, list[dict[str, Any]]] = store) -> list[float]:
            return [float(r["value"]) for r in store[side]]

        def cpu(side: str, store: dict[str, list[dict[str, Any]]] = store, unit: str = figure.unit) -> list[float]:
            if unit != "ms":  # the memory figure's CPU is not what it measures
                return []
            return [float(r["cpu_ms_per_op"]) for r in store[side] if "cpu_ms_per_op" in r]

        editable = "wheel" in store
        note = ".venv, editable install" if editable else ""
        if target_name == "emulator" and figure.key == "list":
            note = "on the emulator: the roles it has, not 1,000 items"
        rows.append(Row(figure.key, figure.title, figure.unit, values("ours"), values("official"), figure.goal,
                        note=note,
                        cpu_ours=cpu("ours"), cpu_official=cpu("official")))
        if editable:
            rows.append(Row(figure.key + ".wheel", figure.title, figure.unit, values("wheel"), values("official"),
                            figure.goal, note="regular install, .venv-bench"))
        if "floor" in store:
            rows.append(Row(figure.key + ".floor", str(figure.floor_title), figure.unit, values("floor"),
                            values("official"), None, note="vs official",
                            cpu_ours=cpu("floor"), cpu_official=cpu("official")))
        for ours_side, label in (("ours", ".venv"), ("wheel", ".venv-bench")):
            if ours_side + "_pass" in store:
                rows.append(Row(f"{figure.key}.interpreter.{ours_side}", "interpreter start-up alone (no import)",
                                figure.unit, values(ours_side + "_pass"), values("official_pass"), None,
                                note=f"{label} vs .venv-official; part of the cold start"))
            if ours_side + "_bare" in store:
                rows.append(Row(f"{figure.key}.bare.{ours_side}", "RSS of the bare interpreter", figure.unit,
                                values(ours_side + "_bare"), values("official_bare"), None,
                                note=f"{label} vs .venv-official; part of the RSS"))
    return rows


def _versions(python: str) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, platform; print(json.dumps({'python': platform.python_version(), "
        "**{n: m.version(n) for n in ('azure-keyvault-administration', 'azure-core', 'requests', 'aiohttp')}}))"
    )
    with tempfile.TemporaryDirectory() as cwd:  # not the repository: its egg-info would answer for both
        result = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                                cwd=cwd)
    return dict(json.loads(result.stdout))


def _official_python(args: argparse.Namespace) -> str:
    if args.official_python:
        return str(args.official_python)
    sys.path.insert(0, str(REPO / "tests" / "official"))
    import test_official_sdk  # the same venv and requirements as tests/official (built once, under a lock)

    ensure: Callable[[], Path] = test_official_sdk._ensure_venv
    return str(ensure())


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds per figure (default 5, quick 2)")
    parser.add_argument("--figures", default="", help="comma-separated figure keys (default: all); see --list")
    parser.add_argument("--quick", action="store_true", help="2 rounds and fewer calls: a smoke run")
    parser.add_argument("--target", choices=("fake", "emulator"), default="fake",
                        help="serve the client figures from the fake HSM (default) or the emulator")
    parser.add_argument("--output", default=None,
                        help="base name of the result files (default: latest for a full run, subset otherwise)")
    parser.add_argument("--output-dir", type=Path, default=HERE / "results")
    parser.add_argument("--ours-python", default=sys.executable, help="interpreter with this package (the .venv)")
    parser.add_argument("--official-python", default=None, help="interpreter with the official 4.7.2 (default: "
                        "tests/official's .venv-official, created if needed)")
    parser.add_argument("--floor-in", choices=("official", "ours"), default="official",
                        help="environment that runs the azure-core floors (same azure-core version in both)")
    parser.add_argument("--no-wheel", action="store_true",
                        help="skip the regular-install copy of this package (.venv-bench) in the fresh-process figures")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--list", action="store_true", help="print the figure keys and exit")
    parser.add_argument("--render", type=Path, default=None, metavar="JSON",
                        help="measure nothing: redo the table and chart of a saved results JSON (same base name)")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = 2 if args.quick else 5
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    keys = [key.strip() for key in args.figures.split(",") if key.strip()]
    unknown = [key for key in keys if key not in BY_KEY]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(BY_KEY)}")
    args.keys = keys or list(BY_KEY)
    if args.output is None:
        args.output = "latest" if not keys and not args.quick and args.target == "fake" else "subset"
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    if args.list:
        for figure in FIGURES:
            print(f"{figure.key:<14} {figure.title}")
        return 0
    if args.render:
        write_results(json.loads(args.render.read_text()), args.render.with_suffix(""), chart_too=not args.no_chart)
        return 0
    official_python = _official_python(args)
    figures = [BY_KEY[key] for key in args.keys]
    wheel_python: Optional[str] = None
    if not args.no_wheel and any(figure.kind in ("process", "import", "rss") for figure in figures):
        from _wheel_venv import wheel_python as build_wheel_venv

        print("installing the working tree into .venv-bench (regular install) ...", flush=True)
        wheel_python = str(build_wheel_venv())
    versions = {"ours": _versions(args.ours_python), "official": _versions(official_python)}
    if wheel_python:
        versions["wheel"] = _versions(wheel_python)
    load_before = os.getloadavg()
    started = time.time()
    print(f"benchmark: {len(figures)} figure(s), {args.rounds} round(s), target {args.target}; "
          f"ours {args.ours_python}, official {official_python}", flush=True)
    server = fake_hsm(args.ours_python) if args.target == "fake" else emulator(args.ours_python)
    with server as target:
        bench = Bench(args, args.ours_python, official_python, wheel_python, target)
        for figure in figures:
            if args.target == "emulator" and not figure.on_emulator:
                print(f"- {figure.key}: skipped on the emulator (needs the fake HSM)", flush=True)
                continue
            print(f"- {figure.key}: {figure.title}", flush=True)
            if figure.kind == "emulator":
                bench.run_emulator(figure)
            else:
                bench.run_figure(figure)
    load_after = os.getloadavg()
    command = " ".join(["benchmarks/bench.py", *(argv if argv is not None else sys.argv[1:])])
    data = {
        "when": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": {"cpus": os.cpu_count(), "arch": platform.machine()},
        "seconds": round(time.time() - started),
        "command": command,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "versions": versions, "load_average": {"before": load_before, "after": load_after},
        "target": {"name": target.name, "vault_url": target.vault_url},
        "raw": bench.raw, "warnings": bench.warnings,
    }
    write_results(data, args.output_dir / args.output, chart_too=not args.no_chart)
    return 0


def header_lines(data: dict[str, Any]) -> list[str]:
    """The lines above the table: when, where, versions, how to read it, the command."""
    args, versions, load = data["args"], data["versions"], data["load_average"]
    machine = data.get("machine", {"cpus": os.cpu_count(), "arch": platform.machine()})
    seconds = f"; {data['seconds']} s" if "seconds" in data else ""
    command = data.get("command") or "benchmarks/bench.py " + f"--rounds {args['rounds']}"
    return [
        f"Measured {data['when']} on {machine['cpus']} cores ({machine['arch']}, Python "
        f"{versions['ours']['python']}), target: {data['target']['name']}, {args['rounds']} interleaved rounds per "
        f"figure{' (quick)' if args.get('quick') else ''}; load average {load['before'][0]:.2f} before, "
        f"{load['after'][0]:.2f} after{seconds}.",
        f"ours: azure-keyvault-administration {versions['ours']['azure-keyvault-administration']} (this repository) "
        f"· official: {versions['official']['azure-keyvault-administration']} · azure-core "
        f"{versions['ours']['azure-core']} / {versions['official']['azure-core']} · requests "
        f"{versions['ours']['requests']} · aiohttp {versions['ours']['aiohttp']}.",
        "Ratio = ours / official per round (below 1.0 is faster or smaller); median of the rounds [min..max]. "
        "Times are per call (the async ones: wall time / calls with 64 tasks), per listing or per operation. "
        "Client CPU ratio: the worker process's CPU time per operation (all threads), ours / official: the "
        "package's own cost without the waits for the server and the scheduler, which add the same to both sides "
        "and pull wall-time ratios towards 1 (steadier on a busy machine).",
        f"Command: `{command}`",
    ]


def write_results(data: dict[str, Any], base: Path, *, chart_too: bool = True) -> None:
    """Print the table and write ``base``.md, .json (with the summary) and .png."""
    rows = build_rows(data["raw"], data["target"]["name"])
    table = markdown(rows, header_lines(data))
    for warning in data.get("warnings", []):
        table += f"\nWARNING: {warning}\n"
    print()
    print(table)
    base.parent.mkdir(parents=True, exist_ok=True)
    base.with_suffix(".md").write_text(table)
    data["summary"] = [row.summary() for row in rows]
    base.with_suffix(".json").write_text(json.dumps(data, indent=1))
    print(f"wrote {base.with_suffix('.md')} and {base.with_suffix('.json')}")
    if chart_too:
        title = f"azure-keyvault-administration vs official 4.7.2 ({data['when']})"
        problem = chart(rows, base.with_suffix(".png"), title)
        print(problem or f"wrote {base.with_suffix('.png')}")


if __name__ == "__main__":
    sys.exit(main())
