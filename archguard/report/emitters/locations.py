"""Paths as each format prints them (a diagnostic's own path is relative to the project root).

- Text formats (full, concise, github): relative to the current directory, as ruff does, so
  a terminal, an editor and a GitHub Actions log (run from the repository root) open them;
  a file outside the current directory is printed as an absolute path.
- SARIF and GitLab: relative to the git repository root holding the project, when there is
  one (GitHub code scanning and GitLab resolve paths against it), else the project root.
- JSON keeps project-root paths and names the root; JUnit uses ``ci_base`` below.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def display_path(root: Path, path: str) -> str:
    """``path`` (relative to ``root``) relative to the current directory."""
    return _display(str(root), path, os.getcwd())


@lru_cache(maxsize=4096)
def _display(root: str, path: str, cwd: str) -> str:
    full = Path(root).resolve() / path
    try:
        return full.relative_to(Path(cwd).resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def repository_base(root: Path) -> tuple[Path, str]:
    """(the git repository root holding ``root``, or ``root`` itself; the project root's
    prefix inside it, "" or ending with "/")."""
    resolved = root.resolve()
    for folder in (resolved, *resolved.parents):
        if (folder / ".git").exists():  # a folder, or a file in a worktree or submodule
            prefix = resolved.relative_to(folder).as_posix()
            return folder, "" if prefix == "." else prefix + "/"
    return resolved, ""


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
