"""``[tool.archguard]`` configuration: defaults are the rulebook's conventions.

The loader is generic over the dataclasses below: a TOML key ``modules-dir`` maps to the
field ``modules_dir``; a nested table maps to a nested dataclass. Adding a setting is adding
a field with its default. Unknown keys and wrong types are errors naming the key and the
nearest valid one.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archguard.diagnostics import ArchguardError

DEFAULT_MODULES = [
    "users", "projects", "media", "files", "transcription", "captions",
    "jobs", "notifications", "tasks", "webhooks", "system",
]


@dataclass(frozen=True)
class RolesConfig:
    """Role -> file name. Rules speak of roles, never of file names."""

    init: str = "__init__.py"
    models: str = "models.py"
    schemas: str = "schemas.py"
    repository: str = "repository.py"
    service: str = "service.py"
    router: str = "router.py"

    @functools.cached_property
    def files(self) -> dict[str, str]:
        """Role -> file name, computed once (``asdict`` deep-copies on every call)."""
        return {role.name: getattr(self, role.name) for role in dataclasses.fields(self)}

    @functools.cached_property
    def _roles_by_file(self) -> dict[str, str]:
        return {name: role for role, name in reversed(self.files.items())}  # first role wins

    def role_of(self, file_name: str) -> str | None:
        return self._roles_by_file.get(file_name)


@dataclass(frozen=True)
class ComplexityConfig:
    max_grade: str = "B"


@dataclass(frozen=True)
class PaginationConfig:
    """A list route is paginated when it has every parameter of one set, or a dependency."""

    parameter_sets: list[list[str]] = field(default_factory=lambda: [
        ["limit", "offset"], ["page", "size"], ["page", "page_size"], ["page", "per_page"],
        ["cursor"],
    ])
    # Matched against the last component of the resolved name given to Depends().
    dependencies: list[str] = field(
        default_factory=lambda: ["get_pagination", "PaginationParams", "Pagination"])


@dataclass(frozen=True)
class LayersConfig:
    """Role -> rank (AG204): a file may import only its own rank or lower; 0 = unranked."""

    router: int = 4
    service: int = 3
    repository: int = 2
    models: int = 1
    schemas: int = 1

    def rank(self, role: str | None) -> int:
        return getattr(self, role, 0) if role else 0


@dataclass(frozen=True)
class SessionConfig:
    """How a database session is recognised: its type, or the dependency that provides it."""

    types: list[str] = field(default_factory=lambda: [
        "sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session",
        "sqlmodel.Session", "sqlmodel.ext.asyncio.session.AsyncSession",
    ])
    # Matched against the last component of the resolved name given to Depends().
    dependencies: list[str] = field(default_factory=lambda: ["get_db"])


@dataclass(frozen=True)
class StyleConfig:
    max_function_lines: int = 30  # code lines of a body, docstring/blank/comment lines excluded
    allow_any_in_star_args: bool = False  # accept `*args: Any` / `**kwargs: Any` (AG803)
    # Class names or qualnames exempt from AG804 (a base the team decided to keep).
    allowed_bases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Config:
    package: str = "cpv3"
    modules_dir: str = "cpv3/modules"
    module_names: list[str] = field(default_factory=lambda: list(DEFAULT_MODULES))
    schema_base: str = "cpv3.common.schemas.Schema"
    schema_suffixes: list[str] = field(default_factory=lambda: ["Create", "Update", "Read"])
    model_base: str = "cpv3.db.base.Base"  # the declarative base (AG304)
    model_mixin: str = "cpv3.db.base.BaseModelMixin"  # id, timestamps, is_deleted (AG304/402)
    soft_delete_helpers: list[str] = field(default_factory=lambda: ["not_deleted"])
    # Awaited calls that count as one query in a repository method (AG403).
    query_methods: list[str] = field(default_factory=lambda: [
        "execute", "scalar", "scalars", "get", "get_one", "stream", "stream_scalars"])
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    fixable: list[str] | None = None  # codes/prefixes --fix may fix (default: every fix)
    unfixable: list[str] = field(default_factory=list)  # codes/prefixes --fix never fixes
    exclude: list[str] = field(default_factory=list)
    tests_dir: str = "tests"
    settings_module: str = "cpv3/infrastructure/settings.py"
    type_checking_imports: bool = False  # count `if TYPE_CHECKING:` imports as dependencies
    roles: RolesConfig = field(default_factory=RolesConfig)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    complexity: ComplexityConfig = field(default_factory=ComplexityConfig)
    pagination: PaginationConfig = field(default_factory=PaginationConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    layers: LayersConfig = field(default_factory=LayersConfig)
    max_cycles: int = 50  # AG205 reports at most this many module cycles
    style: StyleConfig = field(default_factory=StyleConfig)
    semgrep: bool = True  # run the semgrep rules (semgrep_rules/) inside `check`
    # Folders of your own semgrep rules (*.yaml/*.yml), relative to the project root.
    semgrep_rules: list[str] = field(default_factory=list)
    semgrep_timeout: int = 300  # seconds for the whole semgrep run

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
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ArchguardError(f"{source}: '{where}' must be a table")
        return _build(hint, value, source, where)
    if _matches(hint, value):
        return value
    raise ArchguardError(
        f"{source}: '{where}' must be {_describe(hint)}, got {type(value).__name__}")


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
    if args:
        return _describe(args[0])
    return {str: "a string", bool: "true or false", int: "an integer"}.get(hint, str(hint))


def _validate_values(config: Config, source: str) -> None:
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
    grade = config.complexity.max_grade
    if grade not in tuple("ABCDEF"):
        raise ArchguardError(
            f"{source}: 'tool.archguard.complexity.max-grade' must be one of A-F, got '{grade}'")
    if not config.package or "/" in config.package:
        raise ArchguardError(f"{source}: 'tool.archguard.package' must be a dotted package name")
