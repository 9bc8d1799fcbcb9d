"""The project's layout: module folders as found on disk, and where a path lies in them.

A module is an immediate subfolder of a modules dir that holds Python code, minus the
``shared`` folders, ``__pycache__`` and dot folders. Files of a shared folder belong to no
module: no layout rule looks at them, they are no node of the module graph, and importing
them is never a cross-module import.

With ``module-names = []`` (modules detected, not listed) the layout rules judge a folder
only when it shows it is a domain module: it holds a role file (see ``is_judged``).
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


# Words that name a behaviour role in a file name the roles config does not cover
# (``recipe_service.py``, ``endpoints_booking.py``, ``cruds_loan.py``): evidence of a module.
# Schema words are not: data shapes are what engines, clients and servers hold too.
ROLE_WORDS = frozenset({
    "models", "model", "repository", "repositories", "crud", "cruds",
    "service", "services", "router", "routers", "routes", "endpoints", "views"})
# Roles whose file is no evidence of a module either (the package marker, data shapes).
NO_EVIDENCE_ROLES = (None, "init", "schemas")


def role_named(file_name: str) -> bool:
    """A Python file whose name starts or ends with a behaviour role word (``cruds_loan``,
    ``recipe_service``); one in the middle names something else (letta's
    ``llm_router_client_base``: a client of an LLM router)."""
    stem = file_name.removesuffix(".py")
    words = stem.lower().strip("_").split("_")
    return file_name.endswith(".py") and (words[0] in ROLE_WORDS or words[-1] in ROLE_WORDS)


def is_test_path(path: str) -> bool:
    """A test file or folder inside a module (``tests/``, ``test/``, ``test_*``,
    ``*_test.py``, ``conftest.py``); ``scope.is_test_file`` adds the ``tests-dir``."""
    parts = path.split("/")
    name = parts[-1]
    return any(p in ("tests", "test") or p.startswith("test_") for p in parts) or \
        name.endswith("_test.py") or name == "conftest.py"


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
        modules dir wins when one lies inside another; a file directly in the inner one is
        a file of its folder, a module of the outer one (dispatch's ``case/views.py`` beside
        the sub-modules ``case/case_cost/``)."""
        for modules_dir in self._longest_first:
            if not path.startswith(modules_dir + "/"):
                continue
            parts = path[len(modules_dir) + 1:].split("/")
            if len(parts) < 2:
                continue
            if self.is_shared(f"{modules_dir}/{parts[0]}"):
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

    def is_judged(self, folder: ModuleFolder) -> bool:
        """Whether the layout rules (AG101-AG103) judge the folder as a domain module.

        Listed modules (``module-names``) are always judged, as before. With ``[]`` a folder
        is a module only with evidence: a behaviour role file (a router, service, models or
        repository file, as the roles name them) directly inside, or at a role pattern's
        subfolder path; or a file directly inside named with a behaviour role word the roles
        do not cover (``recipe_service.py``, ``cruds_booking.py``). A schemas file alone is
        no evidence: data shapes are what engines, clients and servers hold too (tracecat's
        expression engine and MCP server). A helper or engine package, a container of
        self-contained packages (plugins, a sub-application's areas) and a layer folder
        (``views/`` holding every router) hold none and are left alone. Nor is the shared kernel judged: the folder that defines
        the configured ``schema-base``, ``model-base`` or ``model-mixin`` (polar's ``kit``)."""
        if self.config.module_names:
            return True
        if self._holds_a_configured_base(self.folder_path(folder)):
            return False
        return bool(self.evidence(folder))

    def evidence(self, folder: ModuleFolder) -> list[tuple[str, str | None]]:
        """The files that make ``folder`` a module when modules are detected (see
        ``is_judged``): (path inside the folder, its role; None for a file named with a
        role word the roles do not cover)."""
        roles = self.config.roles
        found = []
        for path in folder.python_paths():
            if is_test_path(path):
                continue
            role = roles.role_of(path, folder.name)
            if role not in NO_EVIDENCE_ROLES or ("/" not in path and role_named(path)):
                found.append((path, role if role not in NO_EVIDENCE_ROLES else None))
        return found

    def _holds_a_configured_base(self, folder: str) -> bool:
        bases = (self.config.schema_base, self.config.model_base, self.config.model_mixin)
        return any((self.source_prefix + base.rpartition(".")[0].replace(".", "/"))
                   .startswith(folder + "/") for base in bases if "." in base)

    def folder_path(self, folder: ModuleFolder) -> str:
        return folder.path or f"{self.modules_dirs[0]}/{folder.name}"
