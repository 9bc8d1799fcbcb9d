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
    found = _dist_info_version("semgrep")
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("semgrep")
    except PackageNotFoundError:  # a semgrep from elsewhere (Homebrew, a container)
        executable = Path(find_semgrep())
        st = executable.stat()
        return f"{executable}:{st.st_size}:{st.st_mtime_ns}"


def _dist_info_version(name: str) -> str | None:
    """``<name>-<version>.dist-info`` beside the importable package, found without importing
    ``importlib.metadata`` (its imports were a tenth of a warm run)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    site = Path(spec.origin).parent.parent
    found = sorted(site.glob(f"{name}-*.dist-info"))
    if len(found) != 1:  # none, or leftovers of an upgrade: let importlib.metadata decide
        return None
    return found[0].name[len(name) + 1:-len(".dist-info")]
