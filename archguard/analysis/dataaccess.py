"""Whether code touches the SQL database, judged by structure rather than by a name.

A class named ``*Repository`` or a file named ``repository.py`` is not always the data
layer: tracecat's ``Repository`` loads actions from git, polar's ``TinybirdEventRepository``
wraps an analytics HTTP API. AG401 and AG204 ask for the data layer's discipline only from
code that shows SQL: it names SQLAlchemy, SQLModel or another database driver, writes SQL
text, or uses an ORM model as a value (``select(User)``, ``session.get(User, id)``); an ORM
model that only appears in an annotation (a parameter ``meter: Meter``) is data handed in,
not data access.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterator
from typing import NamedTuple

from archguard.analysis.astindex import indexed_tree, nodes_of
from archguard.analysis.context import FileContext
from archguard.analysis.patterns import is_value_class, type_name
from archguard.analysis.project_view import Project

ORM_PACKAGES = frozenset({"sqlalchemy", "sqlmodel"})
# Async database drivers other than SQLAlchemy: code handed one of their connections
# accesses the database too.
OTHER_DRIVERS = frozenset({"asyncpg", "databases", "motor", "aiosqlite", "aiomysql", "asyncmy",
                           "aiopg", "psycopg", "psycopg_pool"})
SQL_PACKAGES = ORM_PACKAGES | OTHER_DRIVERS
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# SQLAlchemy names that hold or make a session rather than build a query: a service passing
# a session through names them too.
SESSION_NAMES = frozenset({
    "AsyncSession", "Session", "async_sessionmaker", "sessionmaker", "scoped_session",
    "async_scoped_session", "AsyncEngine", "Engine", "AsyncConnection", "Connection",
    "create_async_engine", "create_engine",
})
# SQL text: a statement's shape, its keywords all upper or all lower case (a message such
# as "Select a user from the list" is prose; docstrings are not looked at).
RAW_SQL = re.compile(r"\s*(SELECT\s.*\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|"
                     r"DELETE\s+FROM\s|select\s.*\sfrom\s|insert\s+into\s|"
                     r"update\s+\S+\s+set\s|delete\s+from\s)", re.DOTALL)
CLASS_PART = re.compile(r"\.[A-Z]")  # a project class, or a name inside one
DECLARATIVE_ROOTS = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase", "sqlalchemy.orm.declarative_base",
    "sqlalchemy.ext.declarative.declarative_base", "sqlalchemy.orm.decl_api.declarative_base",
    "sqlmodel.SQLModel",
})


class SqlEvidence(NamedTuple):
    """What a class or file shows of SQL (plain picklable data, stored in the facts)."""

    code: bool = False  # has code to judge: a statement other than pass, ..., a docstring
    queries: bool = False  # SQLAlchemy/driver names other than sessions, or SQL text
    sessions: bool = False  # a SQLAlchemy session, engine or session factory named
    values: tuple[str, ...] = ()  # project classes used as values (an ORM model is SQL)
    annotations: tuple[str, ...] = ()  # project names in annotations (a session alias is)

    def __bool__(self) -> bool:
        return self.code or self.queries or self.sessions or bool(self.values or
                                                                  self.annotations)

    def merged(self, other: SqlEvidence) -> SqlEvidence:
        return SqlEvidence(self.code or other.code, self.queries or other.queries,
                           self.sessions or other.sessions,
                           tuple(sorted({*self.values, *other.values})),
                           tuple(sorted({*self.annotations, *other.annotations})))


def file_sql_evidence(ctx: FileContext) -> tuple[dict[str, SqlEvidence], SqlEvidence]:
    """The SQL each top-level class of the file shows (by qualname; only classes showing
    something, and no data class: a Pydantic or ORM model, an enum, a dataclass is never a
    repository), and what its statements outside classes show. Imports are not uses and
    docstrings are prose. One pass over the file's indexed names and strings."""
    body = ctx.tree.body
    judged = {id(s) for s in body if isinstance(s, ast.ClassDef) and not is_value_class(
        ctx, s, {type_name(ctx, base) or "" for base in s.bases})}
    if not judged and ctx.role != "repository":
        return {}, SqlEvidence()  # data classes only (models, schemas): no repository here
    ends, positions = indexed_tree(ctx.tree)
    starts = [positions[id(statement)] for statement in body]
    owners = [_Evidence() for _ in body]
    annotations = _annotation_ranges(ctx.tree, ends, positions)
    prefix = ctx.config.package.split(".")[0] + "."

    def owner_of(node: ast.AST) -> tuple[_Evidence | None, bool]:
        """The evidence of the top-level statement holding ``node``; in an annotation?"""
        at = positions[id(node)]
        index = bisect.bisect_right(starts, at) - 1
        if index < 0 or at >= ends[starts[index]]:
            return None, False
        return owners[index], _inside(annotations, at)

    for node, resolved, kind in _relevant_names(ctx, prefix):
        owner, in_annotation = owner_of(node)
        if owner is not None:
            owner.add(kind, resolved, in_annotation)
    prose = {id(n.value) for n in nodes_of(ctx.tree, ast.Expr)}  # docstrings
    for node in nodes_of(ctx.tree, ast.Constant):
        if isinstance(node.value, str) and RAW_SQL.match(node.value) and id(node) not in prose:
            owner, in_annotation = owner_of(node)
            if owner is not None and not in_annotation:
                owner.queries = True
    classes = {}
    outside = _Evidence()
    for statement, found in zip(body, owners):
        if isinstance(statement, ast.ClassDef):
            evidence = found.evidence(has_code(statement.body))
            if evidence and id(statement) in judged:
                classes[f"{ctx.module}.{statement.name}"] = evidence
        else:
            outside.merge(found)
    functions = [s for s in body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return classes, outside.evidence(has_code(functions))


def _relevant_names(ctx: FileContext, prefix: str) -> Iterator[tuple[ast.expr, str, str]]:
    """(node, resolved name, kind) of every name and whole attribute chain (``sa.orm.Session``,
    not ``sa.orm`` again) that names SQLAlchemy, a driver or a project class. The file's
    bound names are classified once; a chain is resolved only when its head is a SQL or
    project module."""
    symbols, local = ctx.resolver.symbols, ctx.resolver.local
    bound = {**local, **symbols}  # as the resolver looks them up: symbols first
    kinds = {name: _kind(target, prefix) for name, target in bound.items()}
    heads = {name for name, target in bound.items()
             if target.split(".", 1)[0] in SQL_PACKAGES or target.startswith(prefix)}
    inner = {id(n.value) for n in nodes_of(ctx.tree, ast.Attribute)}
    for node in nodes_of(ctx.tree, ast.Name):
        kind = kinds.get(node.id)
        if kind is not None and id(node) not in inner:
            yield node, bound[node.id], kind
    for node in nodes_of(ctx.tree, ast.Attribute):
        if id(node) in inner:
            continue
        head = node.value
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(head, ast.Name) and head.id in heads:
            resolved = ctx.qualname(node)
            kind = _kind(resolved, prefix) if resolved is not None else None
            if kind is not None:
                yield node, resolved or "", kind


def _kind(resolved: str, prefix: str) -> str | None:
    """``query``/``session`` for SQLAlchemy's (or a driver's) names, ``project`` for a
    project class or a name inside one, None for anything else."""
    if resolved.split(".", 1)[0] in SQL_PACKAGES:
        return "session" if resolved.rsplit(".", 1)[-1] in SESSION_NAMES else "query"
    if resolved.startswith(prefix) and CLASS_PART.search(resolved):
        return "project"
    return None


def has_code(statements: list[ast.stmt]) -> bool:
    """A statement other than ``pass``, ``...`` or a docstring, in these statements or in
    the bodies of the functions and classes among them: a stub has nothing to judge."""
    for statement in statements:
        if isinstance(statement, SCOPES):
            if has_code(statement.body):
                return True
        elif not (isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and
                                                       isinstance(statement.value, ast.Constant))):
            return True
    return False


class _Evidence:
    """What one top-level statement shows, gathered while the file is read."""

    def __init__(self) -> None:
        self.queries = False
        self.sessions = False
        self.values: set[str] = set()
        self.annotations: set[str] = set()

    def add(self, kind: str, resolved: str, annotation: bool) -> None:
        if kind == "query":
            self.queries = True
        elif kind == "session":
            self.sessions = True
        else:
            (self.annotations if annotation else self.values).add(resolved)

    def merge(self, other: _Evidence) -> None:
        self.queries |= other.queries
        self.sessions |= other.sessions
        self.values |= other.values
        self.annotations |= other.annotations

    def evidence(self, code: bool) -> SqlEvidence:
        return SqlEvidence(code, self.queries, self.sessions, tuple(sorted(self.values)),
                           tuple(sorted(self.annotations)))


def _annotation_ranges(tree: ast.Module, ends: list[int], positions: dict[int, int],
                       ) -> tuple[list[int], list[int]]:
    """The starts and ends (sorted by start) of the file's annotations' index ranges:
    parameters, returns, annotated assignments. Annotations do not nest: disjoint."""
    found = []
    for node in [*nodes_of(tree, ast.arg), *nodes_of(tree, ast.AnnAssign),
                 *nodes_of(tree, ast.FunctionDef), *nodes_of(tree, ast.AsyncFunctionDef)]:
        annotation = node.returns if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
            else node.annotation
        if annotation is not None:
            start = positions[id(annotation)]
            found.append((start, ends[start]))
    found.sort()
    return [start for start, _ in found], [end for _, end in found]


def _inside(ranges: tuple[list[int], list[int]], at: int) -> bool:
    starts, ends = ranges
    index = bisect.bisect_right(starts, at) - 1
    return index >= 0 and at < ends[index]


def touches_sql(project: Project, evidence: SqlEvidence, sessions: bool) -> bool:
    """The evidence shows SQL: queries, an ORM model used as a value, and, when
    ``sessions``, a session (SQLAlchemy's, or a project alias of one in an annotation)."""
    if evidence.queries or (sessions and evidence.sessions):
        return True
    if any(is_orm_model(project, name) for name in evidence.values):
        return True
    return sessions and any(project.is_session_type(name)
                            for name in (*evidence.annotations, *evidence.values))


def is_orm_model(project: Project, dotted: str) -> bool:
    """A project class mapped by SQLAlchemy (or a declarative base itself): its chain
    reaches the configured model base or SQLAlchemy's declarative machinery. An attribute
    of one (``User.id``) counts as the class."""
    name = project.resolve(dotted)
    for _ in range(2):  # ``User`` or an attribute of it: ``User.id``, ``User.id.in_``
        if name in project.classes or "." not in name:
            break
        name = project.resolve(name.rpartition(".")[0])
    if name not in project.classes:
        return False
    base = project.resolve(project.config.model_base)
    chain = [name, *project.mro_names(name)]
    return base in chain or any(is_declarative_root(project, (b,)) for b in chain[1:])


def is_declarative_root(project: Project, bases: tuple[str, ...]) -> bool:
    """A class deriving directly from SQLAlchemy's declarative machinery (``DeclarativeBase``,
    a ``declarative_base()`` result, ``registry().generate_base()``): a declarative base,
    the metadata holder models derive from, not a model."""
    for base in bases:
        names = project.type_names(base) if base else set()
        if names & DECLARATIVE_ROOTS or any(n.endswith(("generate_base", "declarative_base"))
                                            for n in names):
            return True
    return False

