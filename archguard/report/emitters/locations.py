"""Paths for the CI formats (SARIF, GitHub, GitLab).

GitHub and GitLab resolve a reported path against the repository root and ignore any other
base. CI runs archguard from the repository root, so when the project root lies inside the
working directory the CI formats report paths relative to the working directory (for a
backend in a ``backend/`` subfolder: ``backend/cpv3/...``); otherwise relative to the
project root, as every other format does.
"""

from __future__ import annotations

from pathlib import Path


def ci_base(root: Path) -> tuple[Path, str]:
    """(the folder CI paths are relative to, the project root's prefix inside it)."""
    cwd, resolved = Path.cwd().resolve(), root.resolve()
    try:
        prefix = resolved.relative_to(cwd).as_posix()
    except ValueError:
        return resolved, ""
    return cwd, "" if prefix == "." else prefix + "/"


def ci_path(root: Path, path: str) -> str:
    return ci_base(root)[1] + path
