"""Issue 11: the README's patterns type-check under ``mypy --strict`` in a user's project.

``data/readme_patterns.py`` and ``data/readme_patterns_async.py`` are user code written the way the README shows it
(resuming a backup, restore or pre-check from a continuation token; narrowing the models' Optional attributes before
passing them on). ``data/wrong_calls.py`` holds calls mypy must refuse, so the run is known to read this package's
annotations rather than treat it as untyped. The package is found through ``MYPYPATH`` (an editable install's
import hook is invisible to mypy) with ``--follow-imports=silent``, which reports only the user's files, as for an
installed package with ``py.typed``.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
USER_FILES = ["readme_patterns.py", "readme_patterns_async.py"]
#: (line, error code, a fragment of the message) of every error wrong_calls.py must get, and no other.
EXPECTED_ERRORS = {
    (7, "call-overload", 'No overload variant of "begin_backup"'),
    (8, "call-overload", 'No overload variant of "begin_restore"'),
    (10, "arg-type", '"str | None"; expected "str | UUID"'),
}
ERROR = re.compile(r"^(?P<file>[\w.]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[\w-]+)\]$")


def test_readme_patterns_pass_mypy_strict_and_wrong_calls_do_not(tmp_path: Path) -> None:
    for name in [*USER_FILES, "wrong_calls.py"]:
        shutil.copy(DATA / name, tmp_path / name)
    environment = {**os.environ, "MYPYPATH": str(REPOSITORY)}
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
               "--cache-dir", str(tmp_path / ".mypy_cache"), *USER_FILES, "wrong_calls.py"]
    run = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600)

    errors = [match for line in run.stdout.splitlines() if (match := ERROR.match(line))]
    assert run.returncode == 1, run.stdout + run.stderr
    assert [e.group(0) for e in errors if e["file"] != "wrong_calls.py"] == []
    found = {(int(e["line"]), e["code"], e["message"]) for e in errors}
    assert len(found) == len(EXPECTED_ERRORS), run.stdout
    for line, code, fragment in EXPECTED_ERRORS:
        assert any((n, c) == (line, code) and fragment in message for n, c, message in found), (line, run.stdout)
