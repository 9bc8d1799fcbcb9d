"""AG3xx (models): SQLAlchemy models share one base and mixin and spell their column types."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator

from archguard.analysis.astindex import nodes_of
from archguard.analysis.dataaccess import ORM_PACKAGES, is_declarative_root
from archguard.analysis.context import FileContext
from archguard.analysis.facts import dotted_name, is_string_expression
from archguard.analysis.patterns import class_assignments, class_nodes, string_annotation
from archguard.analysis.project_view import Project
from archguard.diagnostics import UNSAFE, Diagnostic
from archguard.rules.registry import FileRule, Fixer, ProjectRule, register

MAPPED_MARKERS = frozenset({"__tablename__", "__table__"})
COLUMN_FACTORIES = frozenset({
    "sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlalchemy.sql.schema.Column",
    "sqlalchemy.orm.mapped_column", "sqlalchemy.orm._orm_constructors.mapped_column",
    "sqlmodel.Column",
})
# Positional schema items a Column accepts besides its type: none of them is a type.
SCHEMA_ITEMS = frozenset({
    "ForeignKey", "Sequence", "Identity", "Computed", "FetchedValue", "DefaultClause",
    "CheckConstraint", "UniqueConstraint", "PrimaryKeyConstraint", "Constraint",
})


COLUMN_CALLS = frozenset({"mapped_column", "Column"})
Columns = dict[str, tuple[list[str], list[str]]]  # class -> (column names, key names)


def _last(node: ast.expr) -> str:
    """``sa.orm.mapped_column`` -> ``mapped_column``."""
    return (dotted_name(node) or "").rsplit(".", 1)[-1]


def _column_calls(node: ast.ClassDef) -> list[tuple[str, ast.Call]]:
    """``name = mapped_column(...)``/``Column(...)`` assignments of a class body."""
    return [(name, value) for name, value in class_assignments(node)
            if isinstance(value, ast.Call) and _last(value.func) in COLUMN_CALLS]


def _is_key(call: ast.Call) -> bool:
    return any(k.arg == "primary_key" and isinstance(k.value, ast.Constant)
               and k.value.value is True for k in call.keywords)


def _table_key(node: ast.ClassDef) -> bool:
    """A ``PrimaryKeyConstraint`` in ``__table_args__``."""
    return any(name == "__table_args__" and value is not None and any(
        isinstance(part, ast.Call) and _last(part.func) == "PrimaryKeyConstraint"
        for part in ast.walk(value)) for name, value in class_assignments(node))


def _bare_mapped(statement: ast.stmt) -> str | None:
    """The name of ``name: Mapped[...]`` without a value (a column too)."""
    if isinstance(statement, ast.AnnAssign) and statement.value is None and \
            isinstance(statement.target, ast.Name) and \
            isinstance(statement.annotation, ast.Subscript) and \
            _last(statement.annotation.value) == "Mapped":
        return statement.target.id
    return None


def _columns(node: ast.ClassDef) -> tuple[list[str], list[str]]:
    """(column names, primary-key column names) declared in a class body: a
    ``mapped_column``/``Column`` value, a bare ``Mapped[...]`` annotation, a ``declared_attr``
    method; a ``PrimaryKeyConstraint`` in ``__table_args__`` is a key named ``""``."""
    calls = _column_calls(node)
    columns = [name for name, _ in calls]
    keys = [name for name, call in calls if _is_key(call)] + ([""] if _table_key(node) else [])
    for statement in node.body:
        bare = _bare_mapped(statement)
        if bare is not None:
            columns.append(bare)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                _last(d) == "declared_attr" for d in statement.decorator_list) \
                and not statement.name.startswith("__"):
            columns.append(statement.name)
    return columns, keys


def _table_foreign_keys(node: ast.ClassDef) -> set[str]:
    """The columns a ``ForeignKeyConstraint([...], [...])`` of ``__table_args__`` names."""
    found: set[str] = set()
    for name, value in class_assignments(node):
        if name != "__table_args__" or value is None:
            continue
        for part in ast.walk(value):
            if isinstance(part, ast.Call) and _last(part.func) == "ForeignKeyConstraint" and \
                    part.args and isinstance(part.args[0], (ast.List, ast.Tuple)):
                found.update(e.value for e in part.args[0].elts
                             if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return found


def _is_association(node: ast.ClassDef) -> bool:
    """Two or more columns, each a foreign key (a ``ForeignKey`` argument, or named by a
    ``ForeignKeyConstraint`` in ``__table_args__``) in the primary key (``primary_key=True``,
    or a ``PrimaryKeyConstraint`` in ``__table_args__``), and nothing else (a
    ``Mapped[...]`` annotation without a value is a column too)."""
    if any(_bare_mapped(statement) is not None for statement in node.body):
        return False
    calls = _column_calls(node)
    table_key = _table_key(node)
    constrained = _table_foreign_keys(node)
    return len(calls) >= 2 and all(
        (name in constrained or any(isinstance(arg, ast.Call) and _last(arg.func) == "ForeignKey"
                                    for arg in call.args))
        and (table_key or _is_key(call)) for name, call in calls)


@register
class ModelBase(ProjectRule):
    """Every table gets its primary key, `created_at`/`updated_at` and the `is_deleted`
    soft-delete flag from `BaseModelMixin`, and its metadata (naming convention, Alembic
    autogenerate) from the declarative `Base`. A model missing either silently lacks soft
    deletes or is invisible to migrations. A model is a class with `__tablename__` (or
    `__table__`, or a `declared_attr` of that name) or one deriving from the configured base;
    a declarative base itself (`class Base(DeclarativeBase)`, a class deriving from a
    `declarative_base()` result, `declared_attr` directives or not) is not;
    it must derive from both the base and the mixin, directly or through other project
    classes in any file (names resolved through imports, aliases and `__init__` re-exports).
    A class with a base archguard cannot see (a third-party class other than SQLAlchemy's
    and SQLModel's own, such as fastapi-users' `SQLAlchemyBaseUserTableUUID`, which supplies
    the key, timestamps and user key, or pypika's `Table` with a `__table__` of its own; or
    a project class whose file failed to parse) is not reported: that base may give what the
    mixin gives, or not be a model at all. The base, the mixin and abstract classes
    (`__abstract__ = True`) are exempt; a subclass
    of a model reported for the same missing class is not reported again (one problem). An
    association table (two or more columns, every one a foreign key in the primary key: a
    `ForeignKey` argument or a table-level `ForeignKeyConstraint`) that derives from the base is not asked for the mixin: its key is the pair it links,
    and it has no life of its own to time-stamp or soft-delete. Nor is a model that has a
    primary key of its own and every other column the mixin declares (from another mixin,
    say): when the mixin's key is all it would add, it would only add a second key
    (tracecat's `RecordModel` is `TimestampMixin` plus a surrogate key; a mixin without a key
    of its own, letta's `CommonSqlalchemyMetaMixins`, would add nothing). When the configured
    mixin is no class of the project, the columns it must give are the rulebook's
    (`created_at`, `updated_at`, `is_deleted`): a model with a primary key and those,
    through its own project bases (letta's `SqlalchemyBase`), lacks nothing. Columns are
    `mapped_column`/`Column` assignments, bare `Mapped[...]` annotations and `declared_attr`
    methods, in the classes and their project bases."""

    code = "AG304"
    name = "model-base"
    summary = "A SQLAlchemy model that does not derive from both Base and BaseModelMixin"
    rulebook = "Inherit from `Base` + `BaseModelMixin` (from `cpv3.db.base`)"
    hint = ("declare it as `class Name({model_base_name}, {model_mixin_name}):` with both "
            "from {model_module}")
    configuration = ("The classes: `model-base` (default `cpv3.db.base.Base`) and "
                     "`model-mixin` (default `cpv3.db.base.BaseModelMixin`).")
    example_path = "cpv3/modules/media/models.py"
    bad = ("from __future__ import annotations\n\nfrom sqlalchemy import String\n"
           "from sqlalchemy.orm import Mapped, mapped_column\n\n"
           "from cpv3.db.base import Base\n\n\n"
           "class Media(Base):\n    __tablename__ = \"media\"\n\n"
           "    title: Mapped[str] = mapped_column(String(200))\n")
    good = ("from __future__ import annotations\n\nfrom sqlalchemy import String\n"
            "from sqlalchemy.orm import Mapped, mapped_column\n\n"
            "from cpv3.db.base import Base, BaseModelMixin\n\n\n"
            "class Media(Base, BaseModelMixin):\n    __tablename__ = \"media\"\n\n"
            "    title: Mapped[str] = mapped_column(String(200))\n")

    def collect(self, ctx: FileContext) -> dict[str, list[str]] | None:
        mapped: list[str] = []
        abstract: list[str] = []
        association: list[str] = []
        columns: Columns = {}
        for node, qualname in class_nodes(ctx.tree, ctx.module):
            if _is_association(node):
                association.append(qualname)
            declared = _columns(node)
            if declared != ([], []):
                columns[qualname] = declared
            names = {name for name, _ in class_assignments(node)}
            names |= {s.name for s in node.body if isinstance(s, (ast.FunctionDef,
                                                                    ast.AsyncFunctionDef))}
            if names & MAPPED_MARKERS:
                mapped.append(qualname)
            if any(name == "__abstract__" and isinstance(value, ast.Constant) and value.value
                   is True for name, value in class_assignments(node)):
                abstract.append(qualname)
        if not (mapped or abstract or columns):
            return None
        return {"mapped": mapped, "abstract": abstract, "association": association,
                "columns": columns}

    def check(self, project: Project) -> Iterator[Diagnostic]:
        base = project.resolve(project.config.model_base)
        mixin = project.resolve(project.config.model_mixin)
        mapped, abstract, association = set(), set(), set()
        columns: Columns = {}
        for facts in project.iter_files():
            data = facts.extra.get(self.code, {})
            mapped.update(data.get("mapped", ()))
            abstract.update(data.get("abstract", ()))
            association.update(data.get("association", ()))
            columns.update(data.get("columns", {}))
        needed = _mixin_needs(project, mixin, columns)
        lacking: dict[str, tuple[str, ...]] = {}  # model -> what it misses
        for cls in project.classes.values():
            if cls.qualname in (base, mixin) or cls.qualname in abstract or \
                    is_declarative_root(project, cls.bases):
                continue
            bases = project.mro_names(cls.qualname)
            if cls.qualname not in mapped and base not in bases:
                continue
            if any(is_opaque_base(b) and b not in (base, mixin)
                   and not is_declarative_root(project, (b,))
                   for b in project.unseen_bases(cls.qualname)):
                # A base archguard cannot see may supply what the mixin gives (fastapi-users'
                # tables: key, timestamps, user key) or hold a `__table__` of its own
                # (pypika's Table): unknown, so not reported.
                continue
            missing = tuple(name for name in (base, mixin) if name not in bases)
            if missing == (mixin,) and cls.qualname in association:  # the pair is its key
                continue
            if missing == (mixin,) and needed is not None and \
                    _has_all(project, cls.qualname, columns, needed):
                continue  # the mixin would add nothing but a second primary key
            if missing:
                lacking[cls.qualname] = missing
        for facts in project.iter_files():
            for cls in facts.classes:
                missing = lacking.get(cls.qualname)
                # a subclass of a model reported for the same gap is the same problem
                if missing and not any(lacking.get(project.resolve(b)) == missing
                                       for b in cls.bases if b):
                    yield self.diagnostic(facts.path, cls.span,
                                          self._message(cls.name, base, mixin, list(missing)))

    @staticmethod
    def _message(name: str, base: str, mixin: str, missing: list[str]) -> str:
        short = {q: q.rsplit(".", 1)[-1] for q in (base, mixin)}
        if len(missing) == 2:
            return f"model '{name}' derives from neither {short[base]} nor {short[mixin]}"
        present = base if missing[0] == mixin else mixin
        return f"model '{name}' derives from {short[present]} but not {short[missing[0]]}"


def _declared(project: Project, qualname: str,
              columns: Columns) -> tuple[set[str], set[str]] | None:
    """(column names, primary-key names) of a class and its project bases; None when a
    base cannot be seen (it may declare anything)."""
    names: set[str] = set()
    keys: set[str] = set()
    for name in [project.resolve(qualname), *project.mro_names(qualname)]:
        if name not in project.classes:
            if is_opaque_base(name):
                return None
            continue
        own, own_keys = columns.get(name, ([], []))
        names.update(own)
        keys.update(own_keys)
    return names, keys


# What the rulebook's BaseModelMixin gives besides its key: what a model needs when the
# configured mixin is not a class of the project (nothing to read its columns from).
RULEBOOK_MIXIN_COLUMNS = frozenset({"created_at", "updated_at", "is_deleted"})


def _mixin_needs(project: Project, mixin: str, columns: Columns) -> set[str] | None:
    """The columns the mixin gives besides its primary key (if it has one), when it gives
    any (else None: nothing to compare with); the rulebook's columns when the configured
    mixin is no class of the project."""
    if mixin not in project.classes:
        return set(RULEBOOK_MIXIN_COLUMNS)
    declared = _declared(project, mixin, columns)
    if declared is None:
        return None
    names, keys = declared
    others = names - keys
    return others or None  # a mixin without a key: a model with all its columns lacks none


def _has_all(project: Project, qualname: str, columns: Columns, needed: set[str]) -> bool:
    """Does the model (with its project bases) declare a primary key of its own and every
    column the mixin gives besides its key?"""
    declared = _declared(project, qualname, columns)
    return declared is not None and bool(declared[1]) and needed <= declared[0]


def is_opaque_base(name: str) -> bool:
    """A base class archguard cannot see into that may declare columns: anything outside
    SQLAlchemy's and SQLModel's own packages and the standard library (a third-party
    library's class, or a project class whose file failed to parse)."""
    top = name.split(".")[0]
    return top not in ORM_PACKAGES and top not in sys.stdlib_module_names


@register
class ImplicitColumnType(FileRule):
    """A column whose SQL type SQLAlchemy infers (from the `Mapped[...]` annotation or the
    foreign key) changes type when the annotation or the referenced column changes, and the
    migration diff is the first place anyone notices. `mapped_column(...)` and `Column(...)`
    (any import, alias or attribute form such as `sa.Column`) must name the type: the first
    positional argument, or the second when the first is the column name string, is a type
    (a name, attribute or call that is not a schema item such as `ForeignKey(...)`,
    `Sequence(...)`, `Identity(...)`, `Computed(...)` or a constraint), or `type_=` is given.
    Calls spreading `*args`/`**kwargs` are not judged, nor `use_existing_column=True` (a
    single-table subclass reusing the superclass's column, whose declaration is judged), nor
    a bare `Column("name")` given to a query function, an SQL function or a query method:
    a column clause (`order_by(desc(Column("created_at")))`, `func.lower(Column("email"))`)
    declares nothing."""

    code = "AG305"
    name = "implicit-column-type"
    summary = "mapped_column() or Column() without an explicit SQL type"
    rulebook = "Use explicit column types — no implicit type inference"
    hint = "pass the SQL type first, e.g. mapped_column(Uuid, ForeignKey(\"users.id\"))"
    example_path = "cpv3/modules/media/models.py"
    bad = ("from __future__ import annotations\n\n"
           "from sqlalchemy.orm import Mapped, mapped_column\n\n"
           "from cpv3.db.base import Base, BaseModelMixin\n\n\n"
           "class Media(Base, BaseModelMixin):\n    __tablename__ = \"media\"\n\n"
           "    title: Mapped[str] = mapped_column()\n")
    good = ModelBase.good

    fix_summary = ("passes the SQL type the `Mapped[...]` annotation implies (`int` Integer, "
                   "`str` String, `bool` Boolean, `float` Float, `Decimal` Numeric, `datetime` "
                   "DateTime, `date` Date, `uuid.UUID` Uuid, `dict`/`list` JSON), imported "
                   "from sqlalchemy; unsafe: the column's database type may differ from what "
                   "SQLAlchemy inferred (length, precision, time zone)")
    fix_applicability = UNSAFE

    def fixer(self) -> Fixer:
        from archguard.rules.models_fix import add_column_types

        return add_column_types

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if not any(f.module.split(".")[0] in ("sqlalchemy", "sqlmodel")
                   for f in ctx.facts.imports):
            return
        annotated = mapped_annotations(ctx.tree)
        references = _column_references(ctx.tree)
        for node in nodes_of(ctx.tree, ast.Call):
            assert isinstance(node, ast.Call)
            if id(node) not in references and ctx.qualname(node.func) in COLUMN_FACTORIES \
                    and not has_explicit_type(ctx, node):
                callee = dotted_name(node.func) or "Column"
                implied = implied_sql_type(annotated.get(id(node)))
                yield self.report(ctx, ctx.span(node),
                                  f"{callee}() without an explicit SQL type",
                                  fix=UNSAFE if implied else "")


# Python type (last component) -> the SQLAlchemy type it maps to (AG305's fix).
SQL_TYPES = {"int": "Integer", "str": "String", "bool": "Boolean", "float": "Float",
             "Decimal": "Numeric", "datetime": "DateTime", "date": "Date", "UUID": "Uuid",
             "dict": "JSON", "list": "JSON", "Dict": "JSON", "List": "JSON"}


def mapped_annotations(tree: ast.Module) -> dict[int, ast.expr]:
    """id of a column call -> the annotation of the ``name: Mapped[...] = call`` it is in."""
    return {id(node.value): node.annotation for node in nodes_of(tree, ast.AnnAssign)
            if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call)}


def implied_sql_type(annotation: ast.expr | None) -> str | None:
    """``Mapped[int | None]`` -> ``Integer``; None when the annotation says nothing sure."""
    annotation = string_annotation(annotation)
    if not isinstance(annotation, ast.Subscript) or \
            (dotted_name(annotation.value) or "").rsplit(".", 1)[-1] != "Mapped":
        return None
    inner = _without_none(string_annotation(annotation.slice))
    inner = string_annotation(inner)
    if isinstance(inner, ast.Subscript):
        inner = inner.value
    name = (dotted_name(inner) or "").rsplit(".", 1)[-1] if inner is not None else ""
    return SQL_TYPES.get(name)


def _without_none(node: ast.expr | None) -> ast.expr | None:
    """``T | None``, ``Optional[T]`` -> T; anything else unchanged (None for a real union)."""
    if node is None:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [n for n in (node.left, node.right)
                 if not (isinstance(n, ast.Constant) and n.value is None)]
        return sides[0] if len(sides) == 1 else None
    if isinstance(node, ast.Subscript) and \
            (dotted_name(node.value) or "").rsplit(".", 1)[-1] == "Optional":
        return node.slice
    return node


# Calls whose arguments are column expressions of a query or an index, not declarations
# (``Table``, ``op.add_column`` and ``create_table`` declare: never listed here).
QUERY_CALLS = frozenset({
    "desc", "asc", "nulls_first", "nulls_last", "nullsfirst", "nullslast", "distinct",
    "cast", "collate", "order_by", "group_by", "where", "filter", "having", "select",
})


def _column_references(tree: ast.Module) -> set[int]:
    """ids of ``Column("name")`` calls (a name, nothing else) given to a query function, an
    SQL function (``func.lower``) or a query method: a column clause
    (``order_by(desc(Column("created_at")))``, ``Index(..., func.lower(Column("email")))``),
    which declares nothing."""
    found: set[int] = set()
    for node in nodes_of(tree, ast.Call):
        assert isinstance(node, ast.Call)
        callee = (dotted_name(node.func) or "").split(".")
        if callee[-1] not in QUERY_CALLS and "func" not in callee[:-1]:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Call) and not arg.keywords and len(arg.args) == 1 and \
                    is_string_expression(arg.args[0]) and \
                    (dotted_name(arg.func) or "").rsplit(".", 1)[-1] in COLUMN_CALLS:
                found.add(id(arg))
    return found


def has_explicit_type(ctx: FileContext, call: ast.Call) -> bool:
    """The type argument is there (or cannot be judged because of ``*args``/``**kwargs``), or
    the column is declared elsewhere: ``use_existing_column=True`` maps a single-table
    subclass onto the superclass's column, whose declaration is judged itself."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None or k.arg == "type_" or (
                k.arg == "use_existing_column" and isinstance(k.value, ast.Constant)
                and k.value.value is True) for k in call.keywords):
        return True
    args = list(call.args)
    if args and is_string_expression(args[0]):
        args = args[1:]  # the column name
    return bool(args) and _is_type(ctx, args[0])


def _is_type(ctx: FileContext, node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if not isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
        return False
    if isinstance(target, ast.Subscript):
        target = target.value
    name = ctx.qualname(target) or dotted_name(target) or ""
    return name.rsplit(".", 1)[-1] not in SCHEMA_ITEMS
