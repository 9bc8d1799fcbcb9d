"""Which semgrep archguard runs, and its version, without starting it (cheap: warm runs ask)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from archguard.diagnostics import ArchguardError

EXECUTABLE = "semgrep"
UNKNOWN_EXECUTABLE = ("semgrep not found (looked next to {python} and on PATH): install it "
                      "('pip install semgrep'), or run with --no-semgrep / set "
                      "'semgrep = false'")


def find_semgrep() -> str:
    """The semgrep next to this Python (the same virtualenv) first, then on PATH."""
    name = EXECUTABLE + (".exe" if os.name == "nt" else "")
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(EXECUTABLE)
    if found is None:
        raise ArchguardError(UNKNOWN_EXECUTABLE.format(python=Path(sys.executable).parent))
    return found


def semgrep_version() -> str:
    """The installed semgrep's version, without starting it (cache keys)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("semgrep")
    except PackageNotFoundError:  # a semgrep from elsewhere (Homebrew, a container)
        executable = Path(find_semgrep())
        st = executable.stat()
        return f"{executable}:{st.st_size}:{st.st_mtime_ns}"
