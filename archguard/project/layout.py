"""The project's layout: module folders as found on disk, and where a path lies in them.

A module is an immediate subfolder of a modules dir that holds Python code, minus the
``shared`` folders, ``__pycache__`` and dot folders. Files of a shared folder belong to no
module: no layout rule looks at them, they are no node of the module graph, and importing
them is never a cross-module import.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archguard.project.config import Config


@dataclass(frozen=True, slots=True)
class ModuleFolder:
    """One module folder under a modules dir, as found on disk (for the layout rules)."""

    name: str
    files: tuple[str, ...]  # file names directly inside, dot-files excluded
    subdirs: tuple[str, ...]  # folder names directly inside, __pycache__/dot-dirs excluded
    path: str = ""  # the folder, relative to the project root ("" = first modules dir/name)
    # Python files anywhere inside, relative to the folder ("" = the .py names in ``files``).
    python_files: tuple[str, ...] = ()

    def python_paths(self) -> tuple[str, ...]:
        return self.python_files or tuple(n for n in self.files if n.endswith(".py"))

    def holds_python(self, subdir: str) -> bool:
        return any(p.startswith(subdir + "/") for p in self.python_paths())


@dataclass(frozen=True, slots=True)
class Place:
    """Where a file lies: its module folder and its path inside it."""

    modules_dir: str
    module: str
    inside: str  # relative to the module folder


class ProjectLayout:
    """Path questions about the configured layout (pure: no filesystem access)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.modules_dirs = config.modules_dirs
        self.shared = tuple(g.strip("/") for g in config.shared)
        source = config.source_root.strip("/")
        self.source_prefix = source + "/" if source else ""
        # Dotted names of the modules dirs (a modules dir outside the source root has none).
        self.dotted_dirs = tuple(
            d[len(self.source_prefix):].replace("/", ".") for d in self.modules_dirs
            if d.startswith(self.source_prefix))
        self._longest_first = sorted(self.modules_dirs, key=len, reverse=True)
        self._layouts: dict[str, tuple[str | None, str | None]] = {}  # by path

    def __getstate__(self) -> dict[str, object]:
        return {**vars(self), "_layouts": {}}  # the memo stays in its process

    def is_shared(self, folder: str) -> bool:
        """Whether the folder (relative to the root) is shared code."""
        name = folder.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatchcase(folder, glob)
                   or ("/" not in glob and fnmatch.fnmatchcase(name, glob))
                   for glob in self.shared)

    def place(self, path: str) -> Place | None:
        """The module folder holding ``path`` (a file or folder relative to the root), or
        None outside modules, directly in a modules dir, or in a shared folder. The longest
        modules dir wins when one lies inside another."""
        for modules_dir in self._longest_first:
            if not path.startswith(modules_dir + "/"):
                continue
            parts = path[len(modules_dir) + 1:].split("/")
            if len(parts) < 2 or self.is_shared(f"{modules_dir}/{parts[0]}"):
                return None
            return Place(modules_dir, parts[0], "/".join(parts[1:]))
        return None

    def layout_of(self, path: str) -> tuple[str | None, str | None]:
        """(role, module name) of a file; (None, module) for a module file without a role.
        Memoised: the graph and the project rules ask for the same paths many times."""
        known = self._layouts.get(path)
        if known is None:
            found = self.place(path)
            known = self._layouts[path] = (None, None) if found is None else (
                self.config.roles.role_of(found.inside, found.module), found.module)
        return known

    def path_of(self, dotted: str) -> str:
        """The path a dotted module would have as a plain file (not as a package)."""
        return self.source_prefix + dotted.replace(".", "/") + ".py"

    def under_modules(self, dotted: str) -> bool:
        return any(dotted.startswith(prefix + ".") for prefix in self.dotted_dirs)

    def layout_ignored(self, folder: ModuleFolder, inside: str) -> bool:
        """``layout-ignore`` globs match the path relative to the root or to the module
        folder, or the file name."""
        full = f"{self.folder_path(folder)}/{inside}"
        name = inside.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatchcase(candidate, glob)
                   for glob in self.config.layout_ignore for candidate in (full, inside, name))

    def folder_path(self, folder: ModuleFolder) -> str:
        return folder.path or f"{self.modules_dirs[0]}/{folder.name}"
