"""The Makefile's plumbing: tools checked up front with one line, quiet setup, and what `make clean` removes.

The checks and `clean` run on a copy of the Makefile in a scratch folder (so nothing here can touch this checkout's
.venv or node_modules); the quiet-setup test builds a scratch virtual environment with the real recipe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _project(tmp_path: Path) -> Path:
    """A folder with this Makefile and the files its targets depend on (empty stand-ins)."""
    project = tmp_path / "clone"
    (project / "emulator").mkdir(parents=True)
    shutil.copy(REPO / "Makefile", project / "Makefile")
    for name in ("setup.py", "dev_requirements.txt", "emulator/setup.py", "package.json", "package-lock.json"):
        (project / name).write_text("")
    return project


def _make(project: Path, *args: str, path: str, python: str | None = None) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None
    command = [MAKE, "-s", "-C", str(project), *args]
    if python is not None:
        command.append(f"PYTHON={python}")
    # Not the outer make's flags when `make test` runs this (-n, -j's jobserver, -k...): each run stands alone.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env["PATH"] = path
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def _bin(tmp_path: Path, *tools: str) -> str:
    """A PATH folder holding only the named tools (links to the real ones)."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for tool in tools:
        real = shutil.which(tool)
        assert real is not None, tool
        (folder / tool).symlink_to(real)
    return str(folder)


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2 and result.stdout == "", (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("target", ["demo", "test", "setup", "pytest"])
def test_a_missing_node_is_one_line_before_any_install(tmp_path: Path, target: str) -> None:
    project = _project(tmp_path)
    line = _one_line(_make(project, target, path=_bin(tmp_path), python=sys.executable))
    assert "Node.js (node not found) is needed for Azurite" in line and "https://nodejs.org" in line
    assert sorted(p.name for p in project.iterdir()) == sorted(  # nothing was installed or created
        ["Makefile", "setup.py", "dev_requirements.txt", "emulator", "package.json", "package-lock.json"])


def test_a_missing_npm_is_named(tmp_path: Path) -> None:
    line = _one_line(_make(_project(tmp_path), "demo", path=_bin(tmp_path, "node"), python=sys.executable))
    assert line.endswith("npm (not found) is needed to install Azurite: install it (it comes with Node.js), then run "
                         "make again.  Stop.")


def test_a_missing_or_old_python_is_named(tmp_path: Path) -> None:
    project = _project(tmp_path)
    path = _bin(tmp_path, "node", "npm")
    line = _one_line(_make(project, "demo", path=path, python="no-such-python3"))
    assert "Python 3.11+ (no-such-python3 not found) is needed for .venv" in line
    old = tmp_path / "old-python"
    old.write_text("#!/bin/sh\necho 'Python 3.9.2'\nexit 0\n")
    old.chmod(0o755)
    line = _one_line(_make(project, "demo", path=path, python=str(old)))
    assert f"Python 3.11 or later ({old} is Python 3.9.2) is needed" in line and "make PYTHON=python3.11" in line


def test_with_every_tool_the_check_passes_silently(tmp_path: Path) -> None:
    result = _make(_project(tmp_path), "check-tools", path=_bin(tmp_path, "node", "npm"), python=sys.executable)
    assert result.returncode == 0 and result.stderr == ""


def test_setup_commands_are_quiet(tmp_path: Path) -> None:
    result = _make(_project(tmp_path), "-n", "-B", "setup", path=os.environ["PATH"], python=sys.executable)
    assert result.returncode == 0, result.stderr
    assert "npm ci --no-audit --no-fund --loglevel=error --no-update-notifier" in result.stdout
    pip_lines = [line for line in result.stdout.splitlines() if " -m pip install " in line]
    assert len(pip_lines) == 2
    for line in pip_lines:
        assert line.startswith('PYTHONWARNINGS="ignore:Editable installation" ')
        assert "--quiet --disable-pip-version-check" in line


def test_setup_prints_no_editable_install_notice(tmp_path: Path) -> None:
    """The real recipe, into a scratch venv: no setuptools "Editable installation" notice, no pip notice."""
    venv = tmp_path / "venv"
    result = _make(REPO, f"VENV={venv}", f"{venv}/.installed", path=os.environ["PATH"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    for noise in ("Editable installation", "BuildBackendWarning", "precedence during imports", "[notice]"):
        assert noise not in output, noise
    check = subprocess.run([str(venv / "bin" / "python"), "-c", "import mhsm_emulator.pytest_plugin, "
                            "azure.keyvault.administration"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr


def test_clean_returns_to_a_fresh_clone(tmp_path: Path) -> None:
    project = _project(tmp_path)
    removed = [".venv", ".venv-official", ".venv-official-48", ".venv-bench", "node_modules",
               "azure_keyvault_administration.egg-info", "emulator/mhsm_emulator.egg-info", "build", "emulator/build",
               "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache", "azure/__pycache__", "tests/emulator/__pycache__"]
    kept = [".emulator-data/state.sqlite3", ".azurite-data/__blobstorage__", "benchmarks/results/run.json",
            "tests/emulator/test_x.py", "azure/module.py", "node_modules_notes.txt"]
    for name in removed:
        (project / name).mkdir(parents=True)
        (project / name / "file").write_text("generated")
    for name in kept:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("keep")
    result = _make(project, "clean", path=os.environ["PATH"])
    assert result.returncode == 0, result.stderr
    assert [name for name in removed if (project / name).exists()] == []
    assert [name for name in kept if not (project / name).is_file()] == []
    assert (project / "Makefile").exists() and (project / "emulator" / "setup.py").exists()
