"""``check --since REV``: report findings only in files changed since a git revision.

Changed means committed since REV, staged, unstaged, or untracked and not ignored. The
project pass still sees the whole package (cross-file rules need it); only what is reported
is narrowed, by intersecting this filter with the PATH filter. A folder finding (a missing
module file) counts as changed when anything under the folder changed, deletions included.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from archguard.diagnostics import ArchguardError


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              check=False)
    except FileNotFoundError:
        raise ArchguardError("--since needs git, which was not found on PATH") from None


def _names(root: Path, *args: str) -> set[str]:
    done = _git(root, *args)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ArchguardError(f"git {args[0]} failed: {message[-1] if message else 'error'}")
    return {name for name in done.stdout.decode(errors="surrogateescape").split("\0") if name}


def changed_files(root: Path, revision: str) -> set[str]:
    """Paths relative to ``root`` (which may lie below the git toplevel) changed since REV."""
    root = root.resolve()
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise ArchguardError(f"--since needs a git repository: {root} is not inside one")
    verify = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                  f"{revision}^{{commit}}")
    if verify.returncode != 0:
        raise ArchguardError(f"--since: unknown git revision '{revision}'")
    diff = ("diff", "--name-only", "-z", "--no-renames", "--relative")
    return (_names(root, *diff, "--end-of-options", revision, "--")
            | _names(root, *diff, "--cached", "--")
            | _names(root, "ls-files", "-z", "--others", "--exclude-standard"))


def changed_filter(root: Path, revision: str) -> Callable[[str], bool]:
    changed = changed_files(root, revision)
    folders = {"/".join(parts[:i]) for parts in (p.split("/") for p in changed)
               for i in range(1, len(parts))}
    return lambda path: path in changed or path.rstrip("/") in folders


def intersect(first: Callable[[str], bool], second: Callable[[str], bool],
              ) -> Callable[[str], bool]:
    return lambda path: first(path) and second(path)
