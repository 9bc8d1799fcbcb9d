"""Awaited database calls inside a function: how many run along one path, which run in a
loop, and whether a call's receiver is a repository or a session (AG403, AG405)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from archguard.analysis.astindex import per_file, walk
from archguard.analysis.context import FileContext
from archguard.analysis.facts import dotted_name
from archguard.analysis.patterns import (
    NESTED_SCOPES, REPOSITORY_SUFFIX, SESSION_NAMES, SQLALCHEMY_QUERY_BUILDERS, FunctionNode,
    all_parameters, class_methods, is_async_session, type_name, unwrap_annotation, walk_scope,
)

COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
GATHER = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
SELF_NAMES = ("self", "cls")
Comprehension = ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp
REPEATING = (ast.For, ast.AsyncFor, ast.While, *COMPREHENSIONS)


def is_query_await(node: ast.AST, methods: frozenset[str]) -> bool:
    """``await <receiver>.<query method>(...)`` on anything but ``self``/``cls``."""
    return isinstance(node, ast.Await) and isinstance(node.value, ast.Call) and isinstance(
        node.value.func, ast.Attribute) and node.value.func.attr in methods and \
        dotted_name(node.value.func.value) not in SELF_NAMES


def _queries(node: ast.AST, methods: frozenset[str]) -> int:
    return sum(1 for n in (node, *walk_scope(node)) if is_query_await(n, methods))


# --- counting along paths --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Paths:
    """The most queries on a path through a block that falls through its end, and on one
    that leaves it (``return``/``raise``); None when no path does."""

    fall: int | None = 0
    leave: int | None = None


def _most(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _then(first: _Paths, second: _Paths) -> _Paths:
    if first.fall is None:
        return first
    leave = None if second.leave is None else first.fall + second.leave
    fall = None if second.fall is None else first.fall + second.fall
    return _Paths(fall, _most(first.leave, leave))


def _either(*options: _Paths) -> _Paths:
    return _Paths(_most(*(o.fall for o in options)), _most(*(o.leave for o in options)))


def _block(statements: list[ast.stmt], methods: frozenset[str]) -> _Paths:
    paths = _Paths()
    for statement in statements:
        paths = _then(paths, _statement(statement, methods))
    return paths


def _statement(node: ast.stmt, methods: frozenset[str]) -> _Paths:
    if isinstance(node, NESTED_SCOPES):
        return _Paths()
    if isinstance(node, (ast.Return, ast.Raise)):
        return _Paths(None, _queries(node, methods))
    if isinstance(node, ast.If):
        return _then(_Paths(_queries(node.test, methods)),
                     _either(_block(node.body, methods), _block(node.orelse, methods)))
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        head = node.test if isinstance(node, ast.While) else node.iter
        body = _block(node.body + node.orelse, methods)
        return _then(_Paths(_queries(head, methods)), _either(_Paths(), body))
    if isinstance(node, (ast.Try, ast.TryStar)):
        handled = _either(_block(node.body + node.orelse, methods),
                          *(_block(h.body, methods) for h in node.handlers))
        return _then(handled, _block(node.finalbody, methods))
    if isinstance(node, ast.Match):
        cases = (_block(c.body, methods) for c in node.cases)
        return _then(_Paths(_queries(node.subject, methods)), _either(_Paths(), *cases))
    if isinstance(node, (ast.With, ast.AsyncWith)):
        heads = sum(_queries(item.context_expr, methods) for item in node.items)
        return _then(_Paths(heads), _block(node.body, methods))
    return _Paths(_queries(node, methods))


def query_paths(function: FunctionNode, methods: frozenset[str]) -> int:
    """The most queries awaited along one path through the function's body (branches are
    alternatives; ``return``/``raise`` end a path; nested functions are not counted)."""
    paths = _block(function.body, methods)
    return _most(paths.fall, paths.leave) or 0


# --- loops -----------------------------------------------------------------------------

def repeated_parts(node: Comprehension) -> list[ast.AST]:
    """What a comprehension evaluates per item: all but its first iterable."""
    parts: list[ast.AST] = [node.key, node.value] if isinstance(node, ast.DictComp) else [
        node.elt]
    for index, generator in enumerate(node.generators):
        parts += generator.ifs
        if index:
            parts.append(generator.iter)
    return parts


def queries_in_loop(ctx: FileContext, function: FunctionNode, methods: frozenset[str]) -> bool:
    """A query awaited in the body of any loop, or per item of a comprehension; a loop that
    runs one write statement over chunks (:func:`chunked_write`) is one query, not a loop."""
    for node in walk_scope(function):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if chunked_write(ctx, node, methods):
                continue
            repeated: list[ast.AST] = [*node.body]
        elif isinstance(node, COMPREHENSIONS):
            repeated = repeated_parts(node)
        else:
            continue
        if any(is_query_await(n, methods) for n in walk_scope(repeated)):
            return True
    return False


def chunked_write(ctx: FileContext, loop: ast.For | ast.AsyncFor | ast.While,
                  methods: frozenset[str]) -> bool:
    """A loop over chunks (``while``, or ``for`` over ``batched(...)``/``chunks(...)``/
    ``range(start, stop, step)``) whose body awaits exactly one query, and that query runs
    an ``update``/``delete``/``insert`` (built in its call, or in a local of the loop the
    call reads, directly or through other locals):
    the same bulk write run a chunk (or keyset page) at a time, one statement built the same
    way each time. Reads in chunks stay reported."""
    if not isinstance(loop, ast.While) and not _chunks(loop.iter):
        return False
    body = list(walk_scope(loop.body))
    awaited = [n for n in body if is_query_await(n, methods)]
    if len(awaited) != 1:
        return False

    def builds_write(node: ast.AST) -> bool:
        return any(isinstance(n, ast.Call) and ctx.qualname(n.func) in WRITE_BUILDERS
                   for n in walk_scope([node]))  # the node itself too: `stmt = insert(X)`

    if builds_write(awaited[0]):
        return True
    # the locals the query reads, and the locals those are built from (a CTE of the
    # ``update`` selected from: ``updated = update(...).cte(); stmt = select(updated.c.id)``)
    assigned = [(n.value, {t.id for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                           if isinstance(t, ast.Name)})
                for n in body if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None]
    read = _names(awaited[0])
    while True:
        sources = [value for value, targets in assigned if targets & read]
        if any(builds_write(value) for value in sources):
            return True
        wider = read.union(*(_names(value) for value in sources))
        if wider == read:
            return False
        read = wider


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in walk_scope([node]) if isinstance(n, ast.Name)}


def _chunks(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = (dotted_name(node.func) or "").rsplit(".", 1)[-1].lower()
    return "batch" in name or "chunk" in name or (name == "range" and len(node.args) == 3)


def looped_calls(ctx: FileContext, function: FunctionNode,
                 ) -> Iterator[tuple[ast.expr, ast.Call, str]]:
    """(where to report, the method call, where it runs) for every awaited ``x.method()``
    inside a ``for``/``async for``/``while`` loop or per item of a comprehension (async
    comprehensions included), and every
    ``x.method()`` made per item of a comprehension given to ``asyncio.gather``."""
    seen: set[int] = set()
    for node in walk_scope(function):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            kind = "an async for" if isinstance(node, ast.AsyncFor) else "a for"
            where, repeated = f"inside {kind} loop", [*node.body]
        elif isinstance(node, ast.While):  # its test runs once per iteration too
            where, repeated = "inside a while loop", [node.test, *node.body]
        elif isinstance(node, COMPREHENSIONS):
            where, repeated = "inside a comprehension", repeated_parts(node)
        elif isinstance(node, ast.Call) and (dotted_name(node.func) or "").endswith(
                "gather") and ctx.qualname(node.func) in GATHER:
            yield from _gathered(node, seen)
            continue
        else:
            continue
        for sub in walk_scope(repeated):
            if isinstance(sub, ast.Await) and _method_call(sub.value) and id(sub) not in seen:
                seen.add(id(sub))
                assert isinstance(sub.value, ast.Call)
                yield sub, sub.value, where


def _gathered(call: ast.Call, seen: set[int]) -> Iterator[tuple[ast.expr, ast.Call, str]]:
    for arg in call.args:
        value = arg.value if isinstance(arg, ast.Starred) else arg
        if isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) and \
                _method_call(value.elt) and id(value.elt) not in seen:
            seen.add(id(value.elt))
            assert isinstance(value.elt, ast.Call)
            yield value.elt, value.elt, "per item of asyncio.gather"


def _method_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)


# --- what a call does to the database ----------------------------------------------------

WRITE_BUILDERS = frozenset(q for q in SQLALCHEMY_QUERY_BUILDERS if not q.endswith(".select"))
# Session calls that send a statement and wait for its rows: one round trip each.
SESSION_READS = frozenset({"execute", "scalar", "scalars", "get", "get_one", "refresh",
                           "merge", "stream", "stream_scalars"})
# Cleanup and state questions: a route may call them on its session (AG504 leaves them).
SESSION_CLEANUP = frozenset({"rollback", "close", "expunge", "expunge_all", "expire",
                             "expire_all", "in_transaction", "in_nested_transaction"})
# Transaction control and unit-of-work bookkeeping: no query of their own (``add``/``delete``
# only mark objects for the next flush; ``commit``/``flush`` write what is pending).
SESSION_NO_QUERY = SESSION_CLEANUP | {
    "add", "add_all", "delete", "commit", "flush", "begin", "begin_nested"}
def writes(ctx: FileContext, function: FunctionNode, statement: ast.expr) -> bool:
    """``statement`` is an ``insert``/``update``/``delete`` (any alias, with its method
    chain), or a local name only ever assigned one in ``function``."""
    if isinstance(statement, ast.Name):
        values = [n.value for n in walk_scope(function)
                  if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None
                  and any(isinstance(t, ast.Name) and t.id == statement.id for t in _targets(n))]
        return bool(values) and all(_builder(ctx, v) in WRITE_BUILDERS for v in values)
    return _builder(ctx, statement) in WRITE_BUILDERS


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _builder(ctx: FileContext, node: ast.expr) -> str | None:
    """The resolved builder at the root of ``update(X).where(...).values(...)``."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            isinstance(node.func.value, ast.Call):
        node = node.func.value
    return ctx.qualname(node.func) if isinstance(node, ast.Call) else None


def is_write_name(method: str, verbs: Iterable[str]) -> bool:
    """``method`` is named for a write: one of ``verbs``, alone or followed by ``_``."""
    bare = method.lstrip("_")
    return any(bare == verb or bare.startswith(f"{verb}_") for verb in verbs)


def queries_database(ctx: FileContext, function: FunctionNode, call: ast.Call, kind: str,
                     methods: frozenset[str]) -> bool:
    """Does ``receiver.method(...)`` (a ``kind`` receiver) read from the database? A session
    call does when it is a read method (:data:`SESSION_READS` and the configured query
    methods, less :data:`SESSION_NO_QUERY`) not running an insert/update/delete; a
    repository call does unless its name says it writes (the configured ``write-verbs``)."""
    assert isinstance(call.func, ast.Attribute)
    method = call.func.attr
    if kind == "repository":
        return not is_write_name(method, ctx.config.write_verbs)
    if method not in (SESSION_READS | methods) - SESSION_NO_QUERY:
        return False
    return not (call.args and writes(ctx, function, call.args[0]))


def cache_refills(function: FunctionNode) -> set[int]:
    """The nodes of branches that refill a dict loaded in bulk: the ``except KeyError``
    (or ``LookupError``) handler of a ``try`` reading ``D[...]``, or the body of
    ``if k not in D:``, when the branch stores ``D[...] = ...`` and ``D`` was assigned,
    above the branch, from an awaited call (the bulk load). A miss there is the exception
    (a row that appeared since the load), not one query per item."""
    loaded: dict[str, int] = {}
    for node in walk_scope(function):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and any(
                isinstance(n, ast.Await) for n in walk_scope([node.value])):
            for target in _targets(node):
                name = dotted_name(target)
                if name is not None:
                    loaded.setdefault(name, node.lineno)
    found: set[int] = set()
    for node in walk_scope(function):
        for cache, branch in _fallbacks(node):
            line = loaded.get(cache)
            if line is not None and line < branch[0].lineno and _stores(branch, cache):
                found.update(id(n) for n in walk_scope(branch))
    return found


def group_batches(function: FunctionNode) -> set[int]:
    """The awaited session calls that load one group per pass: in the body of a ``for``
    loop over groups (``.items()``/``.values()`` of a dict, ``batched``/``chunked``
    chunks) that no other loop encloses, the statement (inline, or a local name) filters
    with ``.in_(name)`` on a collection the loop's target binds (``for kind, ids in
    grouped.items(): ... X.id.in_(ids)``). The query count follows the groups, not the
    rows: a batch load, not N+1. A guess: a dict grouped per row (``by_order.items()``)
    is N+1 all the same, and is not seen."""
    found: set[int] = set()
    looped = {id(m) for n in walk_scope(function) if isinstance(n, REPEATING)
              for m in walk_scope(_repeated(n))}
    for loop in walk_scope(function):
        if not isinstance(loop, (ast.For, ast.AsyncFor)) or id(loop) in looped or \
                not _over_groups(loop.iter):
            continue
        bound = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
        for node in _unlooped(loop.body):
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call) and \
                    node.value.args and _filters_in(function, node.value.args[0], bound):
                found.add(id(node))
    return found


# Iterables of groups: a dict's groups (`.items()`/`.values()`) or chunks of a list.
GROUPING_CALLS = frozenset({"items", "values", "batched", "chunked", "chunks"})


def _over_groups(iterable: ast.expr) -> bool:
    """``grouped.items()``, ``batched(ids, 500)``, ...: not ``zip(orders, ids_per_order)``
    or a plain list, whose passes are rows."""
    return isinstance(iterable, ast.Call) and (
        dotted_name(iterable.func) or "").rpartition(".")[2] in GROUPING_CALLS


def _repeated(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, COMPREHENSIONS):
        return repeated_parts(node)
    if isinstance(node, ast.While):
        return [node.test, *node.body]
    assert isinstance(node, (ast.For, ast.AsyncFor))
    return [*node.body]


def _unlooped(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of ``statements`` in their scope, less those under a nested loop."""
    nested: set[int] = set()
    for node in walk_scope(statements):
        if id(node) in nested:
            continue
        if isinstance(node, REPEATING):
            nested.update(id(n) for n in walk_scope(_repeated(node)))
        yield node


def _filters_in(function: FunctionNode, statement: ast.expr, bound: set[str]) -> bool:
    """``statement`` (or every value of the local name it is) holds ``.in_(n)`` with ``n``
    one of the ``bound`` names."""
    if isinstance(statement, ast.Name):
        values = [n.value for n in walk_scope(function)
                  if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None
                  and any(isinstance(t, ast.Name) and t.id == statement.id for t in _targets(n))]
    else:
        values = [statement]
    return bool(values) and all(
        any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == "in_" and len(n.args) == 1 and isinstance(n.args[0], ast.Name)
            and n.args[0].id in bound for n in walk_scope([value]))
        for value in values)


def _fallbacks(node: ast.AST) -> Iterator[tuple[str, list[ast.stmt]]]:
    if isinstance(node, ast.Try):
        read = {dotted_name(n.value) for n in walk_scope(node.body)
                if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)}
        for handler in node.handlers:
            caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            if any(dotted_name(c) in ("KeyError", "LookupError") for c in caught if c):
                yield from ((name, handler.body) for name in read if name)
    elif isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and \
            len(node.test.ops) == 1 and isinstance(node.test.ops[0], ast.NotIn):
        name = dotted_name(node.test.comparators[0])
        if name is not None:
            yield name, node.body


def _stores(branch: list[ast.stmt], cache: str) -> bool:
    return any(isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
               and dotted_name(n.value) == cache for n in walk_scope(branch))


# --- receivers -------------------------------------------------------------------------

@dataclass(slots=True)
class ReceiverKinds:
    """Names (``repo``) and ``self`` attributes (``self._users``) known to hold a
    repository or a session in one function."""

    repositories: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)

    def kind(self, ctx: FileContext, node: ast.expr) -> str | None:
        if isinstance(node, ast.Call):
            return "repository" if _is_repository_type(ctx, node.func) else None
        written = dotted_name(node)
        if written is None or written.count(".") > 1 or (
                "." in written and not written.startswith(tuple(f"{s}." for s in SELF_NAMES))):
            return None
        bare = written.rsplit(".", 1)[-1].lstrip("_")
        if written in self.repositories or bare in ("repository", "repo") or bare.endswith(
                ("_repository", "_repo")):
            return "repository"
        if written in self.sessions or bare in SESSION_NAMES:
            return "session"
        return None


def receiver_kinds(ctx: FileContext, owner: ast.ClassDef | None,
                   function: FunctionNode) -> ReceiverKinds:
    kinds = ReceiverKinds()
    if owner is not None:
        known = per_file(("receiver_attributes", id(owner)),
                         lambda: _attributes(ctx, owner, ReceiverKinds()))
        kinds.repositories |= known.repositories
        kinds.sessions |= known.sessions
    _parameters(ctx, function, kinds, prefix="")
    for node in walk_scope(function):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            _assignment(ctx, node, kinds, set(), prefix="")
    return kinds


def _attributes(ctx: FileContext, owner: ast.ClassDef, kinds: ReceiverKinds) -> ReceiverKinds:
    """``self.x = XRepository(...)``/``self.x = session`` in any method; ``x: XRepository``
    in the class body."""
    for statement in owner.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            _classify(ctx, f"self.{statement.target.id}", statement.annotation, None, set(),
                      kinds)
    for method in class_methods(owner):
        sessions = {p.arg for p in all_parameters(method)
                    if is_async_session(ctx, p.annotation)}
        for node in walk(method):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                _assignment(ctx, node, kinds, sessions, prefix="self.")
    return kinds


def _parameters(ctx: FileContext, function: FunctionNode, kinds: ReceiverKinds,
                prefix: str) -> None:
    for parameter in all_parameters(function):
        _classify(ctx, prefix + parameter.arg, parameter.annotation, None, set(), kinds)


def _assignment(ctx: FileContext, node: ast.AST, kinds: ReceiverKinds, sessions: set[str],
                prefix: str) -> None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, annotation, value = node.targets[0], None, node.value
    elif isinstance(node, ast.AnnAssign):
        target, annotation, value = node.target, node.annotation, node.value
    else:
        return
    written = dotted_name(target)
    if written is None:
        return
    if prefix:  # only ``self.x`` targets count for attributes
        if not written.startswith(prefix) or written.count(".") != 1:
            return
    elif "." in written:
        return
    _classify(ctx, written, annotation, value, sessions, kinds)


def _classify(ctx: FileContext, name: str, annotation: ast.expr | None,
              value: ast.expr | None, sessions: set[str], kinds: ReceiverKinds) -> None:
    typed = annotation is not None and any(_is_repository_type(ctx, t)
                                           for t in unwrap_annotation(ctx, annotation))
    if typed or (isinstance(value, ast.Call) and _is_repository_type(ctx, value.func)):
        kinds.repositories.add(name)
    elif is_async_session(ctx, annotation) or (isinstance(value, ast.Name)
                                               and value.id in sessions):
        kinds.sessions.add(name)


def _is_repository_type(ctx: FileContext, node: ast.expr) -> bool:
    return (type_name(ctx, node) or "").rsplit(".", 1)[-1].endswith(REPOSITORY_SUFFIX)
