"""AG4xx: repositories are thin async data access (a session, one filtered query per method,
nothing of HTTP); services do not query inside loops."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator

from archguard.context import FileContext
from archguard.diagnostics import Diagnostic
from archguard.facts import Span, dotted_name
from archguard.patterns import (
    HTTP_EXCEPTIONS, FunctionNode, class_assignments, class_methods, class_nodes, dotted_chains,
    is_async_session, repository_classes, repository_functions,
)
from archguard.project import Project
from archguard.queries import looped_calls, queries_in_loop, query_paths, receiver_kinds
from archguard.registry import FileRule, ProjectRule, register

HTTP_PACKAGES = ("fastapi", "starlette")
SELF_NAMES = ("self", "cls")


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
    class is not trusted."""

    code = "AG401"
    name = "repository-session"
    summary = "A repository whose __init__ does not take an AsyncSession"
    rulebook = "One repository class per model, accepts `AsyncSession` in constructor"
    hint = "def __init__(self, session: AsyncSession) -> None: self._session = session"
    example_path = "cpv3/modules/media/repository.py"
    bad = ("from __future__ import annotations\n\n"
           "from cpv3.db.session import session_factory\n\n\n"
           "class MediaRepository:\n    def __init__(self) -> None:\n"
           "        self._session = session_factory()\n")
    good = ("from __future__ import annotations\n\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
            "class MediaRepository:\n    def __init__(self, session: AsyncSession) -> None:\n"
            "        self._session = session\n")

    def collect(self, ctx: FileContext) -> dict[str, object] | None:
        inits: dict[str, bool] = {}  # class qualname -> its __init__ takes an AsyncSession
        for node, qualname in class_nodes(ctx.tree, ctx.module):
            init = _init(node)
            if init is not None:
                inits[qualname] = _takes_session(ctx, init)
        repositories = []
        for node in repository_classes(ctx):
            init = _init(node)
            repositories.append((f"{ctx.module}.{node.name}", node.name, ctx.def_span(node),
                                 None if init is None else ctx.def_span(init)))
        return {"inits": inits, "repositories": repositories} if inits or repositories \
            else None

    def check(self, project: Project) -> Iterator[Diagnostic]:
        inits: dict[str, bool] = {}
        for facts in project.iter_files():
            inits.update(facts.extra.get(self.code, {}).get("inits", {}))
        for facts in project.iter_files():
            for qualname, name, span, init_span in facts.extra.get(self.code, {}).get(
                    "repositories", ()):
                if init_span is not None:
                    if not inits.get(qualname):
                        yield self.diagnostic(
                            facts.path, init_span,
                            f"__init__ of repository '{name}' does not take an AsyncSession")
                    continue
                inherited = next((inits[b] for b in project.mro_names(qualname) if b in inits),
                                 False)
                if not inherited:
                    yield self.diagnostic(
                        facts.path, span,
                        f"repository '{name}' has no __init__ taking an AsyncSession")


def _init(node: ast.ClassDef) -> FunctionNode | None:
    return next((m for m in class_methods(node) if m.name == "__init__"), None)


def _takes_session(ctx: FileContext, init: FunctionNode) -> bool:
    args = init.args
    parameters = [*args.posonlyargs, *args.args][1:] + [*args.kwonlyargs]
    return any(is_async_session(ctx, p.annotation) for p in parameters)


QueryFact = dict[str, object]


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
        methods = _query_facts(ctx)
        return {"soft": soft, "methods": methods} if soft or methods else None

    def check(self, project: Project) -> Iterator[Diagnostic]:
        soft = {q for facts in project.iter_files()
                for q in facts.extra.get(self.code, {}).get("soft", ())}
        soft.add(project.resolve(project.config.model_mixin))
        helper = (project.config.soft_delete_helpers or ["not_deleted"])[0].rsplit(".", 1)[-1]
        for facts in project.iter_files():
            for method in facts.extra.get(self.code, {}).get("methods", ()):
                selected = [] if method["filters"] else _soft_models(project, soft,
                                                                     method["selects"])
                got = [] if method["checks"] else _soft_models(project, soft, method["gets"])
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


def _soft_models(project: Project, soft: set[str], names: object) -> list[str]:
    """The short names of the soft-deletable project models among resolved dotted names
    (``Model`` or ``Model.column``)."""
    found: list[str] = []
    for name in names if isinstance(names, list) else ():
        model = _model_of(project, name)
        if model is None:
            continue
        if model in soft or any(base in soft for base in project.mro_names(model)):
            short = model.rsplit(".", 1)[-1]
            if short not in found:
                found.append(short)
    return found


def _model_of(project: Project, name: str) -> str | None:
    resolved = project.resolve(name)
    if resolved in project.classes:
        return resolved
    parent = resolved.rpartition(".")[0]
    if parent and project.resolve(parent) in project.classes:
        return project.resolve(parent)
    return None


def _query_facts(ctx: FileContext) -> list[QueryFact]:
    functions = repository_functions(ctx)
    if not functions:
        return []
    helpers = {h.rsplit(".", 1)[-1] for h in ctx.config.soft_delete_helpers}
    local = _filtering_names(ctx, helpers)
    facts: list[QueryFact] = []
    for function in functions:
        selects, gets = _selected(ctx, function), _got(ctx, function)
        if selects or gets:
            facts.append({
                "name": function.name, "span": ctx.def_span(function), "selects": selects,
                "gets": gets, "filters": _filters(ctx, function, helpers, local),
                "checks": any(_reads_is_deleted(n) for n in ast.walk(function)),
            })
    return facts


def _filtering_names(ctx: FileContext, helpers: set[str]) -> set[str]:
    """Functions, methods and module constants of this file that filter ``is_deleted``,
    directly or through each other (a fixed point)."""
    units: dict[str, list[ast.AST]] = defaultdict(list)
    for statement in ctx.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            units[statement.name].append(statement)
        elif isinstance(statement, ast.ClassDef):
            for method in class_methods(statement):
                units[method.name].append(method)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value:
            targets = statement.targets if isinstance(statement, ast.Assign) else [
                statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    units[target.id].append(statement.value)
    filtering: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, nodes in units.items():
            if name not in filtering and any(_filters(ctx, n, helpers, filtering)
                                             for n in nodes):
                filtering.add(name)
                changed = True
    return filtering


def _filters(ctx: FileContext, node: ast.AST, helpers: set[str], local: set[str]) -> bool:
    for sub in ast.walk(node):
        if _reads_is_deleted(sub):
            return True
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in local:
            return True
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and \
                sub.value.id in SELF_NAMES and sub.attr in local:
            return True
        if isinstance(sub, ast.Call) and _filter_call(ctx, sub, helpers):
            return True
    return False


def _filter_call(ctx: FileContext, call: ast.Call, helpers: set[str]) -> bool:
    if isinstance(call.func, ast.Attribute) and call.func.attr == "filter_by" and any(
            k.arg == "is_deleted" for k in call.keywords):
        return True
    name = ctx.qualname(call.func) or dotted_name(call.func) or ""
    return bool(name) and name.rsplit(".", 1)[-1] in helpers


def _reads_is_deleted(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "is_deleted" and isinstance(
        node.ctx, ast.Load)


def _selected(ctx: FileContext, function: FunctionNode) -> list[str]:
    """Resolved names inside ``select(...)`` and ``.select_from(...)`` arguments."""
    names: list[str] = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        resolved = ctx.qualname(node.func) or ""
        is_select = resolved.startswith(("sqlalchemy.", "sqlmodel.")) and \
            resolved.rsplit(".", 1)[-1] == "select"
        if is_select or (isinstance(node.func, ast.Attribute)
                         and node.func.attr == "select_from"):
            names += [n for arg in node.args for n in _resolved_chains(ctx, arg)]
    return list(dict.fromkeys(names))


def _got(ctx: FileContext, function: FunctionNode) -> list[str]:
    """The models given to ``<session>.get(Model, id)`` / ``get_one``."""
    names: list[str] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("get", "get_one") and len(node.args) >= 2 and \
                dotted_name(node.func.value) not in SELF_NAMES and \
                isinstance(node.args[0], (ast.Name, ast.Attribute)):
            names += _resolved_chains(ctx, node.args[0])
    return list(dict.fromkeys(names))


def _resolved_chains(ctx: FileContext, node: ast.AST) -> list[str]:
    return [r for chain in dotted_chains(node) if (r := ctx.qualname(chain))]


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
    comprehension (other than the first iterable) is always reported."""

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
            count = query_paths(function, methods)
            looped = queries_in_loop(function, methods)
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
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.Raise) and node.exc is not None and _is_http_error(
                    ctx, node.exc):
                yield self.report(ctx, ctx.span(node), "repository raises HTTPException")


def _is_http_error(ctx: FileContext, node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = ctx.qualname(target) or dotted_name(target) or ""
    return name in HTTP_EXCEPTIONS or name.rsplit(".", 1)[-1] == "HTTPException"


@register
class NPlusOne(FileRule):
    """Loading a list and then querying once per item (N+1) turns one request into hundreds
    of round trips. Reported, in a service file, at an awaited repository or session call
    inside the body of a `for`/`async for` loop or inside a comprehension (the first
    iterable, evaluated once, excepted), and at a repository/session call made per item of a
    comprehension passed to `asyncio.gather`. A receiver is a repository when it is
    `self.repository`, `self.<x>_repository`/`_repo`, a `self` attribute or local name
    assigned from a `*Repository(...)` call or annotated `*Repository`; a session when it is
    named `session`/`db` (leading underscores ignored) or annotated `AsyncSession`. Awaited
    calls on anything else (other services, HTTP clients, Redis) are not database queries
    for this rule; `while` loops (batch processing) are not checked."""

    code = "AG405"
    name = "n-plus-one"
    summary = "An awaited repository or session call inside a loop in a service"
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
        for function, owner in _functions_with_owner(ctx.tree):
            kinds = receiver_kinds(ctx, owner, function)
            for report_at, call, where in looped_calls(ctx, function):
                assert isinstance(call.func, ast.Attribute)
                kind = kinds.kind(ctx, call.func.value)
                if kind is not None:
                    callee = f"{dotted_name(call.func.value) or '...'}.{call.func.attr}"
                    yield self.report(ctx, ctx.span(report_at),
                                      f"{kind} call '{callee}()' {where}: N+1 queries")


def _functions_with_owner(tree: ast.Module) -> Iterator[tuple[FunctionNode,
                                                                ast.ClassDef | None]]:
    """Every function with the top-level class whose ``self`` it sees (None outside one)."""
    for statement in tree.body:
        owner = statement if isinstance(statement, ast.ClassDef) else None
        for node in ast.walk(statement):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node, owner
