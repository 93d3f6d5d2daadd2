"""A scratch virtual environment with THIS package installed as a user gets it (a regular, non-editable install).

The repository's ``.venv`` holds the package as an *editable* install: setuptools' ``__editable__`` path finder is
imported by ``site`` at every interpreter start (it pulls in ``pathlib``, ``re``, ``fnmatch`` ...) and sits on
``sys.meta_path`` for every import. That costs tens of milliseconds of start-up and some import time that no user
of a wheel pays, so the fresh-process figures (cold start, import, RSS) are fairer against ``.venv-bench``:

* created once at ``<repo>/.venv-bench`` (git-ignored) with the runtime pins of ``dev_requirements.txt``;
* the package is re-installed from a copy of the working tree on every call (``--no-deps --no-build-isolation``),
  so the figures are always those of the current code; nothing is written into the repository tree.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / ".venv-bench"
STAMP = VENV / ".requirements-stamp"
#: The package's runtime requirements at the versions the repository's .venv pins (dev_requirements.txt).
RUNTIME = ("azure-core==1.41.0", "msrest==0.7.1", "requests==2.34.2", "aiohttp==3.14.5", "isodate", "typing-extensions",
           "wheel")  # wheel: to build the package without build isolation


def wheel_python() -> Path:
    """The scratch interpreter, with the current working tree's package installed (non-editable)."""
    python = VENV / "bin" / "python"
    stamp_text = "\n".join(RUNTIME) + "\n"
    lock_path = Path(tempfile.gettempdir()) / "mhsm-venv-bench.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (STAMP.exists() and STAMP.read_text() == stamp_text and python.exists()):
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, timeout=300)
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *RUNTIME],
                check=True, timeout=900,
            )
            STAMP.write_text(stamp_text)
        with tempfile.TemporaryDirectory(prefix="mhsm-bench-src-") as folder:
            source = Path(folder)
            shutil.copy2(REPO / "setup.py", source / "setup.py")
            shutil.copy2(REPO / "README.md", source / "README.md")
            for parent in ("azure", "azure/keyvault"):  # namespace parents: needed by find_packages, not installed
                (source / parent).mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / parent / "__init__.py", source / parent / "__init__.py")
            shutil.copytree(
                REPO / "azure" / "keyvault" / "administration",
                source / "azure" / "keyvault" / "administration",
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                 "--no-build-isolation", "--force-reinstall", str(source)],
                check=True, timeout=600, capture_output=True,
            )
    return python
