"""Environment variables as shell text: ``export`` lines for ``eval``/``source``, and files holding them.

Values are quoted with :func:`shlex.quote`, so a SAS token (``se=...&sp=...&sig=...``) or a connection string
(``;`` and ``=``) survives ``eval "$(...)"`` and ``. file`` unchanged.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path


def assignment_lines(env: Mapping[str, str]) -> str:
    """``NAME=value`` lines (values shell-quoted), one per variable."""
    return "".join(f"{name}={shlex.quote(value)}\n" for name, value in env.items())


def export_lines(env: Mapping[str, str]) -> str:
    """``export NAME=value`` lines (values shell-quoted), one per variable."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def write_env_file(path: Path, env: Mapping[str, str]) -> None:
    """Write :func:`export_lines` to ``path`` atomically (readers never see half a file), mode 0600.

    The file appears complete or not at all, so a script may wait for it to exist and then ``source`` it; 0600
    because it holds the identity endpoint's secret.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(export_lines(env))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def detach_stdout() -> None:
    """Flush stdout and point file descriptor 1 at ``/dev/null``.

    A command substitution (``$(...)``) ends when the command's stdout closes, so a server that printed its
    exports and detached its stdout lets ``eval "$(server --format shell &)"`` return while it keeps serving.
    """
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
    finally:
        os.close(devnull)
