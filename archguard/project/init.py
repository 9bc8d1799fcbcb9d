"""``archguard init``: detect a project's layout and write ``[tool.archguard]``.

Detection reads folder and file names, and greps the Python files for imports and a few
class definitions; it never imports the project. It finds:

- the package: a top-level folder (or one under ``src/``, the src layout) holding the
  application, with or without ``__init__.py``: the project's name, else the most code;
- the modules dirs: the top-most folders whose subfolders repeat the same role file names
  (``router.py``, ``cruds_{module}.py``, ``db/api.py``), one or several;
- nested modules dirs: a module folder three or more (and half) of whose subfolders hold
  role files of their own is a namespace of modules (onyx's ``server/features``);
- shared folders: subfolders of a modules dir without a router that many modules import;
- vendored code: a folder inside the package with a licence file of its own whose files
  never import the package (excluded);
- role patterns: per role, every known name (plain, ``<stem>_{module}.py``, in a subfolder)
  that at least two modules use, most used first;
- the schema base (the project class most Pydantic models derive from), the settings module
  (a ``BaseSettings`` subclass), the model base and the database layer (where the engine and
  the session factory are built).
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archguard.diagnostics import ArchguardError
from archguard.project.fileio import DEFAULT_MAX_FILE_KB, read_regular, write_user_file
from archguard.project.config import (
    Config,
    RolesConfig,
    archguard_table,
    load_config_table,
    read_pyproject,
)
from archguard.project.detect import detect_layout
from archguard.project.ruff import duplicated

# Role -> known file stems; each also matches as ``<stem>_{module}.py`` (Hyperion's
# ``cruds_loan.py``); a stem with a "/" is a file in a subfolder (papermerge's db/api.py).
ROLE_STEMS: dict[str, tuple[str, ...]] = {
    "init": ("__init__",),
    "models": ("models", "model", "orm", "db/orm", "db/models", "tables"),
    "schemas": ("schemas", "schema", "dto", "dtos", "serializers"),
    "repository": ("repository", "repositories", "repo", "crud", "cruds", "db/api",
                   "db/repository", "dal", "queries"),
    "service": ("service", "services"),
    "router": ("router", "routers", "routes", "endpoints", "api", "views"),
}
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    role: tuple(f"{stem}.py" for stem in stems) for role, stems in ROLE_STEMS.items()}
NOT_PACKAGES = frozenset({"tests", "test", "docs", "scripts", "migrations", "alembic",
                          "build", "dist", "node_modules", "venv", "src", "frontend",
                          "site-packages"})
BUILD_OUTPUT = frozenset({"build", "dist"})
SHARED_NAMES = frozenset({"kit", "common", "core", "shared", "utils", "lib", "libs",
                          "models", "db", "database", "worker", "infrastructure"})
_CLASS_SCHEMA = re.compile(r"^class\s+Schema\s*[(:]", re.MULTILINE)
_CLASS_MIXIN = re.compile(r"^class\s+BaseModelMixin\s*[(:]", re.MULTILINE)
_CLASS = re.compile(r"^class\s+(\w+)\s*\(([^)]*)\)", re.MULTILINE)
_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)
_DECLARATIVE = re.compile(r"^class\s+(\w+)\s*\([^)]*\bDeclarativeBase\b|^(\w+)\s*=\s*"
                          r"declarative_base\s*\(", re.MULTILINE)
MIN_SHARED_IMPORTERS = 3


@dataclass
class Layout:
    """What ``init`` found; ``role_counts`` maps role -> modules with a file for it."""

    package: str
    modules_dir: str | list[str]
    modules: list[str]
    roles: dict[str, str | list[str]]
    role_counts: dict[str, int] = field(default_factory=dict)
    schema_base: str = ""
    schema_found: bool = False
    settings_module: str | list[str] = field(default_factory=list)  # [] when none found
    tests_dir: str | None = None
    source_root: str = ""
    shared: list[str] = field(default_factory=list)
    model_base: str | None = None
    model_mixin: str = ""
    mixin_found: bool = False
    database_layer: list[str] = field(default_factory=list)  # globs and files, as db-layer
    module_folders: int = 0  # the modules' folders (a name may repeat across modules dirs)
    exclude: list[str] = field(default_factory=list)  # tests in module folders, vendored code


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(c for c in folder.iterdir() if not c.name.startswith(".")
                      and c.name != "__pycache__")
    except OSError:
        return []


def _python_files(folder: Path) -> Iterator[Path]:
    """Python files under ``folder``, skipping dot folders, caches and node_modules."""
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and d not in ("__pycache__", "node_modules", "site-packages"))
        for name in sorted(names):
            if name.endswith(".py"):
                yield Path(current) / name


def _holds_python(folder: Path) -> bool:
    return next(_python_files(folder), None) is not None


def _project_name(root: Path) -> str | None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    project = read_pyproject(path).get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return re.sub(r"[-.]+", "_", name).lower() if isinstance(name, str) else None


def find_package(root: Path) -> Path:
    """The package folder: under the root or under ``src/``; with or without __init__.py."""
    bases = [root] + ([root / "src"] if (root / "src").is_dir() else [])
    candidates = [c for base in bases for c in _children(base)
                  if c.is_dir() and c.name not in NOT_PACKAGES and c.name.isidentifier()
                  and _holds_python(c)]
    if not candidates:
        raise ArchguardError(f"no Python package found in {root}: expected a top-level "
                             f"folder with Python code (such as cpv3/, or src/<name>/)")
    name = _project_name(root)
    return max(candidates, key=lambda c: (
        c.name == name, (c / "modules").is_dir(), sum(1 for _ in _python_files(c)),
        c.name == "cpv3"))


def _normalised_files(module_dir: Path) -> set[str]:
    """The module's Python files up to one subfolder deep, its own name as ``{module}``."""
    names = set()
    for child in _children(module_dir):
        if child.is_file() and child.suffix == ".py":
            names.add(_generalise(child.name, module_dir.name))
        elif child.is_dir():
            names.update(f"{child.name}/{_generalise(g.name, module_dir.name)}"
                         for g in _children(child) if g.is_file() and g.suffix == ".py")
    return names


def _generalise(name: str, module: str) -> str:
    stem = name.removesuffix(".py")
    if stem.endswith("_" + module):
        return stem[: -len(module) - 1] + "_{module}.py"
    return name


def _role_like(name: str) -> bool:
    stem = name.removesuffix(".py").removesuffix("_{module}")
    return any(stem in stems for role, stems in ROLE_STEMS.items() if role != "init")


def _python_subfolders(folder: Path) -> list[Path]:
    """Subfolders holding Python code; one named like tests, scripts or tooling output only
    when it is a package, and ``build``/``dist`` also when Python files sit directly in it
    (tool output nests them: ``build/lib/``; onyx's ``features/build`` is a namespace
    package of the application)."""
    return [c for c in _children(folder) if c.is_dir() and _holds_python(c) and (
        c.name not in NOT_PACKAGES or (c / "__init__.py").is_file()
        or (c.name in BUILD_OUTPUT and any(c.glob("*.py"))))]


def _is_modules_dir(folder: Path) -> bool:
    """Its subfolders repeat the same role files: two or more role file names, each in at
    least two subfolders and 30% of them (a folder of layers, such as crud/ services/
    views/, repeats none)."""
    subfolders = _python_subfolders(folder)
    if len(subfolders) < 2:
        return False
    counts = Counter(name for sub in subfolders for name in _normalised_files(sub)
                     if _role_like(name))
    return sum(1 for n in counts.values() if n >= 2 and n >= 0.3 * len(subfolders)) >= 2


def find_modules_dirs(package_dir: Path, depth: int = 3) -> list[Path]:
    """The top-most folders at or under the package that are modules dirs."""
    if _is_modules_dir(package_dir):
        return [package_dir]
    if depth == 0:
        return []
    found: list[Path] = []
    for child in _python_subfolders(package_dir):
        found.extend(find_modules_dirs(child, depth - 1))
    return found


def find_modules_dir(package_dir: Path) -> Path | None:
    """``<package>/modules``, else the subfolder holding the most sub-packages (two or more)."""
    if (package_dir / "modules").is_dir():
        return package_dir / "modules"
    scored = [(sum(1 for g in _children(c) if g.is_dir() and (g / "__init__.py").is_file()), c)
              for c in _children(package_dir) if c.is_dir()]
    best = max(scored, default=(0, None), key=lambda item: item[0])
    return best[1] if best[0] >= 2 else None


def _candidates(role: str) -> list[str]:
    patterns = []
    for stem in ROLE_STEMS[role]:
        patterns.append(f"{stem}.py")
        if "/" not in stem and role != "init":
            patterns.append(f"{stem}_{{module}}.py")
    return patterns


def detect_roles(module_dirs: list[Path],
                 ) -> tuple[dict[str, str | list[str]], dict[str, int]]:
    """Role -> the patterns at least two modules use, most used first (one pattern is
    written as a string; none keeps the default); and how many modules each role matched."""
    defaults = RolesConfig()
    files = [_normalised_files(d) for d in module_dirs]
    roles: dict[str, str | list[str]] = {}
    counts: dict[str, int] = {}
    taken: set[str] = set()
    for role in ROLE_STEMS:
        default = getattr(defaults, role)
        usage = {p: sum(1 for names in files if p in names) for p in _candidates(role)}
        ranked = sorted((p for p in usage if usage[p] and p not in taken),
                        key=lambda p: (-usage[p], p != default))
        chosen = [p for p in ranked if usage[p] >= 2] or ranked[:1]
        taken.update(chosen)
        roles[role] = (chosen[0] if len(chosen) == 1 else chosen) if chosen else default
        counts[role] = sum(1 for names in files if any(p in names for p in chosen))
    return roles, counts


@dataclass
class _Sources:
    """Every Python file of the package, read once: (dotted module, path, text)."""

    root: Path
    package_base: Path  # the folder the dotted names start from (root or root/src)
    files: list[tuple[str, Path, str]]

    @classmethod
    def read(cls, root: Path, package_dir: Path) -> _Sources:
        base = package_dir.parent
        files = []
        for path in _python_files(package_dir):
            try:  # bounded: a FIFO or a device named *.py must not hang init
                text = read_regular(path, DEFAULT_MAX_FILE_KB * 1024)[1].decode(
                    "utf-8", errors="replace")
            except OSError:
                continue
            rel = path.relative_to(base).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            files.append((".".join(parts), path, text))
        return cls(root, base, files)

    @functools.cached_property
    def classes(self) -> list[tuple[str, str, list[str]]]:
        """(dotted module, class name, base names without module or subscript) of every
        ``class X(...)`` line (a grep: init never parses the whole package)."""
        return [(dotted, match[1],
                 [b.strip().split("[")[0].rsplit(".", 1)[-1] for b in match[2].split(",")])
                for dotted, _, text in self.files for match in _CLASS.finditer(text)]

    def dotted(self, folder: Path) -> str:
        return ".".join(folder.relative_to(self.package_base).parts)

    def dotted_file(self, path: str) -> str:
        """``src/pkg/a/b.py`` (relative to the root) -> ``pkg.a.b``."""
        relative = (self.root / path).relative_to(self.package_base).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        return ".".join(parts)


def _importers(sources: _Sources, folder: Path, modules: list[Path]) -> int:
    """How many other module folders import something from ``folder``."""
    prefix = sources.dotted(folder)
    owners = {sources.dotted(m): m for m in modules}
    importers = set()
    for dotted, path, text in sources.files:
        if not path.is_relative_to(folder):
            owner = next((m for d, m in owners.items()
                          if dotted == d or dotted.startswith(d + ".")), None)
            if owner is None:
                continue
            for match in _IMPORT.finditer(text):
                target = match[1] or match[2]
                if target == prefix or target.startswith(prefix + "."):
                    importers.add(owner)
                    break
    return len(importers)


def find_shared(sources: _Sources, modules: list[Path], roles: dict[str, str | list[str]],
                ) -> list[Path]:
    """Module folders without a router, service or repository that many modules import (or
    named like shared code: kit, common, utils, ...): base classes and helpers, not a
    domain."""
    def patterns(role: str) -> list[str]:
        value = roles[role]
        return [value] if isinstance(value, str) else value

    domain_roles = [p for role in ("router", "service", "repository") for p in patterns(role)]
    shared = []
    threshold = max(MIN_SHARED_IMPORTERS, len(modules) // 10)
    for folder in modules:
        names = _normalised_files(folder)
        if any(p in names for p in domain_roles):  # a router, service or repository: a domain
            continue
        if folder.name in SHARED_NAMES or _importers(sources, folder, modules) >= threshold:
            shared.append(folder)
    return shared


def _find_schema(sources: _Sources, package_dir: Path, package: str) -> tuple[str, bool]:
    """The project class most Pydantic models derive from, directly or not (three or
    more, and at least as many as the models deriving from ``BaseModel`` with nothing
    deriving from them: a base a few models share, such as a streaming-event base among
    hundreds of plain models, is no project-wide schema base), else a class named Schema in
    the usual places, else the rulebook's place."""
    direct = {}  # class name -> qualname, for project classes deriving from BaseModel
    children: dict[str, set[str]] = {}  # base name -> the names of classes deriving from it
    for dotted, name, bases in sources.classes:
        if "BaseModel" in bases:
            direct.setdefault(name, f"{dotted}.{name}")
        for base in bases:
            children.setdefault(base, set()).add(name)

    def descendants(name: str) -> int:
        seen: set[str] = set()
        pending = [name]
        while pending:
            for child in children.get(pending.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    pending.append(child)
        return len(seen)

    counts = {name: descendants(name) for name in direct}
    ranked = sorted(direct, key=lambda name: (-counts[name], name))
    plain = sum(1 for name in direct if not counts[name])
    if ranked and counts[ranked[0]] >= max(3, plain):
        return direct[ranked[0]], True
    for relative in ("common/schemas.py", "schemas.py", "core/schemas.py"):
        path = package_dir / relative
        if path.is_file() and _CLASS_SCHEMA.search(path.read_text("utf-8", errors="replace")):
            dotted = relative.removesuffix(".py").replace("/", ".")
            return f"{package}.{dotted}.Schema", True
    return f"{package}.common.schemas.Schema", False


MIXIN_COLUMNS = ("created_at", "updated_at", "is_deleted")  # what the rulebook's mixin gives


def _find_mixin(sources: _Sources, model_base: str | None) -> tuple[str, bool]:
    """The project's ``BaseModelMixin`` (the rulebook's name), else a class that declares
    the rulebook mixin's columns (at least two of ``created_at``, ``updated_at``,
    ``is_deleted``), has no table of its own and is a base of another class (the most
    columns, then the most derived from: letta's ``CommonSqlalchemyMetaMixins``), else its
    place beside the declarative base."""
    for dotted, _, text in sources.files:
        if _CLASS_MIXIN.search(text):
            return f"{dotted}.BaseModelMixin", True
    derived = Counter(base for _, _, bases in sources.classes for base in bases)
    found: list[tuple[int, int, str]] = []
    for dotted, _, text in sources.files:
        if sum(column in text for column in MIXIN_COLUMNS) < 2:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or not derived[node.name]:
                continue  # a mixin is a base of models, not a model with timestamps
            columns = _assigned(node)
            declared = sum(1 for column in MIXIN_COLUMNS if column in columns)
            if declared >= 2 and "__tablename__" not in _names(node):
                found.append((declared, derived[node.name], f"{dotted}.{node.name}"))
    if found:
        return max(found)[2], True
    return f"{(model_base or '').rpartition('.')[0]}.BaseModelMixin", False


def _names(node: ast.ClassDef) -> set[str]:
    return {t.id for statement in node.body if isinstance(statement, ast.Assign)
            for t in statement.targets if isinstance(t, ast.Name)}


def _assigned(node: ast.ClassDef) -> set[str]:
    """The columns a class body declares: ``Mapped[...]`` annotations, ``mapped_column``/
    ``Column`` assignments and ``declared_attr`` methods (not a Pydantic model's fields)."""
    names = set()
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                "declared_attr" in ast.unparse(d) for d in statement.decorator_list):
            names.add(statement.name)
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [
            statement.target] if isinstance(statement, ast.AnnAssign) else []
        value = getattr(statement, "value", None)
        annotation = getattr(statement, "annotation", None)
        column = (isinstance(value, ast.Call) and ast.unparse(value.func).rsplit(".", 1)[-1]
                  in ("mapped_column", "Column")) or (
            annotation is not None and ast.unparse(annotation).split("[")[0].rsplit(".", 1)[-1]
            == "Mapped")
        if column:
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _find_declarative_base(sources: _Sources) -> str | None:
    """The project's declarative base (``class Base(DeclarativeBase)``, ``declarative_base()``)."""
    for dotted, _, text in sources.files:
        match = _DECLARATIVE.search(text)
        if match:
            return f"{dotted}.{match[1] or match[2]}"
    return None


def _settings_and_database(sources: _Sources, config: Config) -> tuple[list[str], list[str]]:
    """The settings modules and the database layer, found as ``check`` finds them when the
    configuration leaves them unset (``archguard.project.detect``), under the layout found
    (a business module named settings is no settings module)."""
    texts = {path.relative_to(sources.root).as_posix(): text for _, path, text in sources.files}
    found, _ = detect_layout(config, texts)
    # the hints name the first: the one most modules import (letta's settings.py, not its
    # config-file loader config.py; dispatch's config.py, not a plugin's settings class)
    dotted = {path: sources.dotted_file(path) for path in found.settings_modules}
    importers = {path: sum(1 for _, _, text in sources.files
                           if re.search(rf"^\s*(from\s+{re.escape(name)}\s+import|import\s+"
                                        rf"{re.escape(name)}\b)", text, re.MULTILINE))
                 for path, name in dotted.items()}
    settings = sorted(found.settings_modules, key=lambda path: (-importers[path], path))
    return settings, found.db_layer_globs


def _tests_in_modules(root: Path, modules_dirs: list[Path], modules: list[Path]) -> list[str]:
    """Globs for tests kept inside module folders (``<m>/tests/``, ``test_*.py``,
    ``conftest.py``): test code is not application code, so ``check`` leaves it out."""
    found = []
    for modules_dir in modules_dirs:
        inside = [m for m in modules if m.parent == modules_dir]
        base = modules_dir.relative_to(root).as_posix()
        for name, glob in (("tests", "tests"), ("test", "test"), ("conftest.py", "conftest.py")):
            if any((m / name).exists() for m in inside):
                found.append(f"{base}/*/{glob}")
        if any(next(m.glob("test_*.py"), None) for m in inside):
            found.append(f"{base}/*/test_*.py")
    return found


def detect(root: Path) -> Layout:
    package_dir = find_package(root)
    package = package_dir.name
    source_root = package_dir.parent.relative_to(root).as_posix()
    source_root = "" if source_root == "." else source_root
    sources = _Sources.read(root, package_dir)
    modules_dirs = find_modules_dirs(package_dir)
    if not modules_dirs:
        fallback = find_modules_dir(package_dir)
        modules_dirs = [fallback] if fallback else []
    module_dirs = [c for d in modules_dirs for c in _python_subfolders(d)]
    roles, _ = detect_roles(module_dirs)
    for _ in range(3):  # onyx's server/features/*, features/build/*: folders of modules
        nested = [d for d in module_dirs if d not in modules_dirs and _holds_modules(d, roles)]
        if not nested:
            break
        modules_dirs = [*modules_dirs, *nested]
        module_dirs = [*module_dirs, *(c for d in nested for c in _python_subfolders(d))]
        roles, _ = detect_roles(module_dirs)
    # a folder of modules is a module too when it holds role files of its own (its own
    # files: dispatch's case/views.py); else it is only a modules dir
    module_dirs = [d for d in module_dirs if d not in modules_dirs or _has_role_file(d, roles)]
    shared = find_shared(sources, module_dirs, roles) if len(module_dirs) > 2 else []
    domain = [d for d in module_dirs if d not in shared]
    roles, counts = detect_roles(domain)
    # A folder without a router, service, repository or models file is no business module
    # (onyx's server/metrics, server/runtime): then list none, and the layout rules judge
    # only the folders that hold one (module-names = []).
    listed = domain if all(_has_role_file(d, roles) for d in domain) else []
    schema_base, schema_found = _find_schema(sources, package_dir, package)
    dirs = [d.relative_to(root).as_posix() for d in modules_dirs] or [
        (package_dir / "modules").relative_to(root).as_posix()]
    shared_paths = [d.relative_to(root).as_posix() for d in shared]
    settings, database_layer = _settings_and_database(sources, Config(
        package=package, source_root=source_root, modules_dir=dirs, shared=shared_paths))
    model_base = _find_declarative_base(sources)
    mixin, mixin_found = _find_mixin(sources, model_base)
    return Layout(
        module_folders=len(domain),
        exclude=_tests_in_modules(root, modules_dirs, domain) + _vendored(sources, package_dir),
        package=package,
        modules_dir=dirs[0] if len(dirs) == 1 else dirs,
        modules=sorted({d.name for d in listed}),
        roles=roles, role_counts=counts,
        schema_base=schema_base, schema_found=schema_found,
        settings_module=settings[0] if len(settings) == 1 else settings,
        tests_dir=next((n for n in ("tests", "test") if (root / n).is_dir()), None),
        source_root=source_root,
        shared=shared_paths,
        model_base=model_base, model_mixin=mixin, mixin_found=mixin_found,
        database_layer=database_layer,
    )


def _holds_modules(folder: Path, roles: dict[str, str | list[str]]) -> bool:
    """A folder of modules: three or more of its subfolders, and at least half, hold a role
    file of their own (onyx's ``server/features``). Its own files, if it has role files
    (dispatch's ``case/``), are still a module of the folder above."""
    subfolders = _python_subfolders(folder)
    shaped = sum(1 for sub in subfolders if _has_role_file(sub, roles))
    return shaped >= 3 and 2 * shaped >= len(subfolders)


# a licence text (LICENSE, LICENCE.md, COPYING.txt, LICENSE-MIT), not a module named so
LICENSE_FILE = re.compile(r"(?i)^(licen[cs]e|copying)([.-](txt|md|rst|mit|apache|bsd\w*))?$")
_RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.+)", re.MULTILINE)


def _vendored(sources: _Sources, package_dir: Path) -> list[str]:
    """Globs for folders inside the package that carry a licence file of their own and
    never import the package: a third-party library copied in (onyx's utils/jsonriver), not
    code to judge by this project's rules. (A licensed folder that imports the package,
    such as an enterprise edition, is the project's own code.)"""
    imports_package = re.compile(
        rf"^[ \t]*(from|import)[ \t]+{re.escape(package_dir.name)}\b", re.MULTILINE)
    found = []
    for folder, subfolders, files in os.walk(package_dir):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".")
                               and d != "__pycache__")
        here = Path(folder)
        if here != package_dir and any(LICENSE_FILE.match(name) for name in files):
            subfolders[:] = []  # the copy is judged as a whole
            texts = [(len(path.relative_to(here).parts) - 1, text)  # (depth below, text)
                     for _, path, text in sources.files if path.is_relative_to(here)]
            if not any(imports_package.search(text) or _reaches_out(depth, text)
                       for depth, text in texts):
                found.append(f"{here.relative_to(sources.root).as_posix()}/*")
    return found


def _reaches_out(depth: int, text: str) -> bool:
    """A relative import climbing above the folder (``from ..core import x`` in a file
    directly in it): the folder imports the package it sits in."""
    return any(len(match[1]) > depth + 1 for match in _RELATIVE_IMPORT.finditer(text))


def _has_role_file(folder: Path, roles: dict[str, str | list[str]],
                   which: tuple[str, ...] = ("router", "service", "repository", "models"),
                   ) -> bool:
    names = _normalised_files(folder)
    return any(pattern in names for role in which
               for pattern in ([roles[role]] if isinstance(roles[role], str)
                               else roles[role]))  # type: ignore[union-attr]


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list is valid TOML


def _ignore_lines(ruff_covered: dict[str, tuple[str, ...]]) -> list[str]:
    if not ruff_covered:
        return ["ignore = []  # codes or prefixes to leave out everywhere, e.g. [\"AG601\"]"]
    lines = ["# codes or prefixes to leave out everywhere; these duplicate rules that your",
             "# ruff configuration already enables ('archguard explain CODE' says how far):",
             "ignore = ["]
    lines += [f"    {_toml(code)},  # ruff {' + '.join(ruff)}"
              for code, ruff in sorted(ruff_covered.items())]
    return lines + ["]"]


def render_section(layout: Layout, ruff_covered: dict[str, tuple[str, ...]] | None = None,
                   ) -> str:
    """The commented ``[tool.archguard]`` text (it ends with a key line, not a comment)."""
    n = layout.module_folders or len(layout.modules)
    lines = [
        "[tool.archguard]",
        "# Written by 'archguard init' from the layout it found; edit freely.",
        "# Every key is optional: the defaults are the cpv3 rulebook's conventions.",
        "# 'archguard rules' lists the rules, 'archguard explain CODE' explains one.",
        f"package = {_toml(layout.package)}  # import root"
        + (", in source-root" if layout.source_root else ", relative to this file's folder"),
    ]
    if layout.source_root:
        lines.append(f"source-root = {_toml(layout.source_root)}  # the src layout")
    lines += [
        f"modules-dir = {_toml(layout.modules_dir)}  # their subfolders are the modules",
    ]
    if layout.shared:
        lines.append("# Shared code inside a modules dir (imported by many modules, no router):")
        lines += _toml_list("shared", layout.shared)
    listed = [
        f"# The {len(layout.modules)} module{'s' if len(layout.modules) != 1 else ''} found; "
        f"[] accepts any module.",
        *_toml_list("module-names", layout.modules),
    ] if layout.modules or not layout.module_folders else [
        "# Not every folder there holds a router, service, repository or models file: [] "
        "judges", "# only those that do (list your modules to have the others reported).",
        "module-names = []",
    ]
    lines += [
        *listed,
        f"schema-base = {_toml(layout.schema_base)}  # "
        + ("every Pydantic schema derives from it" if layout.schema_found
           else "not found yet: the rulebook's place for the Schema base"),
    ]
    if layout.model_base:
        lines.append(f"model-base = {_toml(layout.model_base)}  # the declarative base")
        lines.append(f"model-mixin = {_toml(layout.model_mixin)}  # " + (
            "the mixin giving the timestamps and is_deleted (found by its columns unless "
            "named BaseModelMixin)" if layout.mixin_found else
            "not found yet: the rulebook's mixin (id, timestamps, is_deleted), beside the base"))
    if layout.database_layer:
        lines.append(f"# The database layer (engine, session factory, get_db): "
                     f"{', '.join(layout.database_layer)}")
    if layout.settings_module:
        lines.append(f"settings-module = {_toml(layout.settings_module)}")
    if layout.tests_dir:
        lines.append(f"tests-dir = {_toml(layout.tests_dir)}")
    lines += [
        '# select = ["AG"]  # default: every rule that is on by default',
        *_ignore_lines(ruff_covered or {}),
        *(["# Not judged: tests kept inside module folders (not application code) and",
           "# copies of third-party code (a licence file of their own, no import of the package):",
            *_toml_list("exclude", layout.exclude)] if layout.exclude else
          [f"exclude = []  # globs of paths not to check, e.g. [\"{layout.package}/migrations\"]"]),
        "",
        "[tool.archguard.roles]",
        "# Role -> its file in each module folder: a name or a list of patterns ({module} is",
        "# the folder's name, * matches within a path segment, db/api.py is in a subfolder).",
    ]
    for role, value in layout.roles.items():
        lines.append(f"{role} = {_toml(value)}  # in {layout.role_counts.get(role, 0)} of {n}")
    return "\n".join(lines) + "\n"


def _toml_list(key: str, values: list[str]) -> list[str]:
    inline = f"{key} = {_toml(values)}"
    if len(inline) <= 96:
        return [inline]
    return [f"{key} = [", *(f"    {_toml(value)}," for value in values), "]"]


# Table headers start at column 0 (an indented "[...]" line is an array's continuation).
_HEADER = re.compile(r"^\[\[?\s*([^\]\s][^\]]*?)\s*\]\]?\s*(#.*)?$")


def _table_name(line: str) -> str | None:
    match = _HEADER.match(line)
    return re.sub(r"\s+", "", match.group(1)).replace('"', "") if match else None


def _is_archguard(name: str) -> bool:
    return name == "tool.archguard" or name.startswith("tool.archguard.")


def replace_section(text: str, section: str) -> str:
    """``text`` with every ``[tool.archguard...]`` table replaced by ``section`` (placed
    where the first one was). Comments just before the next table stay with that table."""
    lines = text.splitlines()
    out: list[str] = []
    skipped: list[str] = []
    inserted, inside = False, False
    for line in lines:
        name = _table_name(line)
        if name is not None:
            if inside:
                out.extend(_trailing_comments(skipped))
            inside = _is_archguard(name)
            if inside:
                skipped = []
                if not inserted:
                    out.extend(section.rstrip("\n").splitlines())
                    out.append("")
                    inserted = True
                continue
        if inside:
            skipped.append(line)
        else:
            out.append(line)
    if not inserted:
        raise ArchguardError("the existing archguard settings are not written as "
                             "[tool.archguard] tables: remove them and run 'archguard init' "
                             "again")
    return "\n".join(out).rstrip("\n") + "\n"


def _trailing_comments(lines: list[str]) -> list[str]:
    """The comment lines right before the next table header: they belong to that table."""
    kept: list[str] = []
    for line in reversed(lines):
        if line.strip().startswith("#"):
            kept.insert(0, line)
        elif line.strip():
            break
    return kept


def _new_text(pyproject: Path, section: str, force: bool) -> str:
    if not pyproject.is_file():
        return section
    text = pyproject.read_text(encoding="utf-8")
    document = read_pyproject(pyproject)
    if archguard_table(document) is None:
        return (text.rstrip("\n") + "\n\n" + section) if text.strip() else section
    if not force:
        raise ArchguardError(f"{pyproject} already has a [tool.archguard] section; run "
                             f"'archguard init --force' to replace it")
    return replace_section(text, section)


def _verify(pyproject: Path, old_text: str, new_text: str) -> None:
    """The new file must parse, hold a valid config, and keep everything else unchanged."""
    import tomllib

    def without_archguard(text: str) -> dict[str, object]:
        document = tomllib.loads(text)
        document.get("tool", {}).pop("archguard", None)
        if document.get("tool") == {}:
            document.pop("tool")
        return document

    try:
        table = archguard_table(tomllib.loads(new_text)) or {}
        same = without_archguard(old_text) == without_archguard(new_text)
    except tomllib.TOMLDecodeError as error:
        raise ArchguardError(f"cannot update {pyproject} safely ({error}); add the section "
                             f"by hand") from None
    if not same:
        raise ArchguardError(f"cannot update {pyproject} without touching other settings; "
                             f"add the section by hand")
    load_config_table(table, str(pyproject))


def init_project(root: Path, force: bool = False,
                 ruff_overlaps: dict[str, tuple[str, ...]] | None = None) -> str:
    """Detect, write pyproject.toml, and return the report to print. ``ruff_overlaps``:
    archguard code -> the ruff rules that check the same; those the project's ruff config
    enables go into ``ignore``."""
    if not root.is_dir():
        raise ArchguardError(f"not a folder: {root}")
    _refuse_source_folder(root)
    layout = detect(root)
    covered = duplicated(root, ruff_overlaps or {})
    pyproject = root / "pyproject.toml"
    old_text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    new_text = _new_text(pyproject, render_section(layout, covered), force)
    _verify(pyproject, old_text, new_text)
    crlf = pyproject.is_file() and b"\r\n" in pyproject.read_bytes()  # keep its line endings
    write_user_file(pyproject, (new_text.replace("\n", "\r\n") if crlf else new_text).encode())
    return describe(layout, pyproject, covered)


def _refuse_source_folder(root: Path) -> None:
    """init writes to the project root only: never into a package or a src folder."""
    resolved = root.resolve()
    if (resolved / "pyproject.toml").is_file():
        return
    project = next((p for p in resolved.parents if (p / "pyproject.toml").is_file()), None)
    if (resolved / "__init__.py").is_file() or resolved.name == "src" or project is not None:
        where = f" of the project at {project}" if project else ""
        raise ArchguardError(
            f"{root} is a source folder{where}, not a project root: run 'archguard init' "
            f"in the folder that holds (or will hold) pyproject.toml"
            + (f", e.g. 'archguard init {project}'" if project else ""))


def _patterns(value: str | list[str]) -> str:
    return ", ".join([value] if isinstance(value, str) else value)


def describe(layout: Layout, pyproject: Path,
             ruff_covered: dict[str, tuple[str, ...]] | None = None) -> str:
    n = layout.module_folders or len(layout.modules)
    dirs = [layout.modules_dir] if isinstance(layout.modules_dir, str) else layout.modules_dir
    lines = [
        f"archguard: wrote [tool.archguard] to {pyproject}",
        f"  package      {layout.package}"
        + (f" (in {layout.source_root}/)" if layout.source_root else ""),
        f"  modules-dir  {', '.join(dirs)} ({_count_modules(layout.modules)}"
        + (f"; {layout.module_folders} folders, judged where they hold a role file)"
           if layout.module_folders and not layout.modules else ")"),
        f"  shared       {', '.join(layout.shared) or 'none found'}",
        f"  excluded     {', '.join(layout.exclude) or 'nothing'}",
        "  roles        " + ", ".join(f"{role} = {_patterns(value)} "
                                       f"({layout.role_counts[role]}/{n})"
                                       for role, value in layout.roles.items()),
        f"  schema-base  {layout.schema_base}"
        + ("" if layout.schema_found else " (not found: create it, or edit the key)"),
        f"  model-base   {layout.model_base or 'not found'}",
        f"  database     {', '.join(layout.database_layer) or 'not found'}",
        f"  settings     {_patterns(layout.settings_module) or 'not found'}",
    ]
    if ruff_covered:
        lines.append(f"  ignore       {', '.join(sorted(ruff_covered))} (ruff already checks them)")
    for role, value in layout.roles.items():
        if n and layout.role_counts[role] * 2 < n:
            lines.append(
                f"warning: role '{role}' ({_patterns(value)}) matched {layout.role_counts[role]}"
                f" of {n} modules: set its file names in [tool.archguard.roles] (a list of "
                f"patterns), or [] if the modules have no {role}")
    lines.append("Next: 'archguard check' (and 'archguard baseline' to adopt it on existing "
                 "code).")
    return "\n".join(lines)


def _count_modules(modules: list[str]) -> str:
    listed = f": {', '.join(modules)}" if modules else ""
    return f"{len(modules)} module{'s' if len(modules) != 1 else ''}{listed}"
