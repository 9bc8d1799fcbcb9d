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
    # The config as written, before detection filled in what it leaves unset (the cache
    # keys per-file results by it: detection changes no per-file result).
    configured: Config | None = None


def locate_project(paths: list[Path], config_file: Path | None = None) -> ProjectLocation:
    """Root and config for the given paths (they must exist and share one project)."""
    for path in paths:
        if not path.exists():
            raise ArchguardError(f"path not found: {path}")
    if config_file is not None:
        return _explicit_config(config_file)
    start = paths[0].resolve()
    start_dir = start if start.is_dir() else start.parent
    for folder in (start_dir, *start_dir.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = archguard_table(read_pyproject(candidate))
            if table is not None:
                return ProjectLocation(folder, load_config_table(table, str(candidate)),
                                       candidate)
    # No [tool.archguard] anywhere: the defaults apply, rooted where the package lives.
    default = Config()
    for folder in (start_dir, *start_dir.parents):
        if (folder / default.package.replace(".", "/")).is_dir():
            return ProjectLocation(folder, default, None)
    return ProjectLocation(start_dir, default, None)


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
    return ProjectLocation(config_file.resolve().parent, config, config_file)


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ArchguardError(f"{path} is outside the project root {root}") from None


def is_excluded(rel_path: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(rel_path, pattern) or fnmatch.fnmatch(rel_path, pattern + "/*")
               or rel_path.startswith(pattern.rstrip("/") + "/")
               for pattern in config.exclude)


def package_files(location: ProjectLocation) -> list[str]:
    """Relative paths of every Python file of the package, sorted."""
    root, config = location.root, location.config
    package_dir = root / config.package.replace(".", "/")
    if not package_dir.is_dir():
        raise ArchguardError(
            f"package folder '{config.package.replace('.', '/')}' not found in {root} "
            f"(set 'package' in [tool.archguard] of pyproject.toml)")
    found = []
    for folder, dirs, names in os.walk(package_dir):
        rel_folder = Path(folder).relative_to(root).as_posix()
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
        if not entry.is_dir() or _skipped_dir(entry.name):
            continue
        children = _sorted_entries(entry.path)
        folders.append(ModuleFolder(
            entry.name,
            tuple(c.name for c in children if c.is_file() and not c.name.startswith(".")),
            tuple(c.name for c in children if c.is_dir() and not _skipped_dir(c.name)),
        ))
    return True, folders


def _sorted_entries(folder: str | Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda e: e.name)


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
