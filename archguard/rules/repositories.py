"""AG4xx: repositories are thin async data access (a session, one filtered query per method,
nothing of HTTP); services do not query inside loops."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archguard.analysis.astindex import enclosed, nodes_of
from archguard.analysis.context import FileContext
from archguard.analysis.dataaccess import (
    OTHER_DRIVERS, SqlEvidence, file_sql_evidence, touches_sql,
)
from archguard.analysis.facts import Span, dotted_name
from archguard.analysis.patterns import (
    HTTP_EXCEPTIONS, FunctionNode, class_assignments, class_methods, class_nodes,
    ASYNC_SESSION, is_async_session, repository_classes, repository_functions, type_name,
    unwrap_annotation, walk_scope,
)
from archguard.analysis.project_view import Project
from archguard.analysis.queries import (
    REPEATING, cache_refills, group_batches, is_query_await, looped_calls, queries_database,
    queries_in_loop, query_paths, receiver_kinds,
)
from archguard.analysis.softdelete import QueryFact, query_facts, soft_models
from archguard.diagnostics import Diagnostic
from archguard.rules.registry import FileRule, ProjectRule, register

HTTP_PACKAGES = ("fastapi", "starlette")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@register
class RepositorySession(ProjectRule):
    """A repository is handed the request's `AsyncSession` by its constructor, so that the
    service decides the transaction and every repository of a request shares it. A
    repository that opens its own session, takes a sync `Session`, or takes none leaks
    connections and breaks transactions. A repository class (named `*Repository` anywhere,
    or a public class of a repository file defining an async method) needs an `__init__`
    with a parameter annotated `AsyncSession` (any import or alias, quoted, inside
    `Annotated`/`Optional`); reported at that `__init__`. A class without `__init__` is
    reported at its `class` line unless the first project class in its bases (any file)
    that defines `__init__` takes an `AsyncSession`; an `__init__` inherited from a library
    class is not trusted. A repository handed a connection of another async database
    driver (a parameter typed from `asyncpg`, `databases`, `motor`, `aiosqlite`,
    `aiomysql`, `asyncmy`, `aiopg`, `psycopg`, `psycopg_pool`) is not reported: the
    project does not use SQLAlchemy sessions there, and the caller still owns the
    connection. A repository of something other than the SQL database (a git repository
    of plugins, an analytics HTTP API) is not reported either: only a class that shows SQL,
    itself or through a project class in its bases (any file), is judged. It shows SQL when
    it names SQLAlchemy, SQLModel or one of those drivers (a `select(...)`, an
    `AsyncSession` or sync `Session`), writes SQL text (`"SELECT ... FROM ..."`), uses an
    ORM model as a value (`session.get(User, id)`, `User.id`; a model in an annotation is
    data handed in, not data access), or names a project alias of a session. A class with
    nothing to judge (methods that are `...`, `pass` or a docstring) is judged by its name."""

    code = "AG401"
    name = "repository-session"
    summary = "A repository whose __init__ does not take an AsyncSession"
    rulebook = "One repository class per model, accepts `AsyncSession` in constructor"
    hint = "def __init__(self, session: AsyncSession) -> None: self._session = session"
    example_path = "cpv3/modules/media/repository.py"
    bad = ("from __future__ import annotations\n\nimport uuid\n\n"
           "from sqlalchemy import select\n\n"
           "from cpv3.db.session import session_factory\n"
           "from cpv3.modules.media.models import Media\n\n\n"
           "class MediaRepository:\n    def __init__(self) -> None:\n"
           "        self._session = session_factory()\n\n"
           "    async def get(self, media_id: uuid.UUID) -> Media | None:\n"
           "        return await self._session.scalar(select(Media).where(Media.id == "
           "media_id))\n")
    good = ("from __future__ import annotations\n\nimport uuid\n\n"
            "from sqlalchemy import select\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "from cpv3.modules.media.models import Media\n\n\n"
            "class MediaRepository:\n    def __init__(self, session: AsyncSession) -> None:\n"
            "        self._session = session\n\n"
            "    async def get(self, media_id: uuid.UUID) -> Media | None:\n"
            "        return await self._session.scalar(select(Media).where(Media.id == "
            "media_id))\n")

    def collect(self, ctx: FileContext) -> dict[str, object] | None:
        # class qualname -> the types its __init__'s parameters are annotated with
        inits: dict[str, list[str]] = {}
        for node, qualname in class_nodes(ctx.tree, ctx.module):
            init = _init(node)
            if init is not None:
                inits[qualname] = _parameter_types(ctx, init)
        # top-level class qualname -> the SQL it shows (its subclasses' too); a repository
        # role file's own code outside classes, for the layer rules
        sql, outside = file_sql_evidence(ctx)
        own = outside if ctx.role == "repository" else None
        repositories = []
        for node in repository_classes(ctx):
            init = _init(node)
            repositories.append((f"{ctx.module}.{node.name}", node.name, ctx.def_span(node),
                                 None if init is None else ctx.def_span(init),
                                 ctx.role == "repository"))
        return {"inits": inits, "repositories": repositories, "sql": sql, "file_sql": own} \
            if inits or repositories or sql or own is not None else None

    def check(self, project: Project) -> Iterator[Diagnostic]:
        inits: dict[str, list[str]] = {}
        for facts in project.iter_files():
            inits.update(facts.extra.get(self.code, {}).get("inits", {}))
        for facts in project.iter_files():
            for qualname, name, span, init_span, in_role in facts.extra.get(
                    self.code, {}).get("repositories", ()):
                if not is_repository(project, qualname, in_role) or \
                        class_shows_sql(project, qualname) is False:
                    continue
                if init_span is not None:
                    if _takes_session(project, inits.get(qualname, [])) is False:
                        yield self.diagnostic(
                            facts.path, init_span,
                            f"__init__ of repository '{name}' does not take an AsyncSession")
                    continue
                if self._inherits_no_session(project, qualname, inits):
                    yield self.diagnostic(
                        facts.path, span,
                        f"repository '{name}' has no __init__ taking an AsyncSession")

    @staticmethod
    def _inherits_no_session(project: Project, qualname: str,
                             inits: dict[str, list[str]]) -> bool:
        """True only when the whole chain is visible and no __init__ in it takes a session:
        a base the project cannot see (a library class, a file that failed to parse) may
        well take one."""
        for base in project.mro_names(qualname):
            if base in inits:
                return _takes_session(project, inits[base]) is False
        return not project.unseen_bases(qualname)


def is_repository(project: Project, qualname: str, in_role_file: bool) -> bool:
    """A class of a repository role file, or a ``*Repository`` class that has no base or
    derives from a project repository base; never a value type (Pydantic model, ORM model,
    enum, dataclass), whatever its name."""
    if project.is_value_type(qualname):
        return False
    if in_role_file:
        return True
    bases = project.mro_names(qualname)
    if not bases:
        return True
    return any(b in project.classes and "Repositor" in b.rsplit(".", 1)[-1] for b in bases)


def _sql_facts(project: Project) -> dict[str, SqlEvidence]:
    """Class qualname -> the SQL it shows, from every file."""
    def merged() -> dict[str, SqlEvidence]:
        found: dict[str, SqlEvidence] = {}
        for facts in project.iter_files():
            found.update(facts.extra.get(RepositorySession.code, {}).get("sql", {}))
        return found
    return project.memo("sql-evidence", merged)


def class_shows_sql(project: Project, qualname: str) -> bool | None:
    """True: the class or a project class in its bases touches the SQL database (see
    ``archguard.analysis.dataaccess``); False: they have code and none of it does (a
    repository of something else: git, an HTTP API); None: they are stubs, nothing to
    judge."""
    sql = _sql_facts(project)
    evidence = SqlEvidence()
    for name in (project.resolve(qualname), *project.mro_names(qualname)):
        evidence = evidence.merged(sql.get(name, SqlEvidence()))
    if touches_sql(project, evidence, sessions=True):
        return True
    return False if evidence.code else None


def is_data_layer_file(project: Project, path: str) -> bool:
    """A repository-role file that touches the SQL database: its own code builds or runs
    SQL, or one of its classes does (a function handing a session on to a service does not
    make a data layer). A file without code to judge (imports, a re-export facade, stubs)
    and one archguard has no facts for are judged by their name. Once per file and run
    (the layout and the layer rules both ask)."""
    judged: dict[str, bool] = project.memo("data-layer-files", dict)
    if path not in judged:
        judged[path] = _touches_sql_as_a_file(project, path)
    return judged[path]


def _touches_sql_as_a_file(project: Project, path: str) -> bool:
    facts = project.files.get(path)
    own = None if facts is None else facts.extra.get(RepositorySession.code, {}).get("file_sql")
    if facts is None or own is None:
        return True
    if touches_sql(project, own, sessions=False):
        return True
    judged = [class_shows_sql(project, cls.qualname) for cls in facts.classes
              if not cls.is_nested]
    return any(judged) or not (own.code or False in judged)


def _init(node: ast.ClassDef) -> FunctionNode | None:
    return next((m for m in class_methods(node) if m.name == "__init__"), None)


def _parameter_types(ctx: FileContext, init: FunctionNode) -> list[str]:
    """The resolved type names the parameters of ``__init__`` (after ``self``) are
    annotated with; ``AsyncSession`` for any spelling of it. ``?`` marks a parameter
    without annotation, ``**`` one of ``*args``/``**kwargs`` (anything may come through)."""
    args = init.args
    parameters = [*args.posonlyargs, *args.args][1:] + [*args.kwonlyargs]
    found: list[str] = []
    for parameter in parameters:
        if is_async_session(ctx, parameter.annotation):
            found.append(ASYNC_SESSION)
        elif parameter.annotation is not None:
            found += [type_name(ctx, t) or "?" for t in
                      unwrap_annotation(ctx, parameter.annotation)]
    if args.vararg or args.kwarg:
        found.append("**")
    return found


def _takes_session(project: Project, types: list[str]) -> bool | None:
    """True: a parameter is a session (an alias of one in any file counts); False: none
    is; None: cannot tell (``**kwargs``, a type the project cannot see)."""
    if ASYNC_SESSION in types or any(project.is_session_type(t, async_only=True)
                                      for t in types if t not in ("?", "**")):
        return True
    if any(name.split(".")[0] in OTHER_DRIVERS for t in types if t not in ("?", "**")
           for name in project.type_names(t)):
        return None  # another driver's connection: not a SQLAlchemy repository
    if "**" in types or any(project.is_unknown(t) for t in types if t not in ("?", "**")):
        return None
    return False


@register
class SoftDeleteFilter(ProjectRule):
    """Soft-deleted rows must never reach users: every read filters `is_deleted`. Reported,
    at the `def` line: a repository method (of a repository class, or a top-level function
    of a repository file) that builds `select(...)` (or `.select_from(...)`) on a model with
    `is_deleted` (its own column, or inherited from `BaseModelMixin` or any project class,
    resolved across files) and never filters it; and one that loads such a model with
    `session.get(Model, id)` (which cannot filter) without checking `.is_deleted`
    afterwards. A method filters when it reads an `is_deleted` attribute anywhere
    (`Model.is_deleted.is_(False)`, `== False`, `~Model.is_deleted`, `is_not(True)`), calls
    `.filter_by(is_deleted=...)`, calls a configured helper (matched on the last component of
    its resolved name, so `not_deleted as nd` counts), or uses a function or constant of the
    same file that filters (`self._active_query()`). Only reads count: `update()`/`delete()`
    statements and soft deletes themselves (`values(is_deleted=True)`) are writes. Joined
    models are not checked."""

    code = "AG402"
    name = "soft-delete-filter"
    summary = "A repository query on a soft-deletable model that never filters is_deleted"
    rulebook = "Filter soft-deleted records (`is_deleted`) by default in all queries"
    hint = "add .where(not_deleted(Model)) to the query"
    configuration = ("The filtering helpers: `soft-delete-helpers` (default "
                     "`[\"not_deleted\"]`); the mixin giving `is_deleted`: `model-mixin`.")
    example_path = "cpv3/modules/media/repository.py"
    bad = ("from __future__ import annotations\n\nfrom sqlalchemy import select\n"
           "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
           "from cpv3.db.base import Base, BaseModelMixin\n\n\n"
           "class Media(Base, BaseModelMixin):\n    __tablename__ = \"media\"\n\n\n"
           "class MediaRepository:\n    def __init__(self, session: AsyncSession) -> None:\n"
           "        self._session = session\n\n"
           "    async def list_all(self) -> list[Media]:\n"
           "        return list(await self._session.scalars(select(Media)))\n")
    good = bad.replace("from cpv3.db.base import Base, BaseModelMixin",
                       "from cpv3.db.base import Base, BaseModelMixin, not_deleted").replace(
        "select(Media)))", "select(Media).where(not_deleted(Media))))")

    def collect(self, ctx: FileContext) -> dict[str, object] | None:
        soft = [q for node, q in class_nodes(ctx.tree, ctx.module)
                if any(name == "is_deleted" for name, _ in class_assignments(node))]
        methods = query_facts(ctx)
        return {"soft": soft, "methods": methods} if soft or methods else None

    def check(self, project: Project) -> Iterator[Diagnostic]:
        soft = {q for facts in project.iter_files()
                for q in facts.extra.get(self.code, {}).get("soft", ())}
        # The configured mixin carries ``is_deleted`` by definition, unless archguard can
        # see it and it does not (a project soft-deleting through ``deleted_at``).
        mixin = project.resolve(project.config.model_mixin)
        if mixin not in project.classes:
            soft.add(mixin)
        helper = (project.config.soft_delete_helpers or ["not_deleted"])[0].rsplit(".", 1)[-1]
        for facts in project.iter_files():
            for method in facts.extra.get(self.code, {}).get("methods", ()):
                selected = [] if method["filters"] else soft_models(project, soft,
                                                                     method["selects"])
                got = [] if method["checks"] else soft_models(project, soft, method["gets"])
                if selected or got:
                    yield self._report(facts.path, method, selected, got, helper)

    def _report(self, path: str, method: QueryFact, selected: list[str], got: list[str],
                helper: str) -> Diagnostic:
        span = method["span"]
        assert isinstance(span, Span)
        if selected:
            names = ", ".join(selected)
            return self.diagnostic(
                path, span, f"repository method '{method['name']}' selects {names} without "
                            f"filtering is_deleted", f"add .where({helper}({selected[0]}))")
        return self.diagnostic(
            path, span, f"repository method '{method['name']}' loads {got[0]} with "
                        f"session.get(), which returns soft-deleted rows",
            f"use select({got[0]}).where({got[0]}.id == ..., {helper}({got[0]}))")


@register
class RepositoryMultiQuery(FileRule):
    """A repository method is one focused query: composing several queries is business
    logic (which one first, what if the first is empty) and belongs in the service, where it
    is visible and testable. Counted, per repository method and excluding nested functions:
    awaited calls of a configured query method (`execute`, `scalar`, `scalars`, `get`,
    `stream`, ...) on anything but `self` (calling the repository's own methods is not
    counted: they are checked themselves). Branches are alternatives: `if`/`else`, `match`
    cases and `except` handlers count the most expensive one, and a `return` or `raise` ends
    a path, so an early-return cache check is one query. A query inside a loop or a
    comprehension (other than the first iterable) is always reported, except one bulk write
    run in chunks: a `while` loop, or a `for` over `batched(...)`/`chunks(...)`/
    `range(start, stop, step)`, whose body awaits exactly one query and builds an
    `update`/`delete`/`insert` (a batch or keyset page of the same statement) counts as one
    query. A per-item write loop, and reads in chunks, stay reported."""

    code = "AG403"
    name = "repository-multi-query"
    summary = "A repository method that awaits more than one query"
    rulebook = "Methods should be atomic and focused — one query per method"
    hint = "split it into one method per query and compose them in the service"
    configuration = ("The awaited methods that are queries: `query-methods` (default "
                     "`[\"execute\", \"scalar\", \"scalars\", \"get\", \"get_one\", \"stream\", "
                     "\"stream_scalars\"]`).")
    example_path = "cpv3/modules/media/repository.py"
    bad = ("from __future__ import annotations\n\nimport uuid\n\n"
           "from sqlalchemy import func, select\n"
           "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
           "from cpv3.db.base import not_deleted\n"
           "from cpv3.modules.media.models import Media\n\n\n"
           "class MediaRepository:\n    def __init__(self, session: AsyncSession) -> None:\n"
           "        self._session = session\n\n"
           "    async def page(self, owner_id: uuid.UUID) -> tuple[list[Media], int]:\n"
           "        query = select(Media).where(Media.owner_id == owner_id, "
           "not_deleted(Media))\n"
           "        rows = await self._session.scalars(query.limit(20))\n"
           "        total = await self._session.scalar(\n"
           "            select(func.count()).select_from(query.subquery()))\n"
           "        return list(rows), total or 0\n")
    good = ("from __future__ import annotations\n\nimport uuid\n\n"
            "from sqlalchemy import select\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "from cpv3.db.base import not_deleted\n"
            "from cpv3.modules.media.models import Media\n\n\n"
            "class MediaRepository:\n    def __init__(self, session: AsyncSession) -> None:\n"
            "        self._session = session\n\n"
            "    async def page(self, owner_id: uuid.UUID) -> list[Media]:\n"
            "        query = select(Media).where(Media.owner_id == owner_id, "
            "not_deleted(Media))\n"
            "        return list(await self._session.scalars(query.limit(20)))\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        methods = frozenset(ctx.config.query_methods)
        for function in repository_functions(ctx):
            if not isinstance(function, ast.AsyncFunctionDef):
                continue  # only an async def's own body can await
            awaited = sum(1 for n in walk_scope(function) if is_query_await(n, methods))
            if not awaited:
                continue
            count = query_paths(function, methods) if awaited > 1 else 1  # paths: the cost
            looped = queries_in_loop(ctx, function, methods)
            if count > 1 or looped:
                yield self.report(ctx, ctx.def_span(function),
                                  self._message(function.name, count, looped))

    @staticmethod
    def _message(name: str, count: int, looped: bool) -> str:
        if count <= 1:
            return f"repository method '{name}' awaits a query inside a loop"
        loop = " (one inside a loop)" if looped else ""
        return f"repository method '{name}' awaits {count} queries{loop}"


@register
class RepositoryHttp(FileRule):
    """Repositories are pure data access: they return rows or None and know nothing of
    HTTP. A repository that imports `fastapi`/`starlette` (any form: `import fastapi`,
    `from fastapi.encoders import ...`, inside a function or a `TYPE_CHECKING` block) or
    raises `HTTPException` (any name resolving to one called `HTTPException`) makes the
    data layer decide status codes and cannot be reused from workers. Reported at each
    import statement and each `raise`."""

    code = "AG404"
    name = "repository-http"
    summary = "A repository that imports fastapi/starlette or raises HTTPException"
    rulebook = "Repository: Pure data access. SQL queries, no business decisions."
    hint = "return None (or raise a domain error) and let the service choose the HTTP error"
    example_path = "cpv3/modules/media/repository.py"
    bad = ("from __future__ import annotations\n\nfrom fastapi import HTTPException\n\n"
           "ERROR_NOT_FOUND = \"Media not found\"\n\n\n"
           "def require(found: object | None) -> object:\n"
           "    if found is None:\n"
           "        raise HTTPException(status_code=404, detail=ERROR_NOT_FOUND)\n"
           "    return found\n")
    good = ("from __future__ import annotations\n\n\n"
            "def first_or_none(rows: list[object]) -> object | None:\n"
            "    return rows[0] if rows else None\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if ctx.role != "repository":
            return
        seen: set[Span] = set()
        for fact in ctx.facts.imports:
            if fact.module.split(".")[0] in HTTP_PACKAGES and fact.span not in seen:
                seen.add(fact.span)
                yield self.report(ctx, fact.span,
                                  f"repository imports '{fact.target}': repositories know "
                                  f"nothing of HTTP")
        for node in nodes_of(ctx.tree, ast.Raise):
            assert isinstance(node, ast.Raise)
            if node.exc is not None and _is_http_error(ctx, node.exc):
                yield self.report(ctx, ctx.span(node), "repository raises HTTPException")


def _is_http_error(ctx: FileContext, node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = ctx.qualname(target) or dotted_name(target) or ""
    return name in HTTP_EXCEPTIONS or name.rsplit(".", 1)[-1] == "HTTPException"


@register
class NPlusOne(FileRule):
    """Loading a list and then querying once per item (N+1) turns one request into hundreds
    of round trips. Reported, in a service file, at an awaited repository or session call
    inside the body of a `for`/`async for`/`while` loop or inside a comprehension (the first
    iterable, evaluated once, excepted), and at a repository/session call made per item of a
    comprehension passed to `asyncio.gather`. A receiver is a repository when it is
    `self.repository`, `self.<x>_repository`/`_repo`, a `self` attribute or local name
    assigned from a `*Repository(...)` call or annotated `*Repository`; a session when it is
    named `session`/`db` (leading underscores ignored) or annotated `AsyncSession`. Awaited
    calls on anything else (other services, HTTP clients, Redis) are not database queries
    for this rule. Every loop form counts: `for`, `async for`, `while` (its condition and
    body) and comprehensions, async ones included. Only calls that read count: on a
    session, `execute`, `scalar`, `scalars`, `get`, `get_one`, `refresh`, `merge`, `stream`
    (and the configured `query-methods`), unless the statement is an `insert`/`update`/
    `delete` (inline or a local name only assigned one); transaction control (`commit`,
    `rollback`, `flush`, `begin_nested`) and unit-of-work marks (`add`, `add_all`,
    `delete`, `expunge`, `expire`) are not queries per item. On a repository, every method
    except those named for a write (the configured `write-verbs`: `create`, `add`, `update`,
    `delete`, `remove`, `save`, `upsert`, `set`, `mark`, `soft_delete`, `bulk_*`, `link`/
    `unlink`, `attach`/`detach`, `assign`, `increment`, `revoke`, `reset`, `archive`, ...
    alone or followed by `_`): a write-only batch loop is not N+1, whether or not
    `create()` flushes. A call in a branch
    that refills a dict loaded in bulk above it (the `except KeyError`/`LookupError` of a
    `try` reading `d[k]`, or `if k not in d:`, storing `d[k] = ...`, where `d` was assigned
    from an awaited call) is a cache miss, not N+1; a memo dict that starts empty is N+1.
    A session query per pass of a `for` loop over groups (no other loop around it) that
    filters with `.in_(ids)` on a collection the loop's target binds (`for kind, ids in
    grouped.items()`, `.values()`, `for chunk in batched(ids, 500)`/`chunked(...)`) loads
    one group per pass: the query count follows the groups, not the rows. This is a guess:
    a dict grouped per row (`for order, ids in by_order.items()`) is N+1 all the same and
    is not reported; a loop over `zip(...)` or a plain list is."""

    code = "AG405"
    name = "n-plus-one"
    summary = "An awaited repository or session call inside a loop in a service"
    configuration = ("`write-verbs`: the verbs of repository methods that write (a loop of "
                     "them is a batch); `query-methods`: more session methods that read.")
    rulebook = ("**N+1 queries in service layer** — loading a list of parent objects then "
                "querying children one-by-one inside a loop. Use `selectinload()` or "
                "`joinedload()` eagerly.")
    hint = ("load the rows in one query before the loop: selectinload() for relationships, "
            "or a repository method taking all the ids (WHERE id IN ...)")
    example_path = "cpv3/modules/projects/service.py"
    bad = ("from __future__ import annotations\n\nimport uuid\n\n"
           "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
           "from cpv3.modules.projects.models import Project\n"
           "from cpv3.modules.projects.repository import ProjectRepository\n\n\n"
           "class ProjectService:\n    def __init__(self, session: AsyncSession) -> None:\n"
           "        self._projects = ProjectRepository(session)\n\n"
           "    async def load(self, ids: list[uuid.UUID]) -> list[Project | None]:\n"
           "        found = []\n"
           "        for project_id in ids:\n"
           "            found.append(await self._projects.get_by_id(project_id))\n"
           "        return found\n")
    good = ("from __future__ import annotations\n\nimport uuid\nfrom collections.abc import "
            "Sequence\n\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "from cpv3.modules.projects.models import Project\n"
            "from cpv3.modules.projects.repository import ProjectRepository\n\n\n"
            "class ProjectService:\n    def __init__(self, session: AsyncSession) -> None:\n"
            "        self._projects = ProjectRepository(session)\n\n"
            "    async def load(self, ids: list[uuid.UUID]) -> Sequence[Project]:\n"
            "        return await self._projects.get_many(ids)\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if ctx.role != "service":
            return
        methods = frozenset(ctx.config.query_methods)
        for function, owner in _functions_with_owner(ctx.tree):
            calls = list(looped_calls(ctx, function))
            kinds = receiver_kinds(ctx, owner, function) if calls else None
            refills = cache_refills(function) | group_batches(function) if calls else set()
            for report_at, call, where in calls:
                assert kinds is not None and isinstance(call.func, ast.Attribute)
                kind = kinds.kind(ctx, call.func.value)
                if kind is not None and id(report_at) not in refills and queries_database(
                        ctx, function, call, kind, methods):
                    callee = f"{dotted_name(call.func.value) or '...'}.{call.func.attr}"
                    yield self.report(ctx, ctx.span(report_at),
                                      f"{kind} call '{callee}()' {where}: N+1 queries")


def _functions_with_owner(tree: ast.Module) -> list[tuple[FunctionNode, ast.ClassDef | None]]:
    """The functions running a loop or comprehension in their own scope, each with the
    innermost class whose ``self`` it sees (None outside one)."""
    found: dict[int, tuple[FunctionNode, ast.ClassDef | None]] = {}
    for node, chain in enclosed(tree, (*SCOPES, *REPEATING)):
        if not isinstance(node, REPEATING):
            continue
        index = next((i for i in range(len(chain) - 1, -1, -1)
                      if isinstance(chain[i], (ast.FunctionDef, ast.AsyncFunctionDef))), None)
        if index is None:
            continue  # module or class level: nothing can be awaited there
        function = chain[index]
        assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        owner = next((c for c in reversed(chain[:index]) if isinstance(c, ast.ClassDef)), None)
        found.setdefault(id(function), (function, owner))
    return sorted(found.values(), key=lambda item: item[0].lineno)
