"""AG5xx (routes): list endpoints are paginated."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from archguard.analysis.astindex import nodes_of, walk
from archguard.analysis.context import FileContext
from archguard.analysis.queries import SESSION_CLEANUP
from archguard.analysis.patterns import (
    DEPENDS, SQLALCHEMY_QUERY_BUILDERS, FunctionNode, Route, all_parameters, annotated_metadata,
    iter_functions, parameter_defaults, routes, session_names, type_name, unwrap_annotation,
)
from archguard.diagnostics import Diagnostic
from archguard.rules.registry import FileRule, register

COLLECTION_TYPES = frozenset({
    "list", "tuple", "set", "frozenset", "typing.List", "typing.Tuple", "typing.Set",
    "typing.FrozenSet", "typing.Sequence", "typing.Iterable", "typing.Collection",
    "collections.abc.Sequence", "collections.abc.Iterable", "collections.abc.Collection",
    "List", "Tuple", "Set", "Sequence",
})


def returns_collection(ctx: FileContext, route: Route) -> bool:
    """``response_model`` (or, without one, the return annotation) is a collection type."""
    declared = route.keyword("response_model")
    if declared is None:
        declared = route.function.returns
    if declared is None:
        return False
    return any(type_name(ctx, t) in COLLECTION_TYPES for t in unwrap_annotation(ctx, declared))


def is_paginated(ctx: FileContext, route: Route) -> bool:
    config = ctx.config.pagination
    parameters = all_parameters(route.function)
    names = {p.arg for p in parameters}
    if any(set(group) <= names for group in config.parameter_sets if group):
        return True
    defaults = parameter_defaults(route.function)
    for parameter in parameters:
        default = defaults.get(parameter.arg)
        if _bounded_limit(parameter, default, config.bounded_limits):
            return True
        for dependency in _dependencies(ctx, parameter, default):
            if dependency.rsplit(".", 1)[-1] in config.dependencies:
                return True
    return False


# Calls whose `le=`/`lt=` bounds a parameter's value: FastAPI's parameter functions (also in
# `Annotated` metadata), pydantic's `Field` and `conint`. Matched on the last name part.
BOUNDING_CALLS = frozenset({"Query", "Path", "Body", "Form", "Header", "Field", "conint"})


def _bounded_limit(parameter: ast.arg, default: ast.expr | None, names: list[str]) -> bool:
    """A limit-like parameter (by name or ``alias=``) whose value has an upper bound
    (``le=``/``lt=`` other than None) in its default or anywhere in its annotation."""
    for expression in (default, parameter.annotation):
        for node in walk(expression) if expression is not None else ():
            if not isinstance(node, ast.Call):
                continue
            called = node.func.attr if isinstance(node.func, ast.Attribute) else \
                node.func.id if isinstance(node.func, ast.Name) else ""
            if called not in BOUNDING_CALLS:
                continue
            alias = _keyword(node, "alias")
            named = alias.value if isinstance(alias, ast.Constant) else parameter.arg
            bound = _keyword(node, "le") or _keyword(node, "lt")
            if named in names and bound is not None and not (
                    isinstance(bound, ast.Constant) and bound.value is None):
                return True
    return False


def _dependencies(ctx: FileContext, parameter: ast.arg, default: ast.expr | None,
                  ) -> Iterator[str]:
    """What ``Depends(...)`` resolves for a parameter (the annotation for ``Depends()``)."""
    markers = [*annotated_metadata(ctx, parameter.annotation)]
    if default is not None:
        markers.append(default)
    for marker in markers:
        if not (isinstance(marker, ast.Call) and _is_depends(ctx, marker.func)):
            continue
        target = marker.args[0] if marker.args else _keyword(marker, "dependency")
        if target is None and parameter.annotation is not None:
            target = next(iter(unwrap_annotation(ctx, parameter.annotation)), None)
        name = type_name(ctx, target) if target is not None else None
        if name:
            yield name


def _is_depends(ctx: FileContext, func: ast.expr) -> bool:
    resolved = ctx.qualname(func)
    return resolved in DEPENDS or (resolved is None and isinstance(func, ast.Name)
                                   and func.id == "Depends")


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


@register
class UnpaginatedListRoute(FileRule):
    """Every list endpoint must be paginated: an unbounded list is a production outage
    waiting to happen when the table grows. A GET route (`@router.get`, or `api_route` with
    GET) on any APIRouter/FastAPI instance whose `response_model` or return annotation is a
    collection (`list`, `List`, `Sequence`, `tuple`, `set`, also inside `Annotated` or
    `Optional`) needs every parameter of one pagination set (limit+offset, page+size, ...) or
    a parameter that `Depends` on a pagination dependency, or a limit-like parameter
    (`limit`, `page_size`, ... by name or `alias=`) whose value has an upper bound
    (`Query(le=100)`/`lt=`, also in `Annotated`, `Field(le=...)`, `conint(le=...)`): the
    result is capped, so not unbounded. A router is what FastAPI's
    `APIRouter`/`FastAPI` (any alias) or a project class or factory of that name builds, an
    instance of a class of the file deriving from one, what a function annotated to return
    one (or named `make_router`, `get_router`, ...) returns, a `router`/`app` attribute of a
    module-level object (`@module.router.get`), and an imported object named `router`, `app`
    or `*_router`. Functions given to `router.add_api_route(path, endpoint, ...)` are
    routes too."""

    code = "AG503"
    name = "unpaginated-list-route"
    summary = "A GET route returning a collection without pagination parameters"
    rulebook = ("**Missing pagination** — any list endpoint returning unbounded results is a "
                "production outage waiting to happen. Every list endpoint MUST support "
                "pagination.")
    hint = "add limit/offset parameters (or Depends(get_pagination)) and apply them in the query"
    configuration = ("`[tool.archguard.pagination]`: `parameter-sets` (lists of parameter "
                     "names, e.g. `[[\"limit\", \"offset\"], [\"cursor\"]]`) and `dependencies` "
                     "(names given to `Depends`, matched on their last component) and "
                     "`bounded-limits` (names of parameters that cap the result when their "
                     "value has an upper bound).")
    example_path = "cpv3/modules/projects/router.py"
    bad = ("from __future__ import annotations\n\nfrom fastapi import APIRouter\n\n"
           "from cpv3.modules.projects.schemas import ProjectRead\n\n"
           "router = APIRouter()\n\n\n"
           "@router.get(\"/\", response_model=list[ProjectRead])\n"
           "async def list_projects() -> list[ProjectRead]:\n"
           "    return []\n")
    good = ("from __future__ import annotations\n\nfrom fastapi import APIRouter, Query\n\n"
            "from cpv3.modules.projects.schemas import ProjectRead\n\n"
            "router = APIRouter()\n\n\n"
            "@router.get(\"/\", response_model=list[ProjectRead])\n"
            "async def list_projects(limit: int = Query(20, le=100), offset: int = 0,\n"
            "                        ) -> list[ProjectRead]:\n"
            "    return []\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for route in routes(ctx):
            if "GET" in route.methods and returns_collection(ctx, route) and \
                    not is_paginated(ctx, route):
                yield self.report(
                    ctx, ctx.def_span(route.function),
                    f"GET route '{route.function.name}' returns a collection without "
                    f"pagination parameters")


# Session calls that only end or tidy the transaction: cleanup, not a query (AG504).
PING_METHODS = frozenset({"execute", "exec", "scalar", "scalars"})
PING_SQL = re.compile(r"\s*select\s+1\s*;?\s*", re.IGNORECASE)


def _session_calls(ctx: FileContext, function: FunctionNode,
                   ) -> Iterator[tuple[ast.Call, str]]:
    """Method calls on a database session in ``function`` (its nested defs included), with
    the call as written (``db.execute``), cleanup calls (:data:`SESSION_CLEANUP`) left out."""
    defaults = parameter_defaults(function)
    dependencies = [(p, list(_dependencies(ctx, p, defaults.get(p.arg))))
                    for p in all_parameters(function)]
    names = session_names(ctx, function, dependencies)
    for node in walk(function) if names else ():
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id in names and \
                node.func.attr not in SESSION_CLEANUP:
            yield node, f"{node.func.value.id}.{node.func.attr}"


def _probes(ctx: FileContext, function: FunctionNode) -> list[ast.Call]:
    """Database pings of a probe: ``await x.execute(select(1))`` statements (result dropped)
    on a name that ``function`` uses for nothing but pings and cleanup calls, so there is
    no session passed on and no other work a service could own."""
    pings: dict[str, list[ast.Call]] = {}
    for node in walk(function):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Await) and \
                isinstance(node.value.value, ast.Call) and _is_ping(ctx, node.value.value):
            func = node.value.value.func
            assert isinstance(func, ast.Attribute)
            if isinstance(func.value, ast.Name):
                pings.setdefault(func.value.id, []).append(node.value.value)
    if not pings:
        return []
    uses: dict[str, int] = {}
    for node in walk(function):
        if isinstance(node, ast.Name) and node.id in pings and isinstance(node.ctx, ast.Load):
            uses[node.id] = uses.get(node.id, 0) + 1
        elif isinstance(node, ast.Attribute) and node.attr in SESSION_CLEANUP and \
                isinstance(node.value, ast.Name) and node.value.id in pings:
            uses[node.value.id] = uses.get(node.value.id, 0) - 1
    return [call for name, calls in pings.items() if uses.get(name, 0) == len(calls)
            for call in calls]


def _is_ping(ctx: FileContext, call: ast.Call) -> bool:
    """``session.execute(select(1))`` or ``session.execute(text("SELECT 1"))``."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in PING_METHODS or \
            len(call.args) != 1 or not isinstance(call.args[0], ast.Call) or \
            len(call.args[0].args) != 1:
        return False
    builder, (arg,) = ctx.qualname(call.args[0].func) or "", call.args[0].args
    if not isinstance(arg, ast.Constant):
        return False
    if builder in SQLALCHEMY_QUERY_BUILDERS and builder.endswith(".select"):
        return arg.value == 1
    return builder.rsplit(".", 1)[-1] == "text" and builder.startswith("sqlalchemy") and \
        isinstance(arg.value, str) and PING_SQL.fullmatch(arg.value) is not None


def _queries_bound_to(function: ast.AST, names: set[str]) -> set[int]:
    """The nodes of the values assigned to ``names`` in ``function``: a query built into a
    local (``stmt = select(User)``) and executed on the next line is one problem, already
    reported at the session call."""
    if not names:
        return set()
    return {id(inner) for node in walk(function)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
            and any(isinstance(t, ast.Name) and t.id in names
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
            for inner in walk(node.value)}


@register
class RouterDatabaseAccess(FileRule):
    """Routers are thin: they receive the request, call the service and return its result.
    A router that queries the database itself skips the service layer, so the business
    rules (soft deletes, permissions, invariants) it should apply are bypassed and the logic
    cannot be reused or tested without HTTP. In a router file, reported at the call: a
    method call (`execute`, `scalars`, `add`, `commit`, `get`, ... any method) on a session,
    i.e. a parameter or annotated local annotated with a configured session type
    (`AsyncSession`, also inside `Annotated`/`Optional`) or given by a configured session
    dependency (`Depends(get_db)`, also in `Annotated` metadata); and a SQLAlchemy query
    built with `select`/`insert`/`update`/`delete` (from `sqlalchemy`, `sqlalchemy.future`,
    `sqlalchemy.sql`, a dialect's `insert`; any alias). A query built inside a reported
    session call, or into a local name that a reported session call executes, is not
    reported again. Passing the session on (`UserService(db)`) is the
    intended use and is fine. Sessions bound by other means (`async with factory() as s`)
    are not tracked. Transaction cleanup (`rollback`, `close`, `expunge`, `expire`) is not
    database work; `commit` and `flush` are (they write). A probe is left alone: a ping
    (`await x.execute(select(1))`, or `text("SELECT 1")`, any alias, result dropped) on a
    name the route uses for nothing but pings and cleanup; a ping beside other work, or
    whose session is also passed to a service, is reported like any query."""

    code = "AG504"
    name = "router-database-access"
    summary = "A router that uses a database session or builds SQLAlchemy queries itself"
    rulebook = ("**Router**: Thin. Receives request, calls service, returns response. No "
                "business logic.")
    hint = "move the query into the repository and call it through the module's service"
    configuration = ("`[tool.archguard.session]`: `types` (session classes, resolved names) "
                     "and `dependencies` (names given to `Depends`, matched on their last "
                     "component; default `[\"get_db\"]`).")
    example_path = "cpv3/modules/users/router.py"
    bad = ("from __future__ import annotations\n\nfrom fastapi import APIRouter, Depends\n"
           "from sqlalchemy import select\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n"
           "from cpv3.db.session import get_db\nfrom cpv3.modules.users.models import User\n"
           "from cpv3.modules.users.schemas import UserRead\n\n"
           "router = APIRouter()\n\n\n"
           "@router.get(\"/{user_id}\", response_model=UserRead)\n"
           "async def read_user(user_id: int, db: AsyncSession = Depends(get_db)) -> UserRead:\n"
           "    user = await db.scalar(select(User).where(User.id == user_id))\n"
           "    return UserRead.model_validate(user)\n")
    good = ("from __future__ import annotations\n\nfrom fastapi import APIRouter, Depends\n"
            "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
            "from cpv3.db.session import get_db\n"
            "from cpv3.modules.users.schemas import UserRead\n"
            "from cpv3.modules.users.service import UserService\n\n"
            "router = APIRouter()\n\n\n"
            "@router.get(\"/{user_id}\", response_model=UserRead)\n"
            "async def read_user(user_id: int, db: AsyncSession = Depends(get_db)) -> UserRead:\n"
            "    return await UserService(db).get_user(user_id)\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if ctx.role != "router":
            return
        reported: set[int] = set()
        functions = list(iter_functions(ctx.tree))
        for function in functions:  # pings of a probe: nothing to move into a service
            for call in _probes(ctx, function):
                reported.update(id(node) for node in walk(call))
        for function in functions:
            executed: set[str] = set()  # local names handed to a reported session call
            for call, written in _session_calls(ctx, function):
                if id(call) not in reported:
                    reported.update(id(node) for node in walk(call))
                    executed.update(arg.id for arg in call.args if isinstance(arg, ast.Name))
                    yield self.report(ctx, ctx.span(call), f"router uses the database "
                                                           f"session directly: '{written}()'")
            reported.update(_queries_bound_to(function, executed))
        for node in nodes_of(ctx.tree, ast.Call):
            if isinstance(node, ast.Call) and id(node) not in reported and \
                    ctx.qualname(node.func) in SQLALCHEMY_QUERY_BUILDERS:
                reported.update(id(inner) for inner in walk(node))
                yield self.report(ctx, ctx.span(node),
                                  f"router builds a SQLAlchemy query with "
                                  f"'{ctx.qualname(node.func)}()'")


@register
class UntypedRoute(FileRule):
    """Typed responses are the API's contract: they drive the OpenAPI schema the frontend
    generates its types from, and FastAPI filters the response through them so internal
    fields never leak. A route (any method, `api_route`, on any APIRouter/FastAPI instance)
    with neither a `response_model=` nor a return annotation is reported at its `def` line.
    `response_model=None` does not count: it is FastAPI's switch to turn the response model
    off, so such a route needs a return annotation (`-> None`, `-> Response`). A decorator
    that passes `**options` may carry a response_model and is not reported; one naming a
    `response_class=` (a file or streaming response) declares its response."""

    code = "AG505"
    name = "untyped-route"
    summary = "A route with neither a response_model nor a return annotation"
    rulebook = ("**Type hints on all function signatures** — no untyped public functions")
    hint = "add a return annotation (-> UserRead) or response_model=UserRead to the decorator"
    example_path = "cpv3/modules/users/router.py"
    bad = ("from __future__ import annotations\n\nfrom fastapi import APIRouter\n\n"
           "router = APIRouter()\n\n\n"
           "@router.get(\"/health\")\n"
           "async def health():\n"
           "    return {\"status\": \"ok\"}\n")
    good = ("from __future__ import annotations\n\nfrom fastapi import APIRouter\n\n"
            "router = APIRouter()\n\n\n"
            "@router.get(\"/health\")\n"
            "async def health() -> dict[str, str]:\n"
            "    return {\"status\": \"ok\"}\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for route in routes(ctx):
            if route.function.returns is not None or _declares_response_model(route):
                continue
            yield self.report(
                ctx, ctx.def_span(route.function),
                f"route '{route.function.name}' declares neither response_model nor a return "
                f"annotation")


def _declares_response_model(route: Route) -> bool:
    if any(keyword.arg is None for keyword in route.decorator.keywords):
        return True  # ``**options``: cannot tell, assume declared
    if route.keyword("response_class") is not None:
        return True  # ``response_class=FileResponse``: declared, and not a model
    declared = route.keyword("response_model")
    return declared is not None and not (isinstance(declared, ast.Constant)
                                         and declared.value is None)
