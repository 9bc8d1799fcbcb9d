"""``archguard init``: detect a project's layout and write ``[tool.archguard]``.

Detection reads folder and file names only (and greps two files for a class or base name);
it never imports the project. The package is the top-level folder with ``__init__.py`` that
holds a ``modules`` folder (else the one with the most Python files); role file names are
what most module folders use, among known synonyms (``endpoints.py`` for the router, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archguard.diagnostics import ArchguardError
from archguard.project.config import (
    RolesConfig,
    archguard_table,
    load_config_table,
    read_pyproject,
)
from archguard.project.ruff import duplicated

ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "init": ("__init__.py",),
    "models": ("models.py", "model.py"),
    "schemas": ("schemas.py", "schema.py", "dto.py", "dtos.py"),
    "repository": ("repository.py", "repositories.py", "repo.py", "crud.py"),
    "service": ("service.py", "services.py"),
    "router": ("router.py", "routers.py", "routes.py", "endpoints.py", "api.py", "views.py"),
}
NOT_PACKAGES = frozenset({"tests", "test", "docs", "scripts", "migrations", "alembic",
                          "build", "dist", "node_modules", "venv"})
_CLASS_SCHEMA = re.compile(r"^class\s+Schema\s*[(:]", re.MULTILINE)


@dataclass
class Layout:
    """What ``init`` found; ``role_counts`` maps role -> (modules using its file, modules)."""

    package: str
    modules_dir: str
    modules: list[str]
    roles: dict[str, str]
    role_counts: dict[str, int] = field(default_factory=dict)
    schema_base: str = ""
    schema_found: bool = False
    settings_module: str | None = None
    tests_dir: str | None = None


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(c for c in folder.iterdir() if not c.name.startswith(".")
                      and c.name != "__pycache__")
    except OSError:
        return []


def _python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        if not any(part.startswith(".") or part == "__pycache__" for part in path.parts):
            yield path


def find_package(root: Path) -> Path:
    candidates = [c for c in _children(root) if c.is_dir() and (c / "__init__.py").is_file()
                  and c.name not in NOT_PACKAGES]
    if not candidates:
        raise ArchguardError(f"no Python package found in {root}: expected a top-level "
                             f"folder with an __init__.py (such as cpv3/)")
    with_modules = [c for c in candidates if (c / "modules").is_dir()]
    pool = with_modules or candidates
    return max(pool, key=lambda c: (sum(1 for _ in _python_files(c)), c.name == "cpv3"))


def find_modules_dir(package_dir: Path) -> Path | None:
    """``<package>/modules``, else the subfolder holding the most sub-packages (two or more)."""
    if (package_dir / "modules").is_dir():
        return package_dir / "modules"
    scored = [(sum(1 for g in _children(c) if g.is_dir() and (g / "__init__.py").is_file()), c)
              for c in _children(package_dir) if c.is_dir()]
    best = max(scored, default=(0, None), key=lambda item: item[0])
    return best[1] if best[0] >= 2 else None


def detect_roles(module_dirs: list[Path]) -> tuple[dict[str, str], dict[str, int]]:
    """Role -> the synonym most module folders use (ties and no use keep the default)."""
    defaults = RolesConfig()
    files = [{c.name for c in _children(d) if c.is_file()} for d in module_dirs]
    roles, counts = {}, {}
    for role, synonyms in ROLE_SYNONYMS.items():
        default = getattr(defaults, role)
        usage = {name: sum(1 for names in files if name in names) for name in synonyms}
        best = max(synonyms, key=lambda name: (usage[name], name == default))
        roles[role] = best if usage[best] else default
        counts[role] = usage[best]
    return roles, counts


def _find_schema(root: Path, package_dir: Path, package: str) -> tuple[str, bool]:
    for relative in ("common/schemas.py", "schemas.py", "core/schemas.py"):
        path = package_dir / relative
        if path.is_file() and _CLASS_SCHEMA.search(path.read_text("utf-8", errors="replace")):
            dotted = relative.removesuffix(".py").replace("/", ".")
            return f"{package}.{dotted}.Schema", True
    return f"{package}.common.schemas.Schema", False


def _find_settings(root: Path, package_dir: Path) -> str | None:
    named = [p for p in _python_files(package_dir) if p.name in ("settings.py", "config.py")]
    for path in named:
        if "BaseSettings" in path.read_text("utf-8", errors="replace"):
            return path.relative_to(root).as_posix()
    return None


def detect(root: Path) -> Layout:
    package_dir = find_package(root)
    package = package_dir.name
    modules_dir = find_modules_dir(package_dir)
    module_dirs = [c for c in _children(modules_dir) if c.is_dir()] if modules_dir else []
    roles, counts = detect_roles(module_dirs)
    schema_base, schema_found = _find_schema(root, package_dir, package)
    return Layout(
        package=package,
        modules_dir=(modules_dir or package_dir / "modules").relative_to(root).as_posix(),
        modules=[d.name for d in module_dirs],
        roles=roles, role_counts=counts,
        schema_base=schema_base, schema_found=schema_found,
        settings_module=_find_settings(root, package_dir),
        tests_dir=next((n for n in ("tests", "test") if (root / n).is_dir()), None),
    )


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list is valid TOML


def _module_names(modules: list[str]) -> list[str]:
    inline = f"module-names = {_toml(modules)}"
    if len(inline) <= 96:
        return [inline]
    return ["module-names = [", *(f"    {_toml(name)}," for name in modules), "]"]


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
    n = len(layout.modules)
    lines = [
        "[tool.archguard]",
        "# Written by 'archguard init' from the layout it found; edit freely.",
        "# Every key is optional: the defaults are the cpv3 rulebook's conventions.",
        "# 'archguard rules' lists the rules, 'archguard explain CODE' explains one.",
        f"package = {_toml(layout.package)}  # import root, relative to this file's folder",
        f"modules-dir = {_toml(layout.modules_dir)}  # one folder per business module",
        f"# The {n} module folder{'s' if n != 1 else ''} found; [] accepts any module.",
        *_module_names(layout.modules),
        f"schema-base = {_toml(layout.schema_base)}  # "
        + ("every Pydantic schema derives from it" if layout.schema_found
           else "not found yet: the rulebook's place for the Schema base"),
    ]
    if layout.settings_module:
        lines.append(f"settings-module = {_toml(layout.settings_module)}")
    if layout.tests_dir:
        lines.append(f"tests-dir = {_toml(layout.tests_dir)}")
    lines += [
        '# select = ["AG"]  # default: every rule that is on by default',
        *_ignore_lines(ruff_covered or {}),
        f"exclude = []  # globs of paths not to check, e.g. [\"{layout.package}/migrations\"]",
        "",
        "[tool.archguard.roles]",
        "# Role -> file name inside each module folder: what most modules use.",
    ]
    for role, name in layout.roles.items():
        lines.append(f"{role} = {_toml(name)}  # in {layout.role_counts.get(role, 0)} of {n}")
    return "\n".join(lines) + "\n"


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
    layout = detect(root)
    covered = duplicated(root, ruff_overlaps or {})
    pyproject = root / "pyproject.toml"
    old_text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    new_text = _new_text(pyproject, render_section(layout, covered), force)
    _verify(pyproject, old_text, new_text)
    crlf = pyproject.is_file() and b"\r\n" in pyproject.read_bytes()  # keep its line endings
    try:
        pyproject.write_text(new_text, encoding="utf-8", newline="\r\n" if crlf else "\n")
    except OSError as error:
        raise ArchguardError(f"cannot write {pyproject}: {error.strerror}") from None
    return describe(layout, pyproject, covered)


def describe(layout: Layout, pyproject: Path,
             ruff_covered: dict[str, tuple[str, ...]] | None = None) -> str:
    n = len(layout.modules)
    roles = ", ".join(f"{role} = {name} ({layout.role_counts[role]}/{n})"
                      for role, name in layout.roles.items())
    return "\n".join([
        f"archguard: wrote [tool.archguard] to {pyproject}",
        f"  package      {layout.package}",
        f"  modules-dir  {layout.modules_dir} ({_count_modules(layout.modules)})",
        f"  roles        {roles}",
        f"  schema-base  {layout.schema_base}"
        + ("" if layout.schema_found else " (not found: create it, or edit the key)"),
        f"  settings     {layout.settings_module or 'not found'}",
        *([f"  ignore       {', '.join(sorted(ruff_covered))} (ruff already checks them)"]
          if ruff_covered else []),
        "Next: 'archguard check' (and 'archguard baseline' to adopt it on existing code).",
    ])


def _count_modules(modules: list[str]) -> str:
    listed = f": {', '.join(modules)}" if modules else ""
    return f"{len(modules)} module{'s' if len(modules) != 1 else ''}{listed}"
