"""Shared recognisers over ``ast``: routes, exceptions, annotations, scopes.

Rules ask these questions through a FileContext so that aliases and attribute forms resolve
the same way everywhere (``from fastapi import APIRouter as R`` is still a router).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from archguard.context import FileContext
from archguard.facts import dotted_name

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

ROUTER_CLASSES = frozenset({
    "fastapi.APIRouter", "fastapi.routing.APIRouter", "fastapi.FastAPI",
    "fastapi.applications.FastAPI", "starlette.routing.Router",
})
HTTP_EXCEPTIONS = frozenset({
    "fastapi.HTTPException", "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException",
})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
OPTIONAL = frozenset({"typing.Optional", "typing.Union"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
# Names an imported router object is recognised by, when its APIRouter() call is elsewhere.
IMPORTED_ROUTER_NAMES = ("router", "app")


@dataclass(frozen=True, slots=True)
class Route:
    function: FunctionNode
    decorator: ast.Call
    methods: frozenset[str]  # upper-case HTTP methods

    def keyword(self, name: str) -> ast.expr | None:
        for keyword in self.decorator.keywords:
            if keyword.arg == name:
                return keyword.value
        return None


def iter_functions(tree: ast.AST) -> Iterator[FunctionNode]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def router_names(ctx: FileContext) -> set[str]:
    """Local names bound to an APIRouter/FastAPI instance in this file."""
    names: set[str] = set()
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            if ctx.qualname(node.value.func) in ROUTER_CLASSES:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(dotted_name(t) or "" for t in targets)
    for name, target in ctx.facts.symbols.items():
        last = target.rsplit(".", 1)[-1]
        if not target.startswith(ctx.module + ".") and (
                last in IMPORTED_ROUTER_NAMES or last.endswith("_router")):
            names.add(name)
    names.discard("")
    return names


def routes(ctx: FileContext) -> Iterator[Route]:
    """Every function decorated as a route on a router or app of this file."""
    known = router_names(ctx)
    for function in iter_functions(ctx.tree):
        for decorator in function.decorator_list:
            route = _route_of(function, decorator, known)
            if route is not None:
                yield route
                break


def _route_of(function: FunctionNode, decorator: ast.expr, known: set[str]) -> Route | None:
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return None
    if dotted_name(decorator.func.value) not in known:
        return None
    attr = decorator.func.attr
    if attr in ROUTE_METHODS:
        return Route(function, decorator, frozenset({attr.upper()}))
    if attr == "api_route":
        return Route(function, decorator, _declared_methods(decorator))
    return None


def _declared_methods(decorator: ast.Call) -> frozenset[str]:
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, (ast.List, ast.Tuple,
                                                                    ast.Set)):
            return frozenset(e.value.upper() for e in keyword.value.elts
                             if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return frozenset({"GET"})  # FastAPI's default for api_route


def string_annotation(node: ast.expr) -> ast.expr:
    """A quoted annotation ``"list[X]"`` parsed into its expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return node
    return node


def unwrap_annotation(ctx: FileContext, node: ast.expr) -> list[ast.expr]:
    """The types an annotation stands for: through quotes, Annotated, Optional and ``| None``."""
    node = string_annotation(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return unwrap_annotation(ctx, node.left) + unwrap_annotation(ctx, node.right)
    if isinstance(node, ast.Subscript):
        origin = ctx.qualname(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if origin in ANNOTATED:
            return unwrap_annotation(ctx, args[0])
        if origin in OPTIONAL:
            return [t for a in args for t in unwrap_annotation(ctx, a)]
    if isinstance(node, ast.Constant) and node.value is None:
        return []
    return [node]


def annotated_metadata(ctx: FileContext, node: ast.expr | None) -> list[ast.expr]:
    """The metadata of ``Annotated[T, m1, m2]`` (empty for anything else)."""
    if node is None:
        return []
    node = string_annotation(node)
    if isinstance(node, ast.Subscript) and ctx.qualname(node.value) in ANNOTATED:
        if isinstance(node.slice, ast.Tuple):
            return list(node.slice.elts[1:])
    return []


def type_name(ctx: FileContext, node: ast.expr) -> str | None:
    """The resolved dotted name of a type expression (its origin, for ``X[...]``)."""
    if isinstance(node, ast.Subscript):
        node = node.value
    resolved = ctx.qualname(node)
    return resolved if resolved is not None else dotted_name(node)


def is_call_to(ctx: FileContext, node: ast.AST, names: frozenset[str]) -> bool:
    return isinstance(node, ast.Call) and ctx.qualname(node.func) in names


def all_parameters(function: FunctionNode) -> list[ast.arg]:
    args = function.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs,
            *([args.vararg] if args.vararg else []), *([args.kwarg] if args.kwarg else [])]


def parameter_defaults(function: FunctionNode) -> dict[str, ast.expr]:
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]],
                        args.defaults))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        if default is not None:
            defaults[arg.arg] = default
    return defaults
