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
import re
from typing import NamedTuple

from archguard.analysis.context import FileContext
from archguard.analysis.facts import dotted_name
from archguard.analysis.patterns import string_annotation
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


def sql_evidence(ctx: FileContext, nodes: list[ast.stmt]) -> SqlEvidence:
    """The SQL that ``nodes`` (a class, a module's statements) show; imports are not uses.
    ``code``: a function or class among them has a body to judge."""
    walker = _Walker(ctx)
    for node in nodes:
        walker.visit(node, annotation=False)
    code = has_code([n for n in nodes if isinstance(n, SCOPES)])
    return SqlEvidence(code, walker.queries, walker.sessions, tuple(sorted(walker.values)),
                       tuple(sorted(walker.annotations)))


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


class _Walker:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.prefix = ctx.config.package.split(".")[0] + "."
        self.queries = False
        self.sessions = False
        self.values: set[str] = set()
        self.annotations: set[str] = set()

    def visit(self, node: ast.AST, annotation: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            return  # imports are not uses; docstrings are prose
        if isinstance(node, (ast.Name, ast.Attribute)) and dotted_name(node) is not None:
            self._name(node, annotation)
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if annotation:
                parsed = string_annotation(node)
                if parsed is not node:
                    self.visit(parsed, annotation=True)
            elif RAW_SQL.match(node.value):
                self.queries = True
            return
        if isinstance(node, ast.arg):
            if node.annotation is not None:
                self.visit(node.annotation, annotation=True)
            return
        if isinstance(node, ast.AnnAssign):
            self.visit(node.annotation, annotation=True)
            self.visit(node.target, annotation)
            if node.value is not None:
                self.visit(node.value, annotation)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            self.visit(node.returns, annotation=True)
        for field, value in ast.iter_fields(node):
            if field == "returns":
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    self.visit(child, annotation)

    def _name(self, node: ast.Name | ast.Attribute, annotation: bool) -> None:
        resolved = self.ctx.qualname(node)
        if resolved is None:
            return
        if resolved.split(".")[0] in SQL_PACKAGES:
            if resolved.rsplit(".", 1)[-1] in SESSION_NAMES:
                self.sessions = True
            else:
                self.queries = True
        elif resolved.startswith(self.prefix) and any(
                part[:1].isupper() for part in resolved.split(".")[1:]):  # a class, or in one
            (self.annotations if annotation else self.values).add(resolved)


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

