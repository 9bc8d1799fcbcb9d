"""``check --since REV``: report findings only in files changed since a git revision.

Changed means committed since REV, staged, unstaged, or untracked and not ignored. The
project pass still sees the whole package (cross-file rules need it); only what is reported
is narrowed, by intersecting this filter with the PATH filter. A folder finding (a missing
module file, a folder that is not a configured module) counts as changed only when a file
was added, removed or renamed in that folder: editing a file does not make the folder's
old findings new.

git runs with a safe environment: no repository-local fsmonitor or hooks (a cloned
repository's config must not run programs), no pager, no prompt, no optional locks.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from archguard.diagnostics import ArchguardError

SAFE_OPTIONS = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
                "-c", "core.untrackedCache=false", "--no-pager")
SAFE_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat",
            "PAGER": "cat"}


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *SAFE_OPTIONS, "-C", str(root), *args],
                              capture_output=True, check=False, stdin=subprocess.DEVNULL,
                              env={**os.environ, **SAFE_ENV})
    except FileNotFoundError:
        raise ArchguardError("--since needs git, which was not found on PATH") from None


def _message(done: subprocess.CompletedProcess[bytes]) -> str:
    """git's own error line (``fatal: detected dubious ownership ...``)."""
    lines = [line.strip() for line in done.stderr.decode(errors="replace").splitlines()
             if line.strip() and not line.startswith(("hint:", "\t"))]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return " ".join((fatal or lines or ["no error message"])[0].split())[:300]


def _entries(root: Path, *args: str) -> list[str]:
    done = _git(root, *args)
    if done.returncode != 0:
        raise ArchguardError(f"git {args[0]} failed: {_message(done)}")
    return [name for name in done.stdout.decode(errors="surrogateescape").split("\0") if name]


def _statuses(root: Path, *args: str) -> dict[str, str]:
    """path -> status letter from ``git diff --name-status -z`` (renames as D + A)."""
    entries = _entries(root, "diff", "--name-status", "-z", "--no-renames", "--relative",
                       *args)
    return {path: status[:1] for status, path in zip(entries[::2], entries[1::2])}


def changes(root: Path, revision: str) -> dict[str, str]:
    """Paths relative to ``root`` (which may lie below the git toplevel) changed since REV,
    with their status: A added, D deleted, M (or another letter) modified."""
    root = root.resolve()
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        message = _message(inside)
        if "not a git repository" in message:
            raise ArchguardError(f"--since needs a git repository: {root} is not inside one")
        raise ArchguardError(f"--since: git cannot read {root}: {message}")
    verify = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                  f"{revision}^{{commit}}")
    if verify.returncode != 0:
        detail = f" ({_message(verify)})" if verify.stderr.strip() else ""
        raise ArchguardError(f"--since: unknown git revision '{revision}'{detail}")
    found = _statuses(root, "--end-of-options", revision, "--")
    for path, status in _statuses(root, "--cached", "--").items():
        found[path] = status if found.get(path, "M") == "M" else found[path]
    for path in _entries(root, "ls-files", "-z", "--others", "--exclude-standard"):
        found[path] = "A"
    return found


def changed_files(root: Path, revision: str) -> set[str]:
    return set(changes(root, revision))


def changed_filter(root: Path, revision: str) -> Callable[[str], bool]:
    found = changes(root, revision)
    folders = {"/".join(parts[:i]) for parts in (p.split("/") for p, status in found.items()
                                                   if status in ("A", "D"))
               for i in range(1, len(parts))}
    return lambda path: path in found or path.rstrip("/") in folders


def intersect(first: Callable[[str], bool], second: Callable[[str], bool],
              ) -> Callable[[str], bool]:
    return lambda path: first(path) and second(path)
