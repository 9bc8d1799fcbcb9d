"""Finding the project: its root, its config, its Python files and its module folders.

This is the only part of the checker core that touches the filesystem.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config, archguard_table, load_config_table, read_pyproject
from archguard.project.layout import ModuleFolder
from archguard.project.pythons import minimum, project_requires_python

IGNORED_DIRS = frozenset({"__pycache__"})


@dataclass(frozen=True)
class ProjectLocation:
    root: Path
    config: Config
    config_file: Path | None
    # The config as written, before detection filled in what it leaves unset (the cache
    # keys per-file results by it: detection changes no per-file result).
    configured: Config | None = None
    written_keys: frozenset[str] = frozenset()  # the keys the config file sets
    notes: tuple[str, ...] = ()  # what the search skipped (a broken unrelated pyproject)


# Path keys that must exist when the config sets them: a typo would switch rules off.
PATH_KEYS = {"modules-dir": "folder", "tests-dir": "folder", "settings-module": "file"}


def check_configured_paths(location: ProjectLocation) -> None:
    """Every path the config names exists (each path, for a key that takes several)."""
    from archguard.project.config import as_paths

    for key, kind in PATH_KEYS.items():
        if key not in location.written_keys:
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
                document = read_pyproject(candidate)
                table = archguard_table(document)
            except ArchguardError as error:
                if own is None:
                    raise
                # A broken pyproject.toml above the project's own belongs to someone else.
                notes.append(f"skipped {candidate} ({str(error).split(': ', 1)[-1]})")
                continue
            own = own or candidate
            if table is not None:
                config = with_project_python(load_config_table(table, str(candidate)),
                                             document)
                return ProjectLocation(folder, config, candidate,
                                       written_keys=frozenset(table), notes=tuple(notes))
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
    config = with_project_python(load_config_table(table, str(config_file)), document)
    return ProjectLocation(config_file.resolve().parent, config, config_file,
                           written_keys=frozenset(table))


def with_project_python(config: Config, document: dict[str, Any]) -> Config:
    """``config`` with ``python-version`` taken from ``[project] requires-python`` when the
    archguard table leaves it unset (its lower bound: ``">=3.12,<3.15"`` is 3.12)."""
    if config.python_version is not None:
        return config
    oldest = minimum(project_requires_python(document))
    return dataclasses.replace(config, python_version=f"{oldest[0]}.{oldest[1]}") \
        if oldest else config


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
    package_path = package_folder(config)
    package_dir = root / package_path
    if not package_dir.is_dir():
        if location.config_file is None:  # first contact: no configuration at all
            raise ArchguardError(
                f"package folder '{package_path}' not found in {root} and no [tool.archguard] "
                f"configuration: run 'archguard init' to detect the layout and write one")
        src = "" if config.source_root or not (root / "src" / package_path).is_dir() else (
            ", or source-root = \"src\" for a src layout")
        raise ArchguardError(
            f"package folder '{package_path}' not found in {root} "
            f"(set 'package' in [tool.archguard] of {location.config_file.name}{src})")
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


def package_folder(config: Config) -> str:
    """The package's folder relative to the root (``src/dispatch`` in a src layout)."""
    return config.layout.source_prefix + config.package.replace(".", "/")


def _skipped_dir(name: str) -> bool:
    return name in IGNORED_DIRS or name.startswith(".")


def module_folders(location: ProjectLocation) -> tuple[bool, list[ModuleFolder]]:
    """(a modules dir exists, the module folders of every modules dir) for the layout rules:
    immediate subfolders holding Python code, minus shared folders, ``__pycache__`` and
    dot folders."""
    config = location.config
    layout = config.layout
    nested = set(config.modules_dirs)  # a modules dir inside another: its subfolders are
    # modules of its own, only its own files belong to its folder's module
    exists = False
    folders = []
    for modules_dir in config.modules_dirs:
        folder_path = location.root / modules_dir
        if not folder_path.is_dir():
            continue
        exists = True
        for entry in _sorted_entries(folder_path):  # scandir: no stat per entry on most systems
            rel = f"{modules_dir}/{entry.name}"
            if not _is_dir(entry) or _skipped_dir(entry.name) or layout.is_shared(rel) \
                    or is_excluded(rel, config):
                continue
            python = tuple(p.removeprefix(f"{rel}/") for p in walk_python_files(
                location.root, Path(entry.path), config))  # links followed once each
            if rel in nested:  # a modules dir itself: only its own files are this module's
                python = tuple(p for p in python if "/" not in p)
            if not python:  # assets, fonts, a built frontend: not a module
                continue
            children = [c for c in _sorted_entries(entry.path)
                        if not is_excluded(f"{rel}/{c.name}", config)]
            folder = ModuleFolder(
                entry.name,
                tuple(c.name for c in children if _is_file(c) and not c.name.startswith(".")),
                () if rel in nested else tuple(c.name for c in children if _is_dir(c)
                                               and not _skipped_dir(c.name)),
                rel, python,
            )
            if rel not in nested or layout.evidence(folder):  # else only a modules dir
                folders.append(folder)
    return exists, folders


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
    layout = config.layout
    files: dict[tuple[str, str], set[str]] = {}
    subdirs: dict[tuple[str, str], set[str]] = {}
    python: dict[tuple[str, str], set[str]] = {}
    for path in paths:
        if is_excluded(path, config):
            continue
        for modules_dir in sorted(config.modules_dirs, key=len, reverse=True):
            if not path.startswith(modules_dir + "/"):
                continue
            parts = path[len(modules_dir) + 1:].split("/")
            if len(parts) < 2:
                continue  # directly in a modules dir: a file of that folder's module, if any
            if _skipped_dir(parts[0]) or layout.is_shared(f"{modules_dir}/{parts[0]}"):
                break  # the longest modules dir holding the path decides, as ``place`` does
            key = (modules_dir, parts[0])
            files.setdefault(key, set())
            subdirs.setdefault(key, set())
            python.setdefault(key, set())
            (files if len(parts) == 2 else subdirs)[key].add(parts[1])
            if path.endswith(".py"):
                python[key].add("/".join(parts[1:]))
            break
    # In memory, a modules dir exists when it holds a module folder.
    folders = [
        ModuleFolder(name, tuple(sorted(files[key])), tuple(sorted(subdirs[key])),
                     f"{modules_dir}/{name}", tuple(sorted(python[key])))
        for key in sorted(files, key=lambda k: (k[1], k[0])) if python[key]
        for modules_dir, name in [key]]
    nested = set(config.modules_dirs)  # a modules dir without role files of its own is no module
    return bool(files), [f for f in folders if f.path not in nested or layout.evidence(f)]
