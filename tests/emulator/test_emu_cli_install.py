"""The emulator as a user installs it: ``pip install <repo>/emulator`` (not editable) into a fresh virtual environment
outside the repository gives the ``mhsm-emulator`` command with its metadata, ``py.typed`` (a user's test passes
``mypy --strict``), and an Azurite runner that finds Azurite in the user's own project (``node_modules/.bin``).

One test (it builds a venv: ~20-60 s). pip runs with the machine's own configuration (package index and cache);
nothing else is fetched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from cli_process import cli, wait_gone

REPO = Path(__file__).resolve().parents[2]
REPO_AZURITE = REPO / "node_modules" / ".bin" / "azurite-blob"

_METADATA = """
import json, importlib.metadata as m, pathlib, mhsm_emulator
d = m.distribution("mhsm-emulator")
print(json.dumps({
    "file": mhsm_emulator.__file__,
    "author": d.metadata["Author"], "license": d.metadata["License"], "summary": d.metadata["Summary"],
    "requires_python": d.metadata["Requires-Python"], "requires": d.requires,
    "description": d.metadata.get_payload() or d.metadata["Description"],
    "url": d.metadata["Home-page"], "classifiers": d.metadata.get_all("Classifier"),
    "scripts": [e.name for e in d.entry_points if e.group == "console_scripts"],
    "files": [str(f) for f in d.files or []],
}))
"""


_USER_TEST = """
from mhsm_emulator import RunningEmulator, StartupError, run_emulator


def test_vault_url() -> None:
    try:
        with run_emulator(database=":memory:") as emulator:
            running: RunningEmulator = emulator
            url: str = running.vault_url
            assert url.startswith("https://")
    except StartupError as exc:
        raise AssertionError(str(exc)) from exc
"""


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload,no-any-return]


def test_standalone_install_outside_the_repository(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    python, command = venv / "bin" / "python", venv / "bin" / "mhsm-emulator"
    installed = _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                      str(REPO / "emulator")], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    # The command, its version and help.
    version = _run([str(command), "--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("mhsm-emulator ")
    shown = _run([str(command), "--help"], cwd=tmp_path)
    assert shown.returncode == 0 and "--with-azurite" in shown.stdout and "(default: 20.0)" in shown.stdout

    # A real copy (not the repository's files), typed, with full metadata and the license.
    facts = json.loads(_run([str(python), "-c", _METADATA], cwd=tmp_path).stdout)
    package = Path(facts["file"]).parent
    assert package.is_relative_to(venv) and not package.is_relative_to(REPO)
    assert (package / "py.typed").is_file() and (package / "_azurite_watch.js").is_file()
    assert facts["author"] == "azure-keyvault-administration clone contributors" and facts["license"] == "MIT"
    assert facts["requires_python"] == ">=3.10" and facts["url"]
    assert any(requirement.startswith("aiohttp") for requirement in facts["requires"])
    assert facts["description"].startswith("# Local Managed HSM emulator")
    assert "Typing :: Typed" in facts["classifiers"]
    assert facts["scripts"] == ["mhsm-emulator"]
    assert any(Path(name).name == "LICENSE" for name in facts["files"])

    # A user's test type-checks against the installed package (py.typed): mypy --strict, the user's own folder.
    user_test = tmp_path / "user-project" / "test_hsm.py"
    user_test.parent.mkdir()
    user_test.write_text(_USER_TEST)
    checked = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(python),
                    str(user_test)], cwd=user_test.parent)
    assert checked.returncode == 0, checked.stdout

    # The installed emulator runs (and stops on SIGTERM).
    with cli([str(command), "--database", ":memory:"], cwd=tmp_path) as emulator:
        record = json.loads(emulator.stdout.next())
        assert record["vault_url"].startswith("https://127.0.0.1:")
        emulator.signal(signal.SIGTERM)
        assert emulator.wait() == 0

    # Azurite where a user's `npm install azurite` puts it: node_modules/.bin of the project (here a parent folder).
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for Azurite"
    env = {key: value for key, value in os.environ.items() if key not in ("AZURITE_BLOB", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), str(Path(node).parent), "/usr/bin", "/bin"])
    elsewhere = tmp_path / "no-azurite-here"
    elsewhere.mkdir()
    if shutil.which("azurite-blob", path=env["PATH"]) is None:  # else PATH would (rightly) find it
        missing = _run([str(python), "-m", "mhsm_emulator.azurite"], cwd=elsewhere, env=env)
        assert missing.returncode == 2 and "npm install azurite@3.35.0" in missing.stderr, missing.stderr
    project = tmp_path / "project"
    (project / "node_modules" / ".bin").mkdir(parents=True)
    (project / "node_modules" / ".bin" / "azurite-blob").symlink_to(REPO_AZURITE)
    (project / "tests").mkdir()
    with cli([str(python), "-m", "mhsm_emulator.azurite", "--location", str(tmp_path / "blobs")],
             cwd=project / "tests", env=env) as runner:
        heading = runner.stdout.next()
        assert heading.startswith("Azurite blob service: http://127.0.0.1:"), runner.stderr.rest()
        (node_pid,) = [int(part) for part in Path(f"/proc/{runner.pid}/task/{runner.pid}/children").read_text().split()]
        started = Path(f"/proc/{node_pid}/cmdline").read_bytes().split(b"\0")
        assert str(project / "node_modules" / ".bin" / "azurite-blob").encode() in started
        runner.signal(signal.SIGINT)
        assert runner.wait() == 0
        assert wait_gone(node_pid)
