"""Seeded generator of synthetic cpv3 backends for the archguard benchmark (issue 6).

Why a generator instead of a checked-in fixture: the benchmark needs trees of 100, 300 and
1,000 modules (about 87k lines at 300), far too big to keep in git, and the numbers are only
comparable between runs if the trees are byte-identical for the same arguments. Everything
below draws from ``random.Random`` seeded with strings (seeding from a ``str`` hashes it with
SHA-512, so it does not depend on ``PYTHONHASHSEED``), iterates in a fixed order and writes no
timestamps.

The generated code follows the cpv3 rulebook ("Domain Knowledge" in
``/work/shared/reference/backend-architect.md``) so that a conforming module produces no
findings. About 2% of the modules (seeded choice, module 0 excluded) get one planted
violation of each kind, plus one two-module import cycle; :class:`TreeStats` lists every
planted violation with its file so tests can compare findings against them.

Usage as a script::

    python tests/perf/synth.py OUT_DIR --modules 300 --seed 6 [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

PLANT_FRACTION = 0.02
DEFAULT_SEED = 6
LINE_LENGTH = 100  # the cpv3 ruff setting; generated code stays ruff-format clean

# Kinds of planted violations; the cycle involves two modules but counts as one violation.
PLANT_KINDS = (
    "relative_import",
    "cross_module_repository_import",
    "raw_basemodel_schema",
    "inline_http_error_detail",
    "unpaginated_list_route",
    "complex_function",
    "extra_module_file",
    "router_imports_repository",
)
CYCLE_KIND = "module_cycle"


@dataclass
class TreeStats:
    """What was generated: sizes for the benchmark table, plants for expected findings."""

    root: Path
    modules: int
    seed: int
    files: int = 0
    lines: int = 0
    planted: dict[str, int] = field(default_factory=dict)
    planted_at: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """Plain-data view, used by ``bench.py --json`` and the CLI below."""
        return {
            "root": str(self.root),
            "modules": self.modules,
            "seed": self.seed,
            "files": self.files,
            "lines": self.lines,
            "planted": dict(self.planted),
            "planted_at": {kind: list(paths) for kind, paths in self.planted_at.items()},
        }


@dataclass(frozen=True)
class FieldSpec:
    """One model column and its mirror in the schemas."""

    name: str
    py_type: str
    column: str
    col_types: tuple[str, ...]
    nullable: bool = False
    index: bool = False
    literal: tuple[str, ...] = ()


FIELD_POOL: tuple[FieldSpec, ...] = (
    FieldSpec("slug", "str", "String(120)", ("String",), index=True),
    FieldSpec("description", "str", "Text", ("Text",), nullable=True),
    FieldSpec(
        "status",
        "str",
        "String(32)",
        ("String",),
        index=True,
        literal=("draft", "active", "paused", "archived"),
    ),
    FieldSpec("priority", "int", "Integer", ("Integer",)),
    FieldSpec("position", "int", "Integer", ("Integer",)),
    FieldSpec("is_active", "bool", "Boolean", ("Boolean",), index=True),
    FieldSpec("is_public", "bool", "Boolean", ("Boolean",)),
    FieldSpec("due_at", "datetime", "DateTime(timezone=True)", ("DateTime",), nullable=True),
    FieldSpec("started_at", "datetime", "DateTime(timezone=True)", ("DateTime",), nullable=True),
    FieldSpec("amount", "Decimal", "Numeric(12, 2)", ("Numeric",)),
    FieldSpec("owner_id", "UUID", "Uuid", ("Uuid",), nullable=True, index=True),
    FieldSpec("external_ref", "str", "String(64)", ("String",), nullable=True, index=True),
    FieldSpec("score", "float", "Float", ("Float",)),
    FieldSpec("duration_ms", "int", "BigInteger", ("BigInteger",)),
    FieldSpec("language", "str", "String(8)", ("String",), literal=("en", "de", "fr", "es", "ru")),
    FieldSpec("payload", "dict[str, object]", "JSON", ("JSON",), nullable=True),
    FieldSpec("kind", "str", "String(24)", ("String",), literal=("video", "audio", "image")),
    FieldSpec("retries", "int", "SmallInteger", ("SmallInteger",)),
)
TITLE_FIELD = FieldSpec("title", "str", "String(255)", ("String",), index=True)
LABELS = ("low", "normal", "elevated", "high", "urgent", "critical", "blocked", "review")


@dataclass
class ModulePlan:
    """Everything decided for one module before its files are rendered."""

    index: int
    fields: list[FieldSpec]
    deps: list[int]
    rule_branches: list[int]
    extra_routes: list[str]
    plants: set[str] = field(default_factory=set)
    repo_dep: int | None = None
    cycle_peer: int | None = None

    @property
    def name(self) -> str:
        """Package name, e.g. ``mod_0042``."""
        return mod_name(self.index)

    @property
    def cls(self) -> str:
        """Model class name, e.g. ``Mod0042``."""
        return mod_cls(self.index)


def mod_name(index: int) -> str:
    """Package name of module ``index``; zero-padded so sorting is numeric."""
    return f"mod_{index:04d}"


def mod_cls(index: int) -> str:
    """Class-name stem of module ``index``."""
    return f"Mod{index:04d}"


def const_stem(index: int) -> str:
    """Upper-case stem for ERROR_ constants of module ``index``."""
    return f"MOD_{index:04d}"


# ----------------------------------------------------------------------------- planning


def plan_module(index: int, seed: int) -> ModulePlan:
    """Draw the conforming shape of one module from its own RNG.

    A per-module RNG keeps module ``i`` identical across tree sizes (only plants and the
    module count differ), which makes scaling numbers easier to compare.
    """
    rng = random.Random(f"archguard-synth:{seed}:{index}")
    fields = [TITLE_FIELD, *rng.sample(FIELD_POOL, rng.randint(2, 5))]
    deps = sorted(rng.sample(range(index), rng.randint(1, min(3, index)))) if index else []
    rule_branches = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    extra = [r for r in ("by_title", "label", "sync", "count") if rng.random() < 0.4]
    return ModulePlan(index, fields, deps, rule_branches, extra)


def intended_deps(modules: int, seed: int = DEFAULT_SEED) -> list[list[int]]:
    """The downward service dependencies of each module, without planted edges.

    Reference-tool configs (tach's depends_on) declare these, so that only the planted
    upward edge and foreign repository imports show up as violations.
    """
    return [plan_module(i, seed).deps for i in range(modules)]


def assign_plants(plans: list[ModulePlan], seed: int) -> None:
    """Give ~2% of modules one violation of each kind, without overlap when possible.

    Module 0 is never planted because several plants need a lower-numbered peer.
    """
    rng = random.Random(f"archguard-plants:{seed}:{len(plans)}")
    pool = [p.index for p in plans if p.index > 0]
    rng.shuffle(pool)
    if not pool:
        return
    per_kind = max(1, round(len(plans) * PLANT_FRACTION))
    cursor = 0
    for kind in PLANT_KINDS:
        for _ in range(per_kind):
            plan = plans[pool[cursor % len(pool)]]
            cursor += 1
            plan.plants.add(kind)
            if kind == "cross_module_repository_import":
                plan.repo_dep = rng.randrange(plan.index)
    plant_cycle(plans, pool, cursor, rng)


def plant_cycle(plans: list[ModulePlan], pool: list[int], cursor: int, rng: random.Random) -> None:
    """Make one lower module import the service of a higher one that already depends on it."""
    if len(plans) < 2:
        return
    high = plans[pool[cursor % len(pool)]]
    low = plans[rng.choice(high.deps)]
    low.plants.add(CYCLE_KIND)
    low.cycle_peer = high.index


# ----------------------------------------------------------------------------- rendering


def render_core() -> dict[str, str]:
    """Shared packages every module builds on (schemas base, db base/session, settings)."""
    return {
        "cpv3/__init__.py": '"""Coffee Project backend (synthetic benchmark tree)."""\n',
        "cpv3/common/__init__.py": '"""Cross-module building blocks."""\n',
        "cpv3/common/schemas.py": CORE_SCHEMAS,
        "cpv3/db/__init__.py": '"""Database base classes and session handling."""\n',
        "cpv3/db/base.py": CORE_DB_BASE,
        "cpv3/db/session.py": CORE_DB_SESSION,
        "cpv3/infrastructure/__init__.py": '"""Cross-cutting infrastructure."""\n',
        "cpv3/infrastructure/settings.py": CORE_SETTINGS,
        "cpv3/modules/__init__.py": '"""Domain modules; each owns one model and its API."""\n',
    }


CORE_SCHEMAS = '''"""Base class for every DTO in cpv3."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Pydantic base with from_attributes so services can return ORM rows directly."""

    model_config = ConfigDict(from_attributes=True)
'''

CORE_DB_BASE = '''"""Declarative base and the mixin for ids, timestamps and soft delete."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base shared by every module's model."""


class BaseModelMixin:
    """Primary key, audit timestamps and the is_deleted flag used for soft deletes."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False, index=True)
'''

CORE_DB_SESSION = '''"""Async engine and get_db, which scopes one session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from cpv3.infrastructure.settings import get_settings

_engine = create_async_engine(get_settings().database_url, pool_pre_ping=True)
_session_factory = async_sessionmaker(_engine, expire_on_commit=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    """Yield a session and close it when the request ends."""
    async with _session_factory() as session:
        yield session
'''

CORE_SETTINGS = '''"""Environment-driven settings; nothing environment-specific is hardcoded."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Values come from CPV3_* environment variables or the .env file."""

    model_config = SettingsConfigDict(env_file=".env", env_prefix="CPV3_")

    database_url: str
    redis_url: str
    s3_endpoint_url: str
    default_page_size: int = 50


@lru_cache
def get_settings() -> Settings:
    """Cached so every caller shares one parsed Settings instance."""
    return Settings()
'''


def render_init(plan: ModulePlan) -> str:
    """Module marker: short on purpose, re-exports nothing to keep imports lazy."""
    return f'"""The {plan.name} domain module."""\n\nfrom __future__ import annotations\n'


def sa_imports(fields: list[FieldSpec]) -> str:
    """Only the SQLAlchemy column types the model actually uses."""
    names = {t for f in fields for t in f.col_types}
    return ", ".join(sorted(names, key=isort_key))


def isort_key(name: str) -> tuple[int, str]:
    """ruff/isort order-by-type: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1 if name[0].isupper() else 2, name)


def py_imports(fields: list[FieldSpec], *, with_uuid: bool) -> list[str]:
    """Stdlib imports needed by the annotations of ``fields``, in isort order."""
    types = {f.py_type for f in fields}
    lines = []
    if "datetime" in types:
        lines.append("from datetime import datetime")
    if "Decimal" in types:
        lines.append("from decimal import Decimal")
    if "UUID" in types or with_uuid:
        lines.append("from uuid import UUID")
    return lines


def render_models(plan: ModulePlan) -> str:
    """One model on Base + BaseModelMixin with explicit column types and indexes."""
    stdlib = py_imports(plan.fields, with_uuid=False)
    out = [
        f'"""SQLAlchemy model of the {plan.name} domain."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if stdlib:
        out += [*stdlib, ""]
    out += [
        f"from sqlalchemy import {sa_imports(plan.fields)}",
        "from sqlalchemy.orm import Mapped, mapped_column",
        "",
        "from cpv3.db.base import Base, BaseModelMixin",
        "",
        "",
        f"class {plan.cls}(Base, BaseModelMixin):",
        f'    """Primary record of {plan.name}; soft-deleted rows keep is_deleted=True."""',
        "",
        f'    __tablename__ = "{plan.name}"',
        "",
    ]
    for f in plan.fields:
        out += model_column(f)
    return "\n".join(out) + "\n"


def model_column(f: FieldSpec) -> list[str]:
    """A typed ``mapped_column`` line, wrapped the way ruff format would at 100 columns."""
    annotation = f"{f.py_type} | None" if f.nullable else f.py_type
    args = [f.column, f"nullable={f.nullable}"]
    if f.index:
        args.append("index=True")
    line = f"    {f.name}: Mapped[{annotation}] = mapped_column({', '.join(args)})"
    if len(line) <= LINE_LENGTH:
        return [line]
    return [
        f"    {f.name}: Mapped[{annotation}] = mapped_column(",
        f"        {', '.join(args)}",
        "    )",
    ]


def schema_type(plan: ModulePlan, f: FieldSpec) -> str:
    """Annotation of ``f`` in the DTOs; string enums become module-level Literal aliases."""
    base = f"{plan.cls}{camel(f.name)}" if f.literal else f.py_type
    return f"{base} | None" if f.nullable else base


def camel(name: str) -> str:
    """snake_case -> CamelCase for alias names."""
    return "".join(part.capitalize() for part in name.split("_"))


def render_schemas(plan: ModulePlan) -> str:
    """Create/Update/Read DTOs on cpv3 Schema (or a raw BaseModel when planted)."""
    raw = "raw_basemodel_schema" in plan.plants
    literals = [f for f in plan.fields if f.literal]
    stdlib = {*py_imports(plan.fields, with_uuid=True), "from datetime import datetime"}
    if literals:
        stdlib.add("from typing import Literal")
    out = [
        f'"""DTOs of the {plan.name} domain: *Create, *Update and *Read."""',
        "",
        "from __future__ import annotations",
        "",
        *sorted(stdlib),
        "",
    ]
    if raw:
        out += ["from pydantic import BaseModel", ""]
    out += ["from cpv3.common.schemas import Schema", ""]
    for f in literals:
        values = ", ".join(f'"{v}"' for v in f.literal)
        out.append(f"{plan.cls}{camel(f.name)} = Literal[{values}]")
    out += ["", ""] if literals else [""]
    create_base = "BaseModel" if raw else "Schema"
    out += schema_class(
        f"{plan.cls}Create",
        create_base,
        "Input for creating a record.",
        [(f.name, schema_type(plan, f), " = None" if f.nullable else "") for f in plan.fields],
    )
    out += schema_class(
        f"{plan.cls}Update",
        "Schema",
        "Partial update; unset fields stay untouched.",
        [
            (f.name, f"{schema_type(plan, f).removesuffix(' | None')} | None", " = None")
            for f in plan.fields
        ],
    )
    read_fields = [
        ("id", "UUID", ""),
        *[(f.name, schema_type(plan, f), "") for f in plan.fields],
        ("created_at", "datetime", ""),
        ("updated_at", "datetime", ""),
    ]
    out += schema_class(
        f"{plan.cls}Read", "Schema", "Response shape; built from the ORM row.", read_fields
    )
    return "\n".join(out).rstrip("\n") + "\n"


def schema_class(name: str, base: str, doc: str, fields: list[tuple[str, str, str]]) -> list[str]:
    """One DTO class followed by the two blank lines PEP 8 wants."""
    out = [f"class {name}({base}):", f'    """{doc}"""', ""]
    out += [f"    {fname}: {ftype}{default}" for fname, ftype, default in fields]
    return [*out, "", ""]


def render_repository(plan: ModulePlan) -> str:
    """Thin repository: one query per method, every read filters is_deleted."""
    c = plan.cls
    alive = f"{c}.is_deleted.is_(False)"
    out = [
        f'"""Data access of the {plan.name} domain: one query per method, no business rules."""',
        "",
        "from __future__ import annotations",
        "",
        "from uuid import UUID",
        "",
        "from sqlalchemy import func, select",
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "",
        f"from cpv3.modules.{plan.name}.models import {c}",
        "",
        "",
        f"class {c}Repository:",
        f'    """CRUD over {c}; soft-deleted rows are invisible to every read."""',
        "",
        "    def __init__(self, session: AsyncSession) -> None:",
        "        self._session = session",
        "",
        f"    async def get_by_id(self, item_id: UUID) -> {c} | None:",
        '        """Fetch one live record by primary key."""',
        f"        stmt = select({c}).where({c}.id == item_id, {alive})",
        "        result = await self._session.execute(stmt)",
        "        return result.scalar_one_or_none()",
        "",
        f"    async def list_page(self, offset: int, limit: int) -> list[{c}]:",
        '        """One page of live records, newest first."""',
        "        stmt = (",
        f"            select({c})",
        f"            .where({alive})",
        f"            .order_by({c}.created_at.desc())",
        "            .offset(offset)",
        "            .limit(limit)",
        "        )",
        "        result = await self._session.execute(stmt)",
        "        return list(result.scalars().all())",
        "",
        "    async def count(self) -> int:",
        '        """Number of live records, for pagination metadata."""',
        f"        stmt = select(func.count()).select_from({c}).where({alive})",
        "        result = await self._session.execute(stmt)",
        "        return int(result.scalar_one())",
        "",
        f"    async def find_by_title(self, title: str, limit: int) -> list[{c}]:",
        '        """Live records with an exact title; title is indexed."""',
        "        stmt = (",
        f"            select({c})",
        f"            .where({c}.title == title, {alive})",
        "            .limit(limit)",
        "        )",
        "        result = await self._session.execute(stmt)",
        "        return list(result.scalars().all())",
        "",
        f"    async def add(self, item: {c}) -> {c}:",
        '        """Insert or update a record and load server defaults."""',
        "        self._session.add(item)",
        "        await self._session.flush()",
        "        await self._session.refresh(item)",
        "        return item",
        "",
        f"    async def soft_delete(self, item: {c}) -> None:",
        '        """Hide a record without losing it."""',
        "        item.is_deleted = True",
        "        await self._session.flush()",
    ]
    return "\n".join(out) + "\n"


def render_service(plan: ModulePlan) -> str:
    """Business logic: CRUD orchestration, branching rules and downward peer calls."""
    out = service_header(plan)
    out += service_crud(plan)
    out += service_peers(plan)
    for number, branches in enumerate(plan.rule_branches):
        out += service_rule(plan, number, branches)
    if "complex_function" in plan.plants:
        out += service_complex(plan)
    return "\n".join(out).rstrip("\n") + "\n"


def peer_indices(plan: ModulePlan) -> list[int]:
    """Modules whose services this service calls (the planted cycle adds an upward one)."""
    peers = list(plan.deps)
    if plan.cycle_peer is not None:
        peers.append(plan.cycle_peer)
    return peers


def service_header(plan: ModulePlan) -> list[str]:
    """Imports and ERROR_ constants; relative or cross-repository imports when planted."""
    c, n = plan.cls, plan.name
    imports = [
        f"from cpv3.modules.{mod_name(i)}.service import {mod_cls(i)}Service"
        for i in peer_indices(plan)
    ]
    if plan.repo_dep is not None:
        imports.append(
            f"from cpv3.modules.{mod_name(plan.repo_dep)}.repository import "
            f"{mod_cls(plan.repo_dep)}Repository"
        )
    imports.append(f"from cpv3.modules.{n}.models import {c}")
    own_repo = f"from cpv3.modules.{n}.repository import {c}Repository"
    if "relative_import" not in plan.plants:
        imports.append(own_repo)
    imports.append(f"from cpv3.modules.{n}.schemas import {c}Create, {c}Update")
    out = [
        f'"""Business logic of the {n} domain; peers are reached through their services."""',
        "",
        "from __future__ import annotations",
        "",
        "from uuid import UUID",
        "",
        "from fastapi import HTTPException, status",
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "",
        *sorted(imports),
    ]
    if "relative_import" in plan.plants:
        out += ["", f"from .repository import {c}Repository"]
    out += [
        "",
        f'ERROR_{const_stem(plan.index)}_NOT_FOUND = "{c} not found"',
        f'ERROR_{const_stem(plan.index)}_TITLE_TAKEN = "{c} title already exists"',
        "DEFAULT_PAGE_SIZE = 50",
        "PEER_SAMPLE_SIZE = 10",
        "",
    ]
    out += [f"THRESHOLD_{k} = {10 * (k + 1)}" for k in range(max(plan.rule_branches) + 1)]
    return [*out, "", ""]


def not_found_raise(plan: ModulePlan) -> list[str]:
    """The 404 raise; the planted variant inlines the message instead of the constant."""
    detail = (
        f'"{plan.cls} not found"'
        if "inline_http_error_detail" in plan.plants
        else f"ERROR_{const_stem(plan.index)}_NOT_FOUND"
    )
    args = f"status_code=status.HTTP_404_NOT_FOUND, detail={detail}"
    one_line = f"            raise HTTPException({args})"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    return ["            raise HTTPException(", f"                {args}", "            )"]


def service_crud(plan: ModulePlan) -> list[str]:
    """get/list/create/update/delete; each method short, with early returns."""
    c = plan.cls
    stem = const_stem(plan.index)
    return [
        f"class {c}Service:",
        f'    """Owns the {plan.name} rules; routers call this, never the repository."""',
        "",
        "    def __init__(self, session: AsyncSession) -> None:",
        "        self._session = session",
        f"        self._repository = {c}Repository(session)",
        "",
        f"    async def get(self, item_id: UUID) -> {c}:",
        '        """Return one live record or raise 404."""',
        "        item = await self._repository.get_by_id(item_id)",
        "        if item is None:",
        *not_found_raise(plan),
        "        return item",
        "",
        "    async def list_items(self, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE)"
        f" -> list[{c}]:",
        '        """One page of live records."""',
        "        return await self._repository.list_page(offset=offset, limit=limit)",
        "",
        "    async def count(self) -> int:",
        '        """Total number of live records."""',
        "        return await self._repository.count()",
        "",
        f"    async def create(self, data: {c}Create) -> {c}:",
        '        """Reject duplicate titles, then persist."""',
        "        existing = await self._repository.find_by_title(data.title, limit=1)",
        "        if existing:",
        "            raise HTTPException(",
        f"                status_code=status.HTTP_409_CONFLICT, detail=ERROR_{stem}_TITLE_TAKEN",
        "            )",
        f"        return await self._repository.add({c}(**data.model_dump()))",
        "",
        f"    async def update(self, item_id: UUID, data: {c}Update) -> {c}:",
        '        """Apply only the fields the client sent."""',
        "        item = await self.get(item_id)",
        "        for key, value in data.model_dump(exclude_unset=True).items():",
        "            setattr(item, key, value)",
        "        return await self._repository.add(item)",
        "",
        "    async def delete(self, item_id: UUID) -> None:",
        '        """Soft delete so history stays queryable."""',
        "        item = await self.get(item_id)",
        "        await self._repository.soft_delete(item)",
        "",
    ]


def service_peers(plan: ModulePlan) -> list[str]:
    """A method fanning out to peer services (and a foreign repository when planted)."""
    peers = peer_indices(plan)
    if not peers and plan.repo_dep is None:
        return []
    out = [
        "    async def sync_with_peers(self, item_id: UUID) -> int:",
        '        """Touch related records in peer modules; returns how many were seen."""',
        "        await self.get(item_id)",
        "        seen = 0",
    ]
    for i in peers:
        out += [
            f"        peer_{i:04d} = {mod_cls(i)}Service(self._session)",
            f"        seen += len(await peer_{i:04d}.list_items(offset=0, limit=PEER_SAMPLE_SIZE))",
        ]
    if plan.repo_dep is not None:
        r = plan.repo_dep
        out += [
            f"        foreign = {mod_cls(r)}Repository(self._session)",
            "        seen += await foreign.count()",
        ]
    return [*out, "        return seen", ""]


def service_rule(plan: ModulePlan, number: int, branches: int) -> list[str]:
    """A labelling rule with ``branches`` ifs; cyclomatic complexity stays at most 8 (grade B)."""
    out = [
        f"    def classify_{number}(self, value: int, strict: bool) -> str:",
        '        """Map a raw value to a label; thresholds are named constants."""',
    ]
    for k in range(branches, 0, -1):
        cond = f"value > THRESHOLD_{k}" + (" and strict" if (k + number) % 3 == 0 else "")
        out += [f"        if {cond}:", f'            return "{LABELS[k]}"']
    return [*out, f'        return "{LABELS[0]}"', ""]


def service_complex(plan: ModulePlan) -> list[str]:
    """The planted grade-C function: radon CC 18 (C), mccabe 12 (ruff C901 > 10)."""
    return [
        f"    def escalation_level(self, item: {plan.cls}, attempts: int, strict: bool) -> int:",
        '        """Decide how loudly to escalate; planted to exceed the complexity budget."""',
        "        level = 0",
        "        if attempts > THRESHOLD_0 and strict:",
        "            level += 1",
        "        elif attempts > THRESHOLD_1 or not strict:",
        "            level += 2",
        "        for step in range(attempts):",
        "            if step % 2 == 0 and level < THRESHOLD_1:",
        "                level += 1",
        "            elif step % 3 == 0:",
        "                level -= 1",
        "            elif step % 5 == 0 or step % 7 == 0:",
        "                continue",
        "            elif step % 11 == 0:",
        "                break",
        "        while level > THRESHOLD_0:",
        "            if item.title and strict:",
        "                level -= 2",
        "            elif item.title:",
        "                level -= 1",
        "            else:",
        "                level -= 3",
        "        if level < 0:",
        "            return 0",
        "        return level",
        "",
    ]


def render_router(plan: ModulePlan) -> str:
    """Thin, typed, paginated endpoints that delegate to the service."""
    c, n = plan.cls, plan.name
    imports = [
        "from cpv3.db.session import get_db",
        f"from cpv3.modules.{n}.schemas import {c}Create, {c}Read, {c}Update",
        f"from cpv3.modules.{n}.service import {c}Service",
    ]
    if "router_imports_repository" in plan.plants:
        imports.append(f"from cpv3.modules.{n}.repository import {c}Repository")
    paged = "unpaginated_list_route" not in plan.plants or "by_title" in plan.extra_routes
    fastapi_names = "APIRouter, Depends, Query, status" if paged else "APIRouter, Depends, status"
    out = [
        f'"""HTTP endpoints of the {n} domain: thin handlers delegating to the service."""',
        "",
        "from __future__ import annotations",
        "",
        "from uuid import UUID",
        "",
        f"from fastapi import {fastapi_names}",
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "",
        *sorted(imports),
        "",
        "DEFAULT_PAGE_SIZE = 50",
        "MAX_PAGE_SIZE = 200",
        "",
        f'router = APIRouter(prefix="/{n.replace("_", "-")}", tags=["{n}"])',
        "",
        "",
    ]
    out += router_list(plan)
    out += router_crud(plan)
    for extra in plan.extra_routes:
        out += ROUTE_EXTRAS[extra](plan)
    if "router_imports_repository" in plan.plants:
        out += router_repo_stats(plan)
    return "\n".join(out).rstrip("\n") + "\n"


def router_list(plan: ModulePlan) -> list[str]:
    """The list route: paginated, or without any paging parameter when planted."""
    c, n = plan.cls, plan.name
    if "unpaginated_list_route" in plan.plants:
        params = ["    db: AsyncSession = Depends(get_db),"]
        call = "    items = await service.list_items()"
    else:
        params = [
            "    offset: int = Query(default=0, ge=0),",
            "    limit: int = Query(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),",
            "    db: AsyncSession = Depends(get_db),",
        ]
        call = "    items = await service.list_items(offset=offset, limit=limit)"
    return [
        f'@router.get("/", response_model=list[{c}Read])',
        f"async def list_{n}(",
        *params,
        f") -> list[{c}Read]:",
        '    """List live records."""',
        f"    service = {c}Service(db)",
        call,
        f"    return [{c}Read.model_validate(item) for item in items]",
        "",
        "",
    ]


def router_crud(plan: ModulePlan) -> list[str]:
    """get/create/update/delete endpoints."""
    c, n = plan.cls, plan.name
    return [
        f'@router.get("/{{item_id}}", response_model={c}Read)',
        f"async def get_{n}(item_id: UUID, db: AsyncSession = Depends(get_db)) -> {c}Read:",
        '    """Fetch one record; 404 comes from the service."""',
        f"    item = await {c}Service(db).get(item_id)",
        f"    return {c}Read.model_validate(item)",
        "",
        "",
        f'@router.post("/", response_model={c}Read, status_code=status.HTTP_201_CREATED)',
        f"async def create_{n}(data: {c}Create, db: AsyncSession = Depends(get_db)) -> {c}Read:",
        '    """Create a record."""',
        f"    item = await {c}Service(db).create(data)",
        f"    return {c}Read.model_validate(item)",
        "",
        "",
        f'@router.patch("/{{item_id}}", response_model={c}Read)',
        f"async def update_{n}(",
        f"    item_id: UUID, data: {c}Update, db: AsyncSession = Depends(get_db)",
        f") -> {c}Read:",
        '    """Partially update a record."""',
        f"    item = await {c}Service(db).update(item_id, data)",
        f"    return {c}Read.model_validate(item)",
        "",
        "",
        '@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)',
        f"async def delete_{n}(item_id: UUID, db: AsyncSession = Depends(get_db)) -> None:",
        '    """Soft-delete a record."""',
        f"    await {c}Service(db).delete(item_id)",
        "",
        "",
    ]


def route_by_title(plan: ModulePlan) -> list[str]:
    """A second list route; paginated like every list route must be."""
    c, n = plan.cls, plan.name
    return [
        f'@router.get("/by-title/{{title}}", response_model=list[{c}Read])',
        f"async def list_{n}_by_title(",
        "    title: str,",
        "    offset: int = Query(default=0, ge=0),",
        "    limit: int = Query(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),",
        "    db: AsyncSession = Depends(get_db),",
        f") -> list[{c}Read]:",
        '    """Records with an exact title, one page at a time."""',
        f"    items = await {c}Service(db).list_items(offset=offset, limit=limit)",
        f"    return [{c}Read.model_validate(item) for item in items if item.title == title]",
        "",
        "",
    ]


def route_label(plan: ModulePlan) -> list[str]:
    """Exposes the first classification rule."""
    c, n = plan.cls, plan.name
    return [
        '@router.get("/labels/{value}", response_model=dict[str, str])',
        f"async def label_{n}(",
        "    value: int, strict: bool = False, db: AsyncSession = Depends(get_db)",
        ") -> dict[str, str]:",
        '    """Label a value with the module rule."""',
        f'    return {{"label": {c}Service(db).classify_0(value, strict)}}',
        "",
        "",
    ]


def route_sync(plan: ModulePlan) -> list[str]:
    """Triggers the peer fan-out (only when the service has peers)."""
    c, n = plan.cls, plan.name
    if not peer_indices(plan) and plan.repo_dep is None:
        return []
    return [
        '@router.post("/{item_id}/sync", response_model=dict[str, int])',
        f"async def sync_{n}(item_id: UUID, db: AsyncSession = Depends(get_db)) -> dict[str, int]:",
        '    """Refresh related records in peer modules."""',
        f'    return {{"seen": await {c}Service(db).sync_with_peers(item_id)}}',
        "",
        "",
    ]


def route_count(plan: ModulePlan) -> list[str]:
    """Count through the service (the conforming way)."""
    c, n = plan.cls, plan.name
    return [
        '@router.get("/meta/count", response_model=dict[str, int])',
        f"async def count_{n}(db: AsyncSession = Depends(get_db)) -> dict[str, int]:",
        '    """Number of live records."""',
        f'    return {{"count": await {c}Service(db).count()}}',
        "",
        "",
    ]


def router_repo_stats(plan: ModulePlan) -> list[str]:
    """The planted shortcut: a route reaching into the repository directly."""
    c, n = plan.cls, plan.name
    return [
        '@router.get("/meta/stats", response_model=dict[str, int])',
        f"async def stats_{n}(db: AsyncSession = Depends(get_db)) -> dict[str, int]:",
        '    """Planted: skips the service layer."""',
        f"    repository = {c}Repository(db)",
        '    return {"count": await repository.count()}',
        "",
        "",
    ]


ROUTE_EXTRAS = {
    "by_title": route_by_title,
    "label": route_label,
    "sync": route_sync,
    "count": route_count,
}


def render_utils(plan: ModulePlan) -> str:
    """The planted seventh file: helpers that belong in service.py."""
    return (
        f'"""Helpers of {plan.name}; planted: modules must have exactly six files."""\n\n'
        "from __future__ import annotations\n\n\n"
        "def normalise_title(title: str) -> str:\n"
        '    """Collapse whitespace and case so titles compare reliably."""\n'
        '    return " ".join(title.split()).casefold()\n'
    )


def render_module(plan: ModulePlan) -> dict[str, str]:
    """All files of one module keyed by path relative to the tree root."""
    base = f"cpv3/modules/{plan.name}"
    files = {
        f"{base}/__init__.py": render_init(plan),
        f"{base}/models.py": render_models(plan),
        f"{base}/schemas.py": render_schemas(plan),
        f"{base}/repository.py": render_repository(plan),
        f"{base}/service.py": render_service(plan),
        f"{base}/router.py": render_router(plan),
    }
    if "extra_module_file" in plan.plants:
        files[f"{base}/utils.py"] = render_utils(plan)
    return files


PYPROJECT = """[project]
name = "cpv3-synthetic"
version = "0.0.0"
requires-python = ">=3.11"

[tool.archguard]
module-names = []

[tool.ruff]
line-length = 100

[tool.ruff.lint.flake8-tidy-imports]
ban-relative-imports = "all"

[tool.ruff.lint.mccabe]
max-complexity = 10
"""

PLANT_FILE = {
    "relative_import": "service.py",
    "cross_module_repository_import": "service.py",
    "raw_basemodel_schema": "schemas.py",
    "inline_http_error_detail": "service.py",
    "unpaginated_list_route": "router.py",
    "complex_function": "service.py",
    "extra_module_file": "utils.py",
    "router_imports_repository": "router.py",
    CYCLE_KIND: "service.py",
}


def plant_report(plans: list[ModulePlan]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Counts and file paths of the planted violations, in a stable order."""
    where: dict[str, list[str]] = {kind: [] for kind in (*PLANT_KINDS, CYCLE_KIND)}
    for plan in plans:
        for kind in sorted(plan.plants):
            where[kind].append(f"cpv3/modules/{plan.name}/{PLANT_FILE[kind]}")
    counts = {kind: len(paths) for kind, paths in where.items()}
    return counts, where


def generate_tree(root: Path, modules: int, seed: int = DEFAULT_SEED) -> TreeStats:
    """Write a synthetic cpv3 tree of ``modules`` modules under ``root``; return its stats.

    Existing files at the same paths are overwritten; nothing else under ``root`` is
    touched, so pass an empty directory for a clean tree.
    """
    if modules < 1:
        raise ValueError("modules must be at least 1")
    plans = [plan_module(i, seed) for i in range(modules)]
    assign_plants(plans, seed)
    files = {"pyproject.toml": PYPROJECT, **render_core()}
    for plan in plans:
        files.update(render_module(plan))
    stats = TreeStats(root=root, modules=modules, seed=seed)
    for rel in sorted(files):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel].encode("utf-8"))
        if rel.endswith(".py"):
            stats.files += 1
            stats.lines += files[rel].count("\n")
    stats.planted, stats.planted_at = plant_report(plans)
    return stats


def main(argv: list[str] | None = None) -> int:
    """CLI: generate one tree and print its stats."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="output directory (created if missing)")
    parser.add_argument("--modules", type=int, default=300)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--json", action="store_true", help="print stats (with plant paths) as JSON"
    )
    args = parser.parse_args(argv)
    stats = generate_tree(args.root, args.modules, args.seed)
    if args.json:
        print(json.dumps(stats.to_json(), indent=2))
    else:
        print(
            f"{stats.root}: {stats.modules} modules, {stats.files} .py files, {stats.lines} lines"
        )
        print("planted: " + ", ".join(f"{k}={v}" for k, v in stats.planted.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
