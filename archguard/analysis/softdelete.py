"""Soft-delete facts of repository methods (AG402): the models a method selects or loads
with ``session.get``, and whether it filters ``is_deleted``; then, over the project, which of
those models are soft-deletable."""

from __future__ import annotations

import ast
from collections import defaultdict

from archguard.analysis.astindex import per_file, walk
from archguard.analysis.context import FileContext
from archguard.analysis.facts import dotted_name
from archguard.analysis.patterns import FunctionNode, class_methods, dotted_chains, repository_functions
from archguard.analysis.project_view import Project

SELF_NAMES = ("self", "cls")
QueryFact = dict[str, object]  # per method: name, span, selects, gets, filters, checks


def soft_models(project: Project, soft: set[str], names: object) -> list[str]:
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


def query_facts(ctx: FileContext) -> list[QueryFact]:
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
                "checks": any(_reads_is_deleted(n) for n in walk(function)),
            })
    return facts


def _filters(ctx: FileContext, node: ast.AST, helpers: set[str], local: set[str]) -> bool:
    """``node`` filters ``is_deleted`` itself, or uses a name of the file in ``local``."""
    direct, uses = per_file(("soft-delete-usage", id(node)),
                            lambda: _usage(ctx, node, helpers))
    return direct or not uses.isdisjoint(local)


def _usage(ctx: FileContext, node: ast.AST, helpers: set[str]) -> tuple[bool, frozenset[str]]:
    """Does ``node`` filter by itself, and which names that might filter does it use."""
    uses: set[str] = set()
    for sub in walk(node):
        if _reads_is_deleted(sub) or (
                isinstance(sub, ast.Call) and _filter_call(ctx, sub, helpers)):
            return True, frozenset()
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
            uses.add(sub.id)
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and \
                sub.value.id in SELF_NAMES:
            uses.add(f"self.{sub.attr}")
    return False, frozenset(uses)


def _filtering_names(ctx: FileContext, helpers: set[str]) -> set[str]:
    """What of this file filters ``is_deleted``, directly or through each other (a fixed
    point): module functions and constants by name (``ACTIVE``), methods as ``self.name``."""
    units: dict[str, list[ast.AST]] = defaultdict(list)
    for statement in ctx.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            units[statement.name].append(statement)
        elif isinstance(statement, ast.ClassDef):
            for method in class_methods(statement):
                units[f"self.{method.name}"].append(method)
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
    for node in walk(function):
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
    for node in walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("get", "get_one") and len(node.args) >= 2 and \
                dotted_name(node.func.value) not in SELF_NAMES and \
                isinstance(node.args[0], (ast.Name, ast.Attribute)):
            names += _resolved_chains(ctx, node.args[0])
    return list(dict.fromkeys(names))


def _resolved_chains(ctx: FileContext, node: ast.AST) -> list[str]:
    return [r for chain in dotted_chains(node) if (r := ctx.qualname(chain))]
