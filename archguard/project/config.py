"""``[tool.archguard]`` configuration: defaults are the rulebook's conventions.

The loader is generic over the dataclasses below: a TOML key ``modules-dir`` maps to the
field ``modules_dir``; a nested table maps to a nested dataclass. Adding a setting is adding
a field made by ``setting(default, doc, example)``: the configuration reference in the docs is
generated from it (``archguard.project.reference``). Unknown keys and wrong types are errors
naming the key and the nearest valid one.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import hashlib
import json
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archguard.diagnostics import ArchguardError

if TYPE_CHECKING:
    from archguard.project.layout import ProjectLayout

SEVERITY_LEVELS = ("error", "warning", "info")  # most severe first

DEFAULT_MODULES = [
    "users", "projects", "media", "files", "transcription", "captions",
    "jobs", "notifications", "tasks", "webhooks", "system",
]


RoleFiles = str | list[str]


def setting(default: Any, doc: str, example: str, default_text: str | None = None) -> Any:
    """A config field with its documentation: the configuration reference is generated from
    ``doc`` (what it means), ``example`` (a TOML value a test loads) and the default.

    A list, dict or dataclass default is copied for each Config (frozen dataclasses need
    factories for mutable defaults)."""
    metadata = {"doc": doc, "example": example, "default_text": default_text}
    if isinstance(default, type):  # a nested table: its dataclass
        return field(default_factory=default, metadata=metadata)
    if isinstance(default, (list, dict)):
        return field(default_factory=functools.partial(copy.deepcopy, default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class RolesConfig:
    """Role -> its file in a module folder: a file name or a list of patterns relative to the
    module folder (``{module}`` is the folder's name, ``*`` matches within one path segment,
    ``db/api.py`` names a file in a subfolder). A string is a one-element list; ``[]`` means
    the layout has no file for that role. Rules speak of roles, never of file names."""

    init: RoleFiles = setting("__init__.py", "File name of a module folder's package marker.",
                              '"__init__.py"')
    models: RoleFiles = setting(
        "models.py", "A module's SQLAlchemy models: a file name or a list of patterns "
        "(`{module}` is the module folder's name, `*` matches within a path segment, a `/` "
        "allows that subfolder).", '["models.py", "models_{module}.py", "db/orm.py"]')
    schemas: RoleFiles = setting("schemas.py", "A module's Pydantic schemas (name or patterns).",
                                 '"dto.py"')
    repository: RoleFiles = setting(
        "repository.py", "A module's repository (name or patterns).",
        '["repository.py", "cruds_{module}.py", "db/api.py"]')
    service: RoleFiles = setting("service.py", "A module's service (name or patterns; `[]`: "
                                 "the modules have none).", '"services.py"')
    router: RoleFiles = setting("router.py", "A module's FastAPI router (name or patterns).",
                                '["router.py", "endpoints_{module}.py"]')

    @functools.cached_property
    def patterns(self) -> dict[str, tuple[str, ...]]:
        """Role -> its patterns, in order (a string value is a one-element tuple)."""
        found = {}
        for role in dataclasses.fields(self):
            value = getattr(self, role.name)
            found[role.name] = (value,) if isinstance(value, str) else tuple(value)
        return found

    @functools.cached_property
    def files(self) -> dict[str, str]:
        """Role -> its first pattern ("" when it has none): the one-name view of older
        callers; new code uses ``patterns`` and ``role_of``."""
        return {role: (names[0] if names else "") for role, names in self.patterns.items()}

    @functools.cached_property
    def _matchers(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(role, _pattern_regex(pattern)) for role, names in self.patterns.items()
                for pattern in names]  # role order: the first role that matches wins

    def role_of(self, file_name: str, module: str | None = None) -> str | None:
        """The role of a file, given its path relative to its module folder (a plain file
        name for a file directly inside) and the module's name for ``{module}``."""
        for role, matcher in self._matchers:
            match = matcher.fullmatch(file_name)
            if match and all(value == module for value in match.groups()):
                return role
        return None

    def expected(self, role: str, module: str) -> tuple[str, ...]:
        """The role's patterns with ``{module}`` filled in (what a message names)."""
        return tuple(p.replace("{module}", module) for p in self.patterns.get(role, ()))

    def allows_subfolder(self, name: str, module: str) -> bool:
        """Whether a role pattern lives in the subfolder ``name`` (``db/api.py`` -> ``db``)."""
        return any(matcher.fullmatch(name) for matcher in self._subfolders(module))

    def _subfolders(self, module: str) -> list[re.Pattern[str]]:
        return [_pattern_regex(pattern.replace("{module}", module).split("/")[0])
                for names in self.patterns.values() for pattern in names if "/" in pattern]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """``*`` within one path segment; each ``{module}`` a group the caller compares with the
    module's name."""
    parts = re.split(r"(\{module\}|\*)", pattern)
    out = []
    for part in parts:
        if part == "{module}":
            out.append("([^/]+)")
        elif part == "*":
            out.append("[^/]*")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


@dataclass(frozen=True)
class ComplexityConfig:
    max_grade: str = setting("B", "Worst radon complexity grade allowed (A-F); a worse grade "
                             "is reported (AG601).", '"C"')


@dataclass(frozen=True)
class PaginationConfig:
    """A list route is paginated when it has every parameter of one set, or a dependency."""

    parameter_sets: list[list[str]] = setting(
        [["limit", "offset"], ["page", "size"], ["page", "page_size"], ["page", "per_page"],
         ["cursor"], ["after", "limit"], ["before", "limit"]],
        "Query parameter sets that make a list route paginated: a route with every "
        "parameter of one set is paginated (AG503); `after`/`before` with `limit` are id "
        "cursors (keyset pagination, as OpenAI's and letta's APIs page).", '[["limit", "offset"], ["after"]]')
    dependencies: list[str] = setting(
        ["get_pagination", "PaginationParams", "Pagination"],
        "Dependencies that paginate a route, matched against the last component of the "
        "resolved name given to `Depends()` (AG503).", '["Paginator"]')
    # parameter names that cap a list when their value has an upper bound (AG503)
    bounded_limits: list[str] = setting(
        ["limit", "size", "page_size", "per_page", "items_per_page", "max_results"],
        "Parameters that cap how many items a list route returns: one of these names (or "
        "its `alias=`) with an upper bound on its value (`Query(le=...)`/`lt=`, also in "
        "`Annotated`, `Field(le=...)`, `conint(le=...)`) makes the route bounded (AG503).",
        '["limit", "top"]')


@dataclass(frozen=True)
class LayersConfig:
    """Role -> rank (AG204): a file may import only its own rank or lower; 0 = unranked."""

    router: int = setting(4, "Layer rank of routers (AG204): a file may import its own rank "
                          "or a lower one; 0 leaves the role unranked.", "4")
    service: int = setting(3, "Layer rank of services (AG204).", "3")
    repository: int = setting(2, "Layer rank of repositories (AG204).", "2")
    models: int = setting(1, "Layer rank of models (AG204); equal ranks may import each other.",
                          "1")
    schemas: int = setting(1, "Layer rank of schemas (AG204).", "0")

    def rank(self, role: str | None) -> int:
        return getattr(self, role, 0) if role else 0


@dataclass(frozen=True)
class SessionConfig:
    """How a database session is recognised: its type, or the dependency that provides it."""

    types: list[str] = setting(
        ["sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession",
         "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session",
         "sqlmodel.Session", "sqlmodel.ext.asyncio.session.AsyncSession"],
        "Resolved names of the database session types (AG504).",
        '["sqlalchemy.ext.asyncio.AsyncSession", "app.db.Session"]')
    dependencies: list[str] = setting(
        ["get_db"], "Dependencies that provide a session, matched against the last component "
        "of the resolved name given to `Depends()` (AG504).", '["get_db", "get_session"]')


@dataclass(frozen=True)
class StyleConfig:
    max_function_lines: int = setting(
        30, "Longest function body allowed, in code lines: docstring, blank and comment lines "
        "excluded; at least 1 (AG602).", "40")
    allow_any_in_star_args: bool = setting(
        False, "Accept `*args: Any` / `**kwargs: Any` in public signatures (AG803).", "true")
    allowed_bases: list[str] = setting(
        [], "Class names or qualified names exempt from AG804 (a base the team decided to "
        "keep).", '["cpv3.common.service.CRUDBase"]')


@dataclass(frozen=True)
class Config:
    package: str = setting("cpv3", "The import root (a dotted package name), relative to the "
                           "project root.", '"app"')
    source_root: str = setting(
        "", "Where the package folder lies, relative to the project root (`\"src\"` for a src "
        "layout).", '"src"', default_text='"" (the project root)')
    modules_dir: str | list[str] = setting(
        "cpv3/modules", "The folder (or list of folders) whose subfolders are the business "
        "modules, relative to the project root. One may lie inside another (a module with "
        "sub-modules): the longest decides a file's module, and the files directly in the "
        "inner one are its folder's module.", '["app/modules", "app/core"]')
    shared: list[str] = setting(
        [], "Folders (globs) inside a modules dir that are shared code, not domain modules: no "
        "layout rules, not in the module graph, never a cross-module import.",
        '["app/core/utils", "polar/kit"]')
    layout_ignore: list[str] = setting(
        [], "Globs of files or subfolders in module folders that the layout rules (AG101, "
        "AG102) leave alone.", '["*/migrations"]')
    module_names: list[str] = setting(
        DEFAULT_MODULES, "The expected module folders (AG104, AG105), each judged by the "
        "layout rules; `[]` accepts any module and judges only folders holding a router, "
        "service, models or repository file (AG101-AG103).",
        '["users", "billing"]')
    schema_base: str = setting(
        "cpv3.common.schemas.Schema", "The class every Pydantic schema derives from, where it "
        "is defined or re-exported (AG301-AG303).", '"app.common.schemas.Schema"')
    schema_suffixes: list[str] = setting(
        ["Create", "Update", "Read"], "Name endings a schema must have (AG302).",
        '["Create", "Update", "Read", "Base"]')
    model_base: str = setting("cpv3.db.base.Base", "The SQLAlchemy declarative base (AG304).",
                              '"app.db.Base"')
    model_mixin: str = setting(
        "cpv3.db.base.BaseModelMixin", "The mixin with id, timestamps and `is_deleted` that "
        "every model derives from (AG304, AG402).", '"app.db.ModelMixin"')
    soft_delete_helpers: list[str] = setting(
        ["not_deleted"], "Calls that count as the `is_deleted` filter (AG402).",
        '["not_deleted", "active_only"]')
    query_methods: list[str] = setting(
        ["execute", "scalar", "scalars", "get", "get_one", "stream", "stream_scalars"],
        "Awaited calls that count as one query in a repository method (AG403).",
        '["execute", "scalars", "flush"]')
    # repository method verbs that write: a loop of them is a batch, not N+1 reads (AG405)
    write_verbs: list[str] = setting(
        ["add", "create", "insert", "update", "delete", "remove", "save", "upsert", "persist",
         "store", "set", "unset", "soft_delete", "mark", "bulk", "commit", "rollback", "flush",
         "begin", "expunge", "expire", "close", "link", "unlink", "attach", "detach", "assign",
         "unassign", "associate", "dissociate", "disassociate", "increment", "decrement",
         "grant", "revoke", "reset", "release", "record", "promote", "demote", "activate",
         "deactivate", "enable", "disable", "archive", "unarchive", "restore", "transfer",
         "patch", "replace", "rename", "move", "touch", "clear", "purge"],
        "Verbs of repository methods that write: a method named `<verb>` or `<verb>_...` "
        "(leading underscores ignored) called in a loop is a batch of writes, not N+1 reads "
        "(AG405).", '["add", "create", "update", "delete", "link"]')
    select: list[str] | None = setting(
        None, "Codes or prefixes to report; overridden by `--select`.", '["AG2", "AG501"]',
        default_text="every rule that is on by default")
    ignore: list[str] = setting([], "Codes or prefixes to leave out everywhere; `--ignore` adds "
                                "to it.", '["AG601"]')
    fixable: list[str] | None = setting(
        None, "Codes, prefixes or slugs that `--fix` may fix.", '["AG2", "AG801"]',
        default_text="every rule with a fix")
    unfixable: list[str] = setting(
        [], "Codes, prefixes or slugs that `--fix` never fixes (reported as usual).",
        '["AG501"]')
    exclude: list[str] = setting([], "Globs of paths not to check, relative to the project root.",
                                 '["cpv3/legacy/*"]')
    python_version: str | None = setting(
        None, "The oldest Python the project supports (`\"3.12\"`). Unset: the lower bound of "
        "`[project] requires-python`. From 3.14 annotations are deferred (PEP 649), so AG801 "
        "does not ask for `from __future__ import annotations`.", '"3.12"',
        default_text="from requires-python")
    tests_dir: str = setting("tests", "The tests folder (AG805 and your own semgrep rules look "
                             "at it).", '"backend/tests"')
    settings_module: str | list[str] | None = setting(
        None, "The settings module(s), the files allowed to read the environment and hold "
        "configuration literals (AG702, AG703): a path or a list of paths. Unset: detected (a "
        "`BaseSettings` subclass, or a `settings.py`/`config.py`/`configs.py` or a module of a "
        "`settings`/`config`/`configs`/`conf` package reading the environment).",
        '"app/core/config.py"', default_text="detected")
    allow_env_in_scripts: bool = setting(
        True, "A standalone script, a module with an `if __name__ == \"__main__\":` block "
        "that imports nothing from the package, may read the environment (AG703): it cannot "
        "reach the settings module without importing the package; so may any module's "
        "`__main__` block. `false` reports them.",
        "false")
    public_hosts: list[str] = setting(
        [], "Hosts whose URLs are never configuration, for links and identifiers that are the "
        "same everywhere: AG702 does not report a URL on one of them or on a subdomain of one "
        "(schema namespaces and `example.com` are always left alone).",
        '["github.com", "gravatar.com"]')
    actor_bounds: list[str] | None = setting(
        None, "Bounds every Dramatiq actor gets from the broker's middleware, which AG704 then "
        "does not ask each actor for: `max_retries` (`Retries(max_retries=...)`), "
        "`time_limit` (`TimeLimit(time_limit=...)`). Unset: detected from those calls.",
        '["max_retries"]', default_text="detected")
    db_layer: list[str] | None = setting(
        None, "Globs of the database layer, the files allowed to make sessions (AG407). Unset: "
        "detected (`<package>/db/`, `<package>/infrastructure/`, files building a "
        "sessionmaker or engine or defining the session dependency).",
        '["app/db/**", "app/dependencies.py"]', default_text="detected")
    migrations: list[str] | None = setting(
        None, "Globs of database migration scripts, which are not checked (only AG000 is "
        "reported there): they run on a sync connection and are generated straight-line. "
        "Unset: detected (a file assigning module-level `revision` and `down_revision`, "
        "Alembic's header); `[]`: check migrations like any other file.",
        '["app/alembic/versions/*.py"]', default_text="detected")
    type_checking_imports: bool = setting(
        False, "Count `if TYPE_CHECKING:` imports as dependencies (AG202-AG205).", "true")
    roles: RolesConfig = setting(RolesConfig, "Role -> file name inside each module folder.",
                                 '{ repository = "crud.py" }')
    per_file_ignores: dict[str, list[str]] = setting(
        {}, "Glob -> codes or prefixes to leave out in matching paths (relative to the project "
        "root; `*` also crosses `/`; a folder covers everything under it).",
        '{ "cpv3/modules/legacy_*" = ["AG1"] }')
    complexity: ComplexityConfig = setting(ComplexityConfig, "Complexity limit (AG601).",
                                           '{ max-grade = "C" }')
    pagination: PaginationConfig = setting(PaginationConfig, "What makes a list route "
                                           "paginated (AG503).", '{ dependencies = ["Page"] }')
    session: SessionConfig = setting(SessionConfig, "How a database session is recognised.",
                                     '{ dependencies = ["get_session"] }')
    layers: LayersConfig = setting(LayersConfig, "Role -> layer rank (AG204).",
                                   "{ schemas = 0 }")
    max_cycles: int = setting(50, "Most module cycles AG205 reports (one more finding says "
                              "that there are more); at least 1.", "20")
    style: StyleConfig = setting(StyleConfig, "Style limits (AG602, AG803, AG804).",
                                 "{ max-function-lines = 40 }")
    semgrep: bool = setting(True, "Run the semgrep-backed rules inside `check` (`false` is "
                            "`--no-semgrep`).", "false")
    semgrep_rules: list[str] = setting(
        [], "Folders or files of your own semgrep rules (`*.yaml`/`*.yml`), relative to the "
        "project root.", '["tools/semgrep"]')
    semgrep_timeout: int = setting(300, "Seconds the whole semgrep run may take; at least 1.",
                                   "600")
    baseline: str | None = setting(
        None, "Baseline file, relative to the project root, that `check` applies (unless "
        "`--no-baseline`) and `archguard baseline` writes.", '"archguard-baseline.json"',
        default_text="none")
    severity: dict[str, str] = setting(
        {}, "Code, prefix or slug -> `\"error\"`, `\"warning\"` or `\"info\"`; only errors "
        "fail the run unless `--fail-on`.", '{ AG601 = "warning" }')
    max_file_size_kb: int = setting(
        4096, "Files larger than this (KiB) are AG000 \"file too large\" findings, never read "
        "whole; semgrep gets the same limit; at least 1.", "8192")

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_size_kb * 1024

    @property
    def modules_dirs(self) -> tuple[str, ...]:
        """Every modules dir, without leading or trailing slashes."""
        dirs = [self.modules_dir] if isinstance(self.modules_dir, str) else self.modules_dir
        return tuple(d.strip("/") for d in dirs)

    @functools.cached_property
    def layout(self) -> ProjectLayout:
        """Where a path lies in the layout (module, role, shared): built once per config."""
        from archguard.project.layout import ProjectLayout

        return ProjectLayout(self)

    @property
    def settings_modules(self) -> list[str]:
        """The settings module paths (configured or detected), as a list."""
        value = self.settings_module
        if value is None:
            return []
        return [value.strip("/")] if isinstance(value, str) else [v.strip("/") for v in value]

    @property
    def db_layer_globs(self) -> list[str]:
        return [glob.strip("/") for glob in self.db_layer or []]

    @property
    def migration_globs(self) -> list[str]:
        return [glob.strip("/") for glob in self.migrations or []]

    @property
    def oldest_python(self) -> tuple[int, int] | None:
        """``python-version`` as (major, minor); None when unknown."""
        match = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", self.python_version or "")
        return (int(match[1]), int(match[2])) if match else None

    def fingerprint(self) -> str:
        """A stable hash of the effective config (cache keys)."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_config_table(table: dict[str, Any], source: str) -> Config:
    """Build a Config from the ``[tool.archguard]`` table, validating every key."""
    config = _build(Config, table, source, "tool.archguard")
    _validate_values(config, source)
    return config


def read_pyproject(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ArchguardError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ArchguardError(f"{path}: cannot read: {error.strerror}") from None


def archguard_table(document: dict[str, Any]) -> dict[str, Any] | None:
    tool = document.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("archguard"), dict):
        return tool["archguard"]
    return None


def _build(cls: type, table: dict[str, Any], source: str, where: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name.replace("_", "-"): f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in names:
            raise ArchguardError(_unknown_key(source, where, key, list(names)))
        values[names[key]] = _convert(hints[names[key]], value, source, f"{where}.{key}")
    return cls(**values)


def _unknown_key(source: str, where: str, key: str, valid: list[str]) -> str:
    near = difflib.get_close_matches(key.replace("_", "-"), valid, n=1, cutoff=0.5)
    suggestion = f" (did you mean '{near[0]}'?)" if near else f" (valid keys: {', '.join(valid)})"
    return f"{source}: unknown key '{key}' in [{where}]{suggestion}"


def _convert(hint: Any, value: Any, source: str, where: str) -> Any:
    _no_nul(value, source, where)
    if typing.get_origin(hint) is dict and isinstance(value, dict):
        _key_type, item = typing.get_args(hint)
        for key, entry in value.items():  # name the entry that is wrong, not the table
            if not _matches(item, entry):
                raise ArchguardError(f"{source}: '{where}.\"{key}\"' must be "
                                     f"{_describe(item)}, got {type(entry).__name__}")
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ArchguardError(f"{source}: '{where}' must be a table")
        return _build(hint, value, source, where)
    if _matches(hint, value):
        return value
    raise ArchguardError(
        f"{source}: '{where}' must be {_describe(hint)}, got {type(value).__name__}")


def _no_nul(value: Any, source: str, where: str) -> None:
    """A NUL character would silently cut a path or a pattern short wherever it is used."""
    texts = [value] if isinstance(value, str) else list(value) if isinstance(value, list) \
        else [*value, *value.values()] if isinstance(value, dict) else []
    if any(isinstance(text, str) and "\0" in text for text in texts):
        raise ArchguardError(f"{source}: '{where}' contains a NUL character")


def _matches(hint: Any, value: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(arg, value) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_matches(item, v) for v in value)
    if origin is dict:
        key_type, item = typing.get_args(hint)
        return isinstance(value, dict) and all(_matches(item, v) for v in value.values())
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0])}"
    if origin is dict:
        return f"a table of {_describe(typing.get_args(hint)[1])}"
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(args) > 1:
        return " or ".join(_describe(arg) for arg in args)
    if args:
        return _describe(args[0])
    return {str: "a string", bool: "true or false", int: "an integer"}.get(hint, str(hint))


def _validate_values(config: Config, source: str) -> None:
    if config.python_version is not None and config.oldest_python is None:
        raise ArchguardError(f"{source}: 'tool.archguard.python-version' must look like "
                             f"\"3.12\", got {config.python_version!r}")
    for role, rank in dataclasses.asdict(config.layers).items():
        if rank < 0:
            raise ArchguardError(
                f"{source}: 'tool.archguard.layers.{role}' must be 0 (unranked) or more")
    if config.max_cycles < 1:
        raise ArchguardError(f"{source}: 'tool.archguard.max-cycles' must be at least 1")
    if config.semgrep_timeout < 1:
        raise ArchguardError(f"{source}: 'tool.archguard.semgrep-timeout' must be at least 1")
    if config.style.max_function_lines < 1:
        raise ArchguardError(
            f"{source}: 'tool.archguard.style.max-function-lines' must be at least 1")
    for code, level in config.severity.items():
        if level not in SEVERITY_LEVELS:
            raise ArchguardError(f"{source}: 'tool.archguard.severity.{code}' must be one of "
                                 f"{', '.join(SEVERITY_LEVELS)}, got '{level}'")
    if config.baseline is not None and not config.baseline.strip():
        raise ArchguardError(f"{source}: 'tool.archguard.baseline' must be a file name")
    grade = config.complexity.max_grade
    if grade not in tuple("ABCDEF"):
        raise ArchguardError(
            f"{source}: 'tool.archguard.complexity.max-grade' must be one of A-F, got '{grade}'")
    if not config.package or "/" in config.package:
        raise ArchguardError(f"{source}: 'tool.archguard.package' must be a dotted package name")
    if not config.modules_dirs or not all(config.modules_dirs):
        raise ArchguardError(f"{source}: 'tool.archguard.modules-dir' must name at least one "
                             f"folder")
    for role, patterns in config.roles.patterns.items():
        for pattern in patterns:
            if not pattern or pattern.startswith("/") or ".." in pattern.split("/") \
                    or pattern.endswith("/"):
                raise ArchguardError(
                    f"{source}: 'tool.archguard.roles.{role}' has the pattern '{pattern}': "
                    f"a pattern is a file path relative to the module folder")
    if config.max_file_size_kb < 1:
        raise ArchguardError(f"{source}: 'tool.archguard.max-file-size-kb' must be at least 1")
    _validate_roles(config.roles, source)
    for key in ("modules-dir", "tests-dir", "settings-module"):
        for path in as_paths(getattr(config, key.replace("-", "_"))):
            _check_relative(path, source, f"tool.archguard.{key}")
    for pattern in config.per_file_ignores:
        _check_relative(pattern, source, f"tool.archguard.per-file-ignores.\"{pattern}\"")


def as_paths(value: str | list[str] | None) -> list[str]:
    """A path key's paths: one string, a list where a key accepts several, none when unset
    (detected)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _check_relative(path: str, source: str, where: str) -> None:
    """Paths in the config are relative to the project root and stay inside it."""
    posix = path.replace("\\", "/")
    if not posix.strip():
        raise ArchguardError(f"{source}: '{where}' is empty")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        raise ArchguardError(f"{source}: '{where}' must be relative to the project root, "
                             f"got the absolute path '{path}'")
    if ".." in posix.split("/"):
        raise ArchguardError(f"{source}: '{where}' must stay inside the project root "
                             f"(no '..'), got '{path}'")


def _validate_roles(roles: RolesConfig, source: str) -> None:
    """No two roles name the same file (the second would never be seen)."""
    owner: dict[str, str] = {}
    for role, patterns in roles.patterns.items():
        for name in patterns:
            if name in owner and owner[name] != role:
                raise ArchguardError(
                    f"{source}: 'tool.archguard.roles.{role}' and 'tool.archguard.roles."
                    f"{owner[name]}' are both '{name}': one file has one role")
            owner.setdefault(name, role)
