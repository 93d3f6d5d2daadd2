"""Profile one benchmark figure with cProfile (or ``-X importtime``) and print where the time goes.

The measured part of the figure runs exactly as ``bench.py`` runs it (same worker, same fake HSM), under cProfile;
the stats are saved to ``benchmarks/results/profiles/<figure>-<side>.pstats`` (git-ignored) for ``snakeviz`` or
``python -m pstats``, and the top functions are printed.

    .venv/bin/python benchmarks/profile_figure.py sync_get                   # our package, by cumulative time
    .venv/bin/python benchmarks/profile_figure.py list --side official --sort tottime --top 30
    .venv/bin/python benchmarks/profile_figure.py sync_get --filter administration   # only lines matching
    .venv/bin/python benchmarks/profile_figure.py cold_start                 # the whole fresh process
    .venv/bin/python benchmarks/profile_figure.py import --importtime        # -X importtime, by package
    .venv/bin/python benchmarks/profile_figure.py emulator --seconds 5       # the emulator process under load
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _servers import emulator, fake_hsm  # noqa: E402
from bench import BY_KEY, COLD, EMULATOR_GET, LOAD, WORKER, _official_python  # noqa: E402

PROFILES = HERE / "results" / "profiles"


def _env(ca_file: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8", "SSL_CERT_FILE": ca_file, "REQUESTS_CA_BUNDLE": ca_file}


def _short(filename: str) -> str:
    filename = re.sub(r"^.*?/site-packages/", "", filename)
    filename = re.sub(r"^.*?/lib/python3\.\d+/", "", filename)
    return filename.replace(str(HERE.parent) + "/", "")


def print_per_op(path: Path, operations: int, sort: str, top: int, pattern: str | None) -> None:
    """The profile as microseconds and calls per operation (cumulative, own time), which compare across runs."""
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.items():
        name = f"{_short(filename)}:{line}({function})" if line else function
        if pattern and not re.search(pattern, name):
            continue
        rows.append((cumulative, own, calls, name))
    index = 1 if sort == "tottime" else 0
    rows.sort(key=lambda row: -row[index])
    print(f"{'cum µs/op':>10} {'own µs/op':>10} {'calls/op':>9}  function   ({operations} operations)")
    for cumulative, own, calls, name in rows[:top]:
        print(f"{cumulative / operations * 1e6:10.1f} {own / operations * 1e6:10.1f} {calls / operations:9.2f}  {name}")


def print_stats(path: Path, sort: str, top: int, pattern: str | None) -> None:
    stream = io.StringIO()
    stats = pstats.Stats(str(path), stream=stream)
    stats.sort_stats(sort)
    if pattern:
        stats.print_stats(pattern, top)
    else:
        stats.print_stats(top)
    text = stream.getvalue()
    # Shorten site-packages paths so the lines stay readable.
    text = re.sub(r"/\S*?/site-packages/", "", text)
    text = text.replace(str(HERE.parent) + "/", "")
    print(text)


def importtime(
    python: str, top: int, arguments: tuple[str, ...] = ("import",), env: dict[str, str] | None = None
) -> None:
    """Run a fresh-process figure under ``-X importtime``; print the slowest modules and the cost per package."""
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run([python, "-X", "importtime", str(COLD), *arguments], capture_output=True, text=True,
                                cwd=cwd, env=env or {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, check=True)
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if match:
            rows.append((int(match[1]), int(match[2]), len(match[3]) // 2, match[4]))
    if arguments[0] == "import":
        print(f"import measured in-process: {result.stdout.strip()} ms")
    print(f"modules imported: {len(rows)}; self time in total: {sum(row[0] for row in rows) / 1000:.1f} ms")
    by_package: dict[str, int] = defaultdict(int)
    for self_us, _, _, module in rows:
        parts = module.split(".")
        key = ".".join(parts[:3]) if parts[0] == "azure" else parts[0]
        by_package[key] += self_us
    print("\nself time by top-level package (ms):")
    for key, micros in sorted(by_package.items(), key=lambda item: -item[1])[:top]:
        print(f"  {micros / 1000:8.1f}  {key}")
    print("\nslowest modules by cumulative time (ms):")
    for self_us, cumulative, depth, module in sorted(rows, key=lambda row: -row[1])[:top]:
        print(f"  {cumulative / 1000:8.1f} cum {self_us / 1000:7.1f} self  {'  ' * depth}{module}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figure", choices=sorted(BY_KEY))
    parser.add_argument("--side", choices=("ours", "official", "floor", "wheel"), default="ours")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime, ncalls)")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--filter", default=None, help="regular expression the printed lines must match")
    parser.add_argument("--importtime", action="store_true",
                        help="cold_start, import, rss: a -X importtime breakdown instead of cProfile")
    parser.add_argument("--seconds", type=float, default=4.0, help="emulator figure: seconds of load")
    parser.add_argument("--quick", action="store_true", help="the figure's quick parameters")
    parser.add_argument("--raw", action="store_true", help="pstats' own listing instead of µs per operation")
    args = parser.parse_args()

    figure = BY_KEY[args.figure]
    if args.side == "official" or args.side == "floor":
        python = _official_python(argparse.Namespace(official_python=None))
    elif args.side == "wheel":
        from _wheel_venv import wheel_python

        python = str(wheel_python())
    else:
        python = sys.executable
    PROFILES.mkdir(parents=True, exist_ok=True)
    output = PROFILES / f"{figure.key}-{args.side}.pstats"

    if figure.kind == "import" and args.importtime:
        importtime(python, args.top)
        return
    if figure.kind == "emulator":
        profile_emulator(figure.params, output, args)
        print_stats(output, args.sort, args.top, args.filter)
        return
    with fake_hsm() as target, tempfile.TemporaryDirectory() as cwd:
        env = _env(target.ca_file)
        if figure.kind == "worker":
            params: dict[str, Any] = dict(figure.quick if args.quick else figure.params)
            spec = {"figure": figure.key, "side": args.side, "vault_url": target.vault_url,
                    "ca_file": target.ca_file, "token": target.token, "stats": True, "params": params,
                    "profile": str(output)}
            result = subprocess.run([python, str(WORKER), json.dumps(spec)], capture_output=True, text=True,
                                    cwd=cwd, env=env, timeout=900)
            if result.returncode:
                raise SystemExit(result.stderr)
            measured = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{figure.key} ({args.side}) under cProfile: {measured['value']:.3f} {figure.unit} "
                  f"(profiling inflates this); requests per op {measured.get('requests_per_op')}\n")
            if not args.raw:
                operations = int(params.get("calls") or 1)
                if "concurrency" in params:
                    operations = max(1, operations // params["concurrency"]) * params["concurrency"]
                print_per_op(output, operations, args.sort, args.top, args.filter)
                return
        elif args.importtime:
            mode = {"process": "cold", "rss": "rss"}[figure.kind]
            importtime(python, args.top, (mode, target.vault_url, target.token), env)
            return
        else:
            mode = {"process": "cold", "import": "import", "rss": "rss"}[figure.kind]
            subprocess.run([python, "-m", "cProfile", "-o", str(output), str(COLD), mode, target.vault_url,
                            target.token], check=True, cwd=cwd, env=env, timeout=300, stdout=subprocess.DEVNULL)
        print_stats(output, args.sort, args.top, args.filter)


def profile_emulator(params: dict[str, Any], output: Path, args: argparse.Namespace) -> None:
    """Run the emulator under cProfile while the load generator hammers it, then stop it (stats are dumped)."""
    extra = ["-m", "cProfile", "-o", str(output)]
    # The emulator is started by _servers.emulator with "python -m mhsm_emulator"; wrap the interpreter instead.
    wrapper = Path(tempfile.mkdtemp()) / "python-cprofile"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {' '.join(extra)} \"$@\"\n")
    wrapper.chmod(0o755)
    with emulator(str(wrapper)) as emu:
        spec = {"vault_url": emu.vault_url, "ca_file": emu.ca_file, "token": emu.token, "path": EMULATOR_GET,
                **params, "seconds": args.seconds}
        result = subprocess.run([sys.executable, str(LOAD), json.dumps(spec)], capture_output=True, text=True,
                                check=True, timeout=300)
        print("load:", result.stdout.strip(), "(the emulator runs under cProfile: slower than in the figure)\n")


if __name__ == "__main__":
    main()
