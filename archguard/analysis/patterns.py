"""Shared recognisers over ``ast``: routes, exceptions, annotations, scopes.

Rules ask these questions through a FileContext so that aliases and attribute forms resolve
the same way everywhere (``from fastapi import APIRouter as R`` is still a router).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from archguard.analysis.astindex import child_nodes, enclosed, flat, nodes_of, per_file, walk
from archguard.analysis.context import FileContext
from archguard.analysis.facts import dotted_name, is_dataclass_decorator

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
    """Every def under ``tree``, pre-order (astindex)."""
    yield from nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)  # type: ignore[misc]


ROUTER_CLASS_NAMES = ("APIRouter", "FastAPI")


def is_router_factory(ctx: FileContext, func: ast.expr) -> bool:
    """A call that builds a router: FastAPI's classes; a project class or alias named like
    them (``polar.routing.APIRouter``, a subclass or ``get_api_router_class(...)``
    product); a class of this file deriving from one; a function of this file annotated to
    return one, or any function whose name says it makes a router (``make_router()``)."""
    resolved = ctx.qualname(func) or dotted_name(func) or ""
    if resolved in ROUTER_CLASSES or resolved.rsplit(".", 1)[-1] in ROUTER_CLASS_NAMES:
        return True
    last = resolved.rsplit(".", 1)[-1].lower()
    if last.endswith("router") and any(last.startswith(v) for v in ROUTER_MAKERS):
        return True
    local = _local_router_makers(ctx)
    return resolved.startswith(ctx.module + ".") and resolved.rsplit(".", 1)[-1] in local


ROUTER_MAKERS = ("make_", "create_", "get_", "build_", "new_")


def _local_router_makers(ctx: FileContext) -> set[str]:
    """Classes of this file deriving from a router class, functions returning one."""
    def compute() -> set[str]:
        found: set[str] = set()
        for node in ctx.tree.body:
            if isinstance(node, ast.ClassDef) and any(
                    (type_name(ctx, b) or "").rsplit(".", 1)[-1] in ROUTER_CLASS_NAMES
                    for b in node.bases):
                found.add(node.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.returns is not None and any(
                        (type_name(ctx, t) or "").rsplit(".", 1)[-1] in ROUTER_CLASS_NAMES
                        for t in unwrap_annotation(ctx, node.returns)):
                found.add(node.name)
        return found
    return per_file(("router_makers", id(ctx.tree)), compute)


def router_names(ctx: FileContext) -> set[str]:
    """Local names bound to a router or app in this file (``router``, ``module.router``)."""
    names: set[str] = set()
    for node in nodes_of(ctx.tree, ast.Assign, ast.AnnAssign):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if is_router_factory(ctx, node.value.func):
                names.update(dotted_name(t) or "" for t in targets)
            else:  # a project object holding a router: ``module = Module(router=...)``
                for keyword in node.value.keywords:
                    if keyword.arg and isinstance(keyword.value, ast.Call) and \
                            is_router_factory(ctx, keyword.value.func):
                        names.update(f"{dotted_name(t)}.{keyword.arg}" for t in targets
                                     if dotted_name(t))
    for name, target in ctx.facts.symbols.items():
        last = target.rsplit(".", 1)[-1]
        if not target.startswith(ctx.module + ".") and (
                last in IMPORTED_ROUTER_NAMES or last.endswith("_router")):
            names.add(name)
    names.discard("")
    return names


def _is_router_receiver(written: str | None, known: set[str], ctx: FileContext) -> bool:
    """A decorator's receiver is a router: a known name, or an attribute ``router``/``app``
    (``*_router``) of a module-level object (``@module.router.get``)."""
    if written is None:
        return False
    if written in known:
        return True
    head, _, attr = written.rpartition(".")
    return bool(head) and "." not in head and head in ctx.facts.symbols and (
        attr in IMPORTED_ROUTER_NAMES or attr.endswith("_router"))


def routes(ctx: FileContext) -> Iterator[Route]:
    """Every function decorated as a route on a router or app of this file, and every
    function of this file given to ``<router>.add_api_route(path, endpoint, ...)``."""
    yield from per_file(("routes", id(ctx.tree)), lambda: list(_routes(ctx)))


def _routes(ctx: FileContext) -> Iterator[Route]:
    known = router_names(ctx)
    functions = {f.name: f for f in iter_functions(ctx.tree)}
    added: dict[str, ast.Call] = {}
    for node in nodes_of(ctx.tree, ast.Call):
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "add_api_route" and \
                _is_router_receiver(dotted_name(node.func.value), known, ctx):
            endpoint = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "endpoint"), None)
            if isinstance(endpoint, ast.Name) and endpoint.id in functions:
                added.setdefault(endpoint.id, node)
    for function in iter_functions(ctx.tree):
        for decorator in function.decorator_list:
            route = _route_of(ctx, function, decorator, known)
            if route is not None:
                yield route
                break
        else:
            call = added.get(function.name)
            if call is not None and functions[function.name] is function:
                yield Route(function, call, _declared_methods(call))


def _route_of(ctx: FileContext, function: FunctionNode, decorator: ast.expr,
              known: set[str]) -> Route | None:
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return None
    if not _is_router_receiver(dotted_name(decorator.func.value), known, ctx):
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
    return frozenset({"GET"})  # FastAPI's default for api_route and add_api_route


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


# --- scopes and signatures (style rules) -------------------------------------------------

ANY_TYPES = frozenset({"typing.Any", "typing_extensions.Any"})
LITERAL = frozenset({"typing.Literal", "typing_extensions.Literal"})
OVERLOAD = frozenset({"typing.overload", "typing_extensions.overload"})


@dataclass(frozen=True, slots=True)
class ScopedFunction:
    """A ``def`` with where it sits: enclosing classes, the class owning it, inside a def?"""

    node: FunctionNode
    classes: tuple[ast.ClassDef, ...]  # enclosing classes, outermost first
    owner: ast.ClassDef | None  # the class whose body holds the def (a method), else None
    in_function: bool  # defined inside another function, at any depth
    qualname: str  # ``Class.method``, ``outer.inner``

    @property
    def is_public(self) -> bool:
        """Module-level or method of public classes, not ``_private`` (dunders are public)."""
        name = self.node.name
        public_name = not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
        return public_name and not self.in_function and not any(
            c.name.startswith("_") for c in self.classes)


def scoped_functions(tree: ast.Module) -> list[ScopedFunction]:
    """Every def in source order, through ``if``/``try``/``with`` blocks and class bodies.
    Computed once per file: a dozen rules ask."""
    return per_file(("scoped_functions", id(tree)),
                    lambda: list(_scoped(tree.body, (), None, False, "")))


def _scoped(body: list[ast.stmt], classes: tuple[ast.ClassDef, ...],
            owner: ast.ClassDef | None, in_function: bool, prefix: str,
            ) -> Iterator[ScopedFunction]:
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + statement.name
            yield ScopedFunction(statement, classes, owner, in_function, name)
            yield from _scoped(statement.body, classes, None, True, name + ".")
        elif isinstance(statement, ast.ClassDef):
            yield from _scoped(statement.body, (*classes, statement), statement, in_function,
                               f"{prefix}{statement.name}.")
        else:
            for child in _child_bodies(statement):
                yield from _scoped(child, classes, owner, in_function, prefix)


def _child_bodies(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists of a compound statement (``if``/``for``/``while``/``with``/
    ``try``/``match``), in field order; nothing for a simple statement."""
    fields = _BODY_FIELDS.get(statement.__class__)
    if fields is None:
        fields = _BODY_FIELDS[statement.__class__] = tuple(
            name for name in statement._fields if name in _BODY_NAMES)
    for name in fields:
        value = getattr(statement, name)
        if not value:
            continue
        if name in ("handlers", "cases"):  # except handlers and match cases
            yield from (item.body for item in value)
        else:
            yield value


# The fields of a statement that hold statements (or handlers and cases, which hold bodies).
_BODY_NAMES = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
_BODY_FIELDS: dict[type, tuple[str, ...]] = {}


def has_decorator(ctx: FileContext, function: FunctionNode, names: frozenset[str],
                  bare: str | None = None) -> bool:
    """Decorated with one of ``names`` (resolved), or with the unimported builtin ``bare``."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = ctx.qualname(target)
        if resolved in names or (resolved is None and dotted_name(target) == bare):
            return True
    return False


# Methods Python makes class methods without a decorator: their first parameter is the class.
IMPLICIT_CLASSMETHODS = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})


def _is_receiver(parameter: ast.arg) -> bool:
    """A plain method's first parameter is its ``self``/``cls`` unless it is annotated under
    another name (letta's method that forgot ``self``: its ``config: dict[str, Any]`` is a
    parameter callers pass); a class method's is the class whatever its name."""
    return parameter.annotation is None or parameter.arg in ("self", "cls", "mcs", "metacls")


def signature_parameters(ctx: FileContext, scoped: ScopedFunction) -> list[ast.arg]:
    """The parameters a caller passes: without a method's ``self``/``cls`` (not static; see
    ``_is_receiver``)."""
    parameters = all_parameters(scoped.node)
    positional = [*scoped.node.args.posonlyargs, *scoped.node.args.args]
    if scoped.owner is not None and positional and not has_decorator(
            ctx, scoped.node, frozenset({"builtins.staticmethod"}), "staticmethod") and (
            _is_receiver(positional[0]) or scoped.node.name in IMPLICIT_CLASSMETHODS
            or has_decorator(ctx, scoped.node, frozenset({"builtins.classmethod"}),
                             "classmethod")):
        parameters.remove(positional[0])
    return sorted(parameters, key=lambda p: (p.lineno, p.col_offset))  # as written


def is_any(ctx: FileContext, node: ast.expr) -> bool:
    """``node`` names ``typing.Any`` (any alias; a bare ``Any`` under ``from typing import *``)."""
    resolved = ctx.qualname(node)
    if resolved is not None:
        return resolved in ANY_TYPES
    return isinstance(node, ast.Name) and node.id == "Any" and any(
        f.name == "*" and f.module in ("typing", "typing_extensions") for f in ctx.facts.imports)


def may_name_any(ctx: FileContext) -> bool:
    """Can a name of this file stand for ``typing.Any`` at all? Only through a binding to
    ``typing``, ``typing.Any`` (or ``typing_extensions``'), or a star import of them: a
    cheap test before any annotation is looked at."""
    resolver = ctx.resolver
    return any(target in _ANY_HOLDERS for table in (resolver.symbols, resolver.local)
               for target in table.values()) or any(
        f.name == "*" and f.module in ("typing", "typing_extensions") for f in ctx.facts.imports)


# What a name must be bound to for a dotted name through it to resolve into ANY_TYPES.
_ANY_HOLDERS = frozenset({*ANY_TYPES, *(name.rpartition(".")[0] for name in ANY_TYPES)})


# Generic protocols whose other slots are routinely `Any` (what is sent into a coroutine or
# generator, what a coroutine yields to the event loop): only these slots are judged.
_TYPED_SLOTS = {f"{module}.{name}": slots
                for module in ("typing", "typing_extensions", "collections.abc")
                for name, slots in (("Coroutine", (2,)), ("Generator", (0,)),
                                    ("AsyncGenerator", (0,)))}


_CALLABLE = frozenset(f"{module}.Callable"
                      for module in ("typing", "typing_extensions", "collections.abc"))


def _any_callable(ctx: FileContext, args: list[ast.expr]) -> bool:
    """``Callable[..., Any]``: the spelling of "any callable" (its signature is unknown by
    design, as in FastAPI's ``dependency_overrides``), not a return type left unchecked."""
    return (len(args) == 2 and isinstance(args[0], ast.Constant) and args[0].value is ...
            and isinstance(args[1], (ast.Name, ast.Attribute)) and is_any(ctx, args[1]))


def any_in_annotation(ctx: FileContext, node: ast.expr) -> Iterator[ast.expr]:
    """The parts of an annotation that are ``Any``: a quoted part yields its string node (the
    only one with a real position). ``Literal[...]`` values and ``Annotated`` metadata are
    values, not types, and are skipped, as are the send/yield slots of ``Coroutine``, the
    send/return slots of ``Generator``/``AsyncGenerator`` and ``Callable[..., Any]``."""
    yield from _any_parts(ctx, node, None)


def _any_parts(ctx: FileContext, node: ast.AST, anchor: ast.expr | None) -> Iterator[ast.expr]:
    if isinstance(node, ast.Constant):
        parsed = string_annotation(node)
        if parsed is not node:
            yield from _any_parts(ctx, parsed, anchor or node)
        return
    if isinstance(node, (ast.Name, ast.Attribute)):
        if is_any(ctx, node):
            yield anchor or node
        return
    if isinstance(node, ast.Subscript):
        origin = ctx.qualname(node.value)
        if origin in LITERAL:
            return
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if origin in ANNOTATED:
            args = args[:1]
        elif origin in _TYPED_SLOTS:  # the rest are "don't care" slots, Any by convention
            args = [args[i] for i in _TYPED_SLOTS[origin] if i < len(args)]
        elif origin in _CALLABLE and _any_callable(ctx, args):
            return
        for arg in args:
            yield from _any_parts(ctx, arg, anchor)
        return
    for child in child_nodes(node):
        yield from _any_parts(ctx, child, anchor)


# --- database sessions and SQLAlchemy queries (route rules) -----------------------------

_QUERY_MODULES = ("sqlalchemy", "sqlalchemy.future", "sqlalchemy.sql", "sqlalchemy.sql.expression")
SQLALCHEMY_QUERY_BUILDERS = frozenset(
    {f"{module}.{name}" for module in _QUERY_MODULES
     for name in ("select", "insert", "update", "delete")}
    | {f"sqlalchemy.dialects.{dialect}.insert" for dialect in ("postgresql", "mysql", "sqlite")}
    | {"sqlmodel.select"}
)


def session_names(ctx: FileContext, function: FunctionNode,
                  dependencies: list[tuple[ast.arg, list[str]]]) -> set[str]:
    """Names bound to a database session in ``function``: parameters annotated with a
    configured session type or given by a configured session dependency (``dependencies``:
    each parameter with what its ``Depends`` resolve to), and annotated local variables."""
    config = ctx.config.session
    names = {p.arg for p, targets in dependencies
             if any(t.rsplit(".", 1)[-1] in config.dependencies for t in targets)}
    annotated: list[tuple[str, ast.expr | None]] = [
        (p.arg, p.annotation) for p in all_parameters(function)]
    annotated += [(n.target.id, n.annotation) for n in walk(function)
                  if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
    for name, annotation in annotated:
        if annotation is not None and any(type_name(ctx, t) in config.types
                                          for t in unwrap_annotation(ctx, annotation)):
            names.add(name)
    return names


# --- schemas, models and repositories (AG3xx, AG4xx) --------------------------------------

NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
STR_ENUM_BASES = frozenset({"enum.StrEnum", "strenum.StrEnum", "backports.strenum.StrEnum"})
ENUM_BASES = STR_ENUM_BASES | {"enum.Enum"}
PROTOCOL = frozenset({"typing.Protocol", "typing_extensions.Protocol"})
ASYNC_SESSION = "AsyncSession"  # matched on the last component of the resolved name
REPOSITORY_SUFFIX = "Repository"
SESSION_NAMES = frozenset({"session", "db"})  # receivers taken for a session by their name


def walk_scope(nodes: ast.AST | Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node below ``nodes`` that runs in the same scope, in source order: the bodies of
    nested functions, lambdas and classes are skipped (they run elsewhere, or later)."""
    for root in child_nodes(nodes) if isinstance(nodes, ast.AST) else nodes:
        flat_nodes, ends, i = flat(root)  # a slice of the file's index, skipping subtrees
        stop = ends[i]
        while i < stop:
            node = flat_nodes[i]
            if isinstance(node, NESTED_SCOPES):
                i = ends[i]
                continue
            yield node
            i += 1


def dotted_chains(node: ast.AST) -> Iterator[ast.expr]:
    """The maximal ``a.b.c`` chains inside an expression (``Model.col`` once, not ``Model``)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, (ast.Name, ast.Attribute)) and dotted_name(current):
            yield current
            continue
        pending.extend(child_nodes(current))


def annotation_names(ctx: FileContext, node: ast.expr) -> list[str]:
    """Resolved dotted names a type annotation mentions, through quotes, ``Optional``,
    ``list[...]`` and unions; ``Literal[...]`` values and ``Annotated`` metadata are values,
    not types, and are skipped. Unresolvable names (builtins, locals) are left out."""
    names: list[str] = []
    pending: list[ast.AST] = [string_annotation(node)]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.Constant):
            parsed = string_annotation(current)
            if parsed is not current:
                pending.append(parsed)
        elif isinstance(current, (ast.Name, ast.Attribute)):
            resolved = ctx.qualname(current)
            if resolved:
                names.append(resolved)
        elif isinstance(current, ast.Subscript):
            origin = ctx.qualname(current.value)
            if origin not in LITERAL:
                args = current.slice.elts if isinstance(current.slice, ast.Tuple) else [
                    current.slice]
                pending.extend([current.value, *(args[:1] if origin in ANNOTATED else args)])
        elif not isinstance(current, ast.Call):
            pending.extend(child_nodes(current))
    return names


def is_async_session(ctx: FileContext, annotation: ast.expr | None) -> bool:
    """An ``AsyncSession`` annotation: any import or alias, quoted, in ``Annotated``/``Optional``.
    A sync ``Session`` is not one (the rulebook: everything is ``AsyncSession``)."""
    if annotation is None:
        return False
    return any((type_name(ctx, t) or "").rsplit(".", 1)[-1] == ASYNC_SESSION
               for t in unwrap_annotation(ctx, annotation))


def class_methods(node: ast.ClassDef) -> list[FunctionNode]:
    return [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]


def is_repository_class(ctx: FileContext, node: ast.ClassDef) -> bool:
    """A class named ``*Repository`` anywhere, or a public class of a repository file that
    defines an async method (data classes, enums and row types there are not repositories).
    A ``Protocol`` is an interface, not a repository; a class that visibly holds data (a
    Pydantic or ORM model, an enum, a dataclass) never is one, whatever its name. (Bases in
    other files are judged by the project rules, ``Project.is_value_type``.)"""
    bases = {type_name(ctx, base) or "" for base in node.bases}
    if bases & PROTOCOL or is_value_class(ctx, node, bases):
        return False
    if node.name.endswith(REPOSITORY_SUFFIX):
        return True
    return ctx.role == "repository" and not node.name.startswith("_") and any(
        isinstance(m, ast.AsyncFunctionDef) for m in class_methods(node))


# Last components that mark a value class (Pydantic, ORM, settings, enum, typed records)
# whatever module re-exports them.
VALUE_BASE_NAMES = frozenset({"BaseModel", "RootModel", "DeclarativeBase", "declarative_base",
                              "SQLModel", "BaseSettings", "Enum", "StrEnum", "IntEnum",
                              "TypedDict", "NamedTuple"})


def is_value_class(ctx: FileContext, node: ast.ClassDef, bases: set[str]) -> bool:
    """Visibly a data class in this file: a direct Pydantic/ORM/enum base, the configured
    schema or model base, or a dataclass decorator."""
    config = ctx.config
    if bases & {config.schema_base, config.model_base, config.model_mixin}:
        return True
    if any(b.rsplit(".", 1)[-1] in VALUE_BASE_NAMES for b in bases):
        return True
    return any(is_dataclass_decorator(d) for d in node.decorator_list)


def repository_classes(ctx: FileContext) -> list[ast.ClassDef]:
    """The top-level repository classes of a file (see ``is_repository_class``); computed
    once per file (three rules ask)."""
    return list(per_file(("repository_classes", id(ctx.tree)), lambda: [
        s for s in ctx.tree.body if isinstance(s, ast.ClassDef) and is_repository_class(ctx, s)]))


def repository_functions(ctx: FileContext) -> list[FunctionNode]:
    """The methods of the repository classes, and a repository file's top-level functions."""
    functions = [m for cls in repository_classes(ctx) for m in class_methods(cls)]
    if ctx.role == "repository":
        functions += [s for s in ctx.tree.body
                      if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return sorted(functions, key=lambda f: f.lineno)


def class_nodes(node: ast.AST, prefix: str) -> list[tuple[ast.ClassDef, str]]:
    """Every class with the qualname the facts give it (enclosing classes, not functions),
    in source order (pre-order). Computed once per file: several rules ask."""
    return per_file(("class_nodes", id(node), prefix), lambda: _class_nodes(node, prefix))


def _class_nodes(node: ast.AST, prefix: str) -> list[tuple[ast.ClassDef, str]]:
    return [(cls, ".".join([prefix, *(outer.name for outer in chain), cls.name]))
            for cls, chain in enclosed(node, (ast.ClassDef,))]  # type: ignore[attr-defined]


def class_assignments(node: ast.ClassDef) -> Iterator[tuple[str, ast.expr | None]]:
    """``name = value`` and ``name: T [= value]`` statements directly in a class body."""
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    yield target.id, statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            yield statement.target.id, statement.value
