"""Finding the project: its root, its config, its Python files and its module folders.

This is the only part of the checker core that touches the filesystem.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config, archguard_table, load_config_table, read_pyproject
from archguard.project.layout import ModuleFolder

IGNORED_DIRS = frozenset({"__pycache__"})


@dataclass(frozen=True)
class ProjectLocation:
    root: Path
    config: Config
    config_file: Path | None
    configured: frozenset[str] = frozenset()  # the keys the config file sets
    notes: tuple[str, ...] = ()  # what the search skipped (a broken unrelated pyproject)


# Path keys that must exist when the config sets them: a typo would switch rules off.
PATH_KEYS = {"modules-dir": "folder", "tests-dir": "folder", "settings-module": "file"}


def check_configured_paths(location: ProjectLocation) -> None:
    """Every path the config names exists (each path, for a key that takes several)."""
    from archguard.project.config import as_paths

    for key, kind in PATH_KEYS.items():
        if key not in location.configured:
            continue
        for value in as_paths(getattr(location.config, key.replace("-", "_"))):
            path = location.root / value
            found = path.is_dir() if kind == "folder" else path.is_file()
            if not found:
                raise ArchguardError(
                    f"{location.config_file}: '{key}' = '{value}': {kind} not found in "
                    f"{location.root} (fix the path, or remove the key)")


def locate_project(paths: list[Path], config_file: Path | None = None) -> ProjectLocation:
    """Root and config for the given paths (they must exist and share one project)."""
    for path in paths:
        if not path.exists():
            raise ArchguardError(f"path not found: {path}")
    if config_file is not None:
        return _explicit_config(config_file)
    start = paths[0].resolve()
    start_dir = start if start.is_dir() else start.parent
    own: Path | None = None  # the nearest pyproject.toml: the project's own
    notes: list[str] = []
    for folder in (start_dir, *start_dir.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                table = archguard_table(read_pyproject(candidate))
            except ArchguardError as error:
                if own is None:
                    raise
                # A broken pyproject.toml above the project's own belongs to someone else.
                notes.append(f"skipped {candidate} ({str(error).split(': ', 1)[-1]})")
                continue
            own = own or candidate
            if table is not None:
                return ProjectLocation(folder, load_config_table(table, str(candidate)),
                                       candidate, frozenset(table), tuple(notes))
    # No [tool.archguard] anywhere: the defaults apply, rooted where the package lives.
    default = Config()
    for folder in (start_dir, *start_dir.parents):
        if (folder / default.package.replace(".", "/")).is_dir():
            return ProjectLocation(folder, default, None, notes=tuple(notes))
    return ProjectLocation(start_dir, default, None, notes=tuple(notes))


def _explicit_config(config_file: Path) -> ProjectLocation:
    if not config_file.is_file():
        raise ArchguardError(f"config file not found: {config_file}")
    document = read_pyproject(config_file)
    table = archguard_table(document)
    if table is None and config_file.name == "pyproject.toml":
        table = {}
    elif table is None:
        table = document  # a standalone archguard.toml holds the keys at top level
    config = load_config_table(table, str(config_file))
    return ProjectLocation(config_file.resolve().parent, config, config_file, frozenset(table))


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ArchguardError(f"{path} is outside the project root {root}") from None


def is_excluded(rel_path: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(rel_path, pattern) or fnmatch.fnmatch(rel_path, pattern + "/*")
               or rel_path.startswith(pattern.rstrip("/") + "/")
               for pattern in config.exclude)


Problems = list[tuple[str, str]]  # (relative path, why it was not checked)


def package_files(location: ProjectLocation, problems: Problems | None = None) -> list[str]:
    """Relative paths of every Python file of the package, sorted. Folders that cannot be
    read, and symlinked folders already seen (a loop), go to ``problems``; a folder that
    vanishes while it is listed is simply not there."""
    root, config = location.root, location.config
    package_dir = root / config.package.replace(".", "/")
    if not package_dir.is_dir():
        raise ArchguardError(
            f"package folder '{config.package.replace('.', '/')}' not found in {root} "
            f"(set 'package' in [tool.archguard] of pyproject.toml)")
    return walk_python_files(root, package_dir, config, problems)


def walk_python_files(root: Path, top: Path, config: Config,
                      problems: Problems | None = None) -> list[str]:
    """Python files under ``top``, relative to ``root``: symlinked folders are followed
    once each (by device and inode: a link back up is a loop, reported, not followed)."""
    found: list[str] = []
    seen: dict[tuple[int, int], str] = {}

    def unreadable(error: OSError) -> None:
        if problems is not None and not isinstance(error, FileNotFoundError):
            where = Path(error.filename or top).relative_to(root).as_posix()
            problems.append((where, f"cannot read folder: {error.strerror or error}"))

    for folder, dirs, names in os.walk(top, onerror=unreadable, followlinks=True):
        rel_folder = Path(folder).relative_to(root).as_posix()
        try:
            st = os.stat(folder)
        except OSError:
            dirs[:] = []
            continue
        identity = (st.st_dev, st.st_ino)
        if identity in seen:
            if problems is not None:
                problems.append((rel_folder, f"symlinked folder already checked as "
                                             f"'{seen[identity]}' (a loop?): not checked again"))
            dirs[:] = []
            continue
        seen[identity] = rel_folder
        dirs[:] = sorted(d for d in dirs if not _skipped_dir(d)
                         and not is_excluded(f"{rel_folder}/{d}", config))
        for name in names:
            rel = f"{rel_folder}/{name}"
            if name.endswith(".py") and not is_excluded(rel, config):
                found.append(rel)
    return sorted(found)


def _skipped_dir(name: str) -> bool:
    return name in IGNORED_DIRS or name.startswith(".")


def module_folders(location: ProjectLocation) -> tuple[bool, list[ModuleFolder]]:
    """(modules-dir exists, its module folders) for the layout rules."""
    modules_dir = location.root / location.config.modules_dir
    if not modules_dir.is_dir():
        return False, []
    folders = []
    for entry in _sorted_entries(modules_dir):  # scandir: no stat per entry on most systems
        if not _is_dir(entry) or _skipped_dir(entry.name):
            continue
        children = _sorted_entries(entry.path)  # symlinked folders followed, as in the walk
        folders.append(ModuleFolder(
            entry.name,
            tuple(c.name for c in children if _is_file(c) and not c.name.startswith(".")),
            tuple(c.name for c in children if _is_dir(c) and not _skipped_dir(c.name)),
        ))
    return True, folders


def _sorted_entries(folder: str | Path) -> list[os.DirEntry[str]]:
    """A folder's entries; none when it vanished or cannot be read (the package walk
    reports unreadable folders)."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Any non-folder counts as present (a FIFO named models.py is reported as AG000 by
    the analysis, and is not a missing file)."""
    try:
        return not entry.is_dir() and (entry.is_file() or not entry.is_symlink()
                                       or os.path.exists(entry.path))
    except OSError:
        return False


def folders_from_paths(paths: list[str], config: Config) -> tuple[bool, list[ModuleFolder]]:
    """The same as ``module_folders`` for an in-memory tree (tests and library callers)."""
    prefix = config.modules_dir.strip("/") + "/"
    files: dict[str, set[str]] = {}
    subdirs: dict[str, set[str]] = {}
    for path in paths:
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix):].split("/")
        if len(parts) < 2:
            continue
        files.setdefault(parts[0], set())
        subdirs.setdefault(parts[0], set())
        (files if len(parts) == 2 else subdirs)[parts[0]].add(parts[1])
    names = sorted(files)
    return bool(names), [ModuleFolder(n, tuple(sorted(files[n])), tuple(sorted(subdirs[n])))
                         for n in names]
