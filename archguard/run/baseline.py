"""``archguard baseline``: run the check and record (or prune) its findings.

A baseline always covers the whole project and is written at the project root (the
configured ``baseline`` file, else ``.archguard-baseline.json``), wherever it is run from.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from archguard.project.discovery import ProjectLocation, locate_project
from archguard.report.baseline import DEFAULT_BASELINE, dump, load, prune, record
from archguard.run.runner import CheckRequest, run_check


def default_target(location: ProjectLocation) -> Path:
    return location.root / (location.config.baseline or DEFAULT_BASELINE)


def write_baseline_command(request: CheckRequest, output: Path | None,
                           prune_file: Path | None) -> str:
    """``archguard baseline``: record (or prune) and say what was written."""
    location = locate_project(request.paths, request.config_file)
    whole = dataclasses.replace(request, paths=[location.root], baseline=None,
                                config_baseline=False, since=None)
    if prune_file is not None:
        old = load(prune_file)  # a bad file fails before the run
        pruned, dropped = prune(run_check(whole), old)
        target = output or prune_file
        dump(pruned, target)
        return (f"archguard: pruned {dropped} stale entr{'ies' if dropped != 1 else 'y'} "
                f"from {prune_file}; {len(pruned.entries)} kept in {target}")
    target = output or default_target(location)
    recorded = record(run_check(whole))
    dump(recorded, target)
    count = len(recorded.entries)
    shown = _shown(target)
    configured = location.config.baseline is not None and output is None
    then = ("'archguard check' now reports only new ones" if configured else
            f"'archguard check --baseline {shown}' now reports only new ones (or set "
            f"baseline = \"{_relative_to_root(target, location.root)}\" in [tool.archguard])")
    return f"archguard: recorded {count} finding{'s' if count != 1 else ''} in {shown}; {then}"


def _shown(path: Path) -> str:
    """The path as the user can type it from here (``../baseline.json`` from a subfolder)."""
    try:
        return Path(os.path.relpath(path.resolve(), Path.cwd().resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path)


def _relative_to_root(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
