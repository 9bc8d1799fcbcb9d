"""AG5xx (routes): list endpoints are paginated."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archguard.context import FileContext
from archguard.diagnostics import Diagnostic
from archguard.patterns import (
    DEPENDS, Route, all_parameters, annotated_metadata, parameter_defaults, routes, type_name,
    unwrap_annotation,
)
from archguard.registry import FileRule, register

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
        for dependency in _dependencies(ctx, parameter, defaults.get(parameter.arg)):
            if dependency.rsplit(".", 1)[-1] in config.dependencies:
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
    a parameter that `Depends` on a pagination dependency. A router object imported from
    another file is recognised when its name is `router`, `app` or ends in `_router`."""

    code = "AG503"
    name = "unpaginated-list-route"
    summary = "A GET route returning a collection without pagination parameters"
    rulebook = ("**Missing pagination** — any list endpoint returning unbounded results is a "
                "production outage waiting to happen. Every list endpoint MUST support "
                "pagination.")
    hint = "add limit/offset parameters (or Depends(get_pagination)) and apply them in the query"
    configuration = ("`[tool.archguard.pagination]`: `parameter-sets` (lists of parameter "
                     "names, e.g. `[[\"limit\", \"offset\"], [\"cursor\"]]`) and `dependencies` "
                     "(names given to `Depends`, matched on their last component).")
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
