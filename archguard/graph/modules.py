"""The package's import graph, built from per-file facts (never by importing the code).

One set of references, two views: ``files`` (a node per Python module, plus a module only
named by an import when its name is a role file of a module folder) and ``modules`` (a node
per module folder, never a shared folder; an edge A -> B when a file of A references a file
of B). A reference is:

- an import statement (module level or inside a function);
- an attribute chain through ``import x`` (``x.y.Z``), or, in routers, a call through an
  imported name (``users.UserRepository(db)``, collected by AG203), kept only when no
  import of the same file already names that target file.

Every reference is resolved through re-exports (``Project.resolve``) first, so
``from cpv3.modules.b import BService`` is an edge to ``b/service.py``. References that only
exist for type checkers (``if TYPE_CHECKING:`` imports and the names they bind) are left out
unless ``type-checking-imports = true``. The graph is built once per ``Project``.

Edges are plain dicts; networkx (0.15-0.2 s to import) is loaded only to enumerate cycles,
and only after the stdlib's ``graphlib`` has found that the module graph has one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import TypeVar

from archguard.analysis.facts import FileFacts, ImportFact, Span
from archguard.analysis.project_view import Project
from archguard.analysis.scope import MIGRATION, is_test_file

CALL_FACTS = "AG203"  # facts.extra key: router calls through imported names (rules/layers)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Node:
    name: str  # dotted module name
    path: str  # relative path (a guess for a role file that is only named by an import)
    role: str | None  # init/models/schemas/repository/service/router in a module folder
    module: str | None  # the module folder holding it
    exists: bool


@dataclass(frozen=True, slots=True)
class Reference:
    source: str  # dotted module of the referencing file
    target: str  # dotted module of the referenced file
    path: str  # path of the referencing file
    span: Span
    written: str  # the dotted name as imported or used
    resolved: str  # the same after re-exports
    kind: str  # "import", "attribute" or "call"

    @property
    def location(self) -> str:
        return f"{self.path}:{self.span.line}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.target)


@dataclass
class ModuleGraph:
    nodes: dict[str, Node]  # by dotted name
    references: list[Reference]  # sorted by file, line, column
    file_edges: dict[tuple[str, str], list[Reference]]  # (source, target) dotted names
    modules: list[str]  # module folder names, sorted
    module_edges: dict[tuple[str, str], list[Reference]]  # cross-module edges only

    def layers(self, ref: Reference) -> str:
        """``service→repository``: the roles at both ends (``other`` when a file has none)."""
        source, target = self.nodes[ref.source], self.nodes[ref.target]
        return f"{source.role or 'other'}→{target.role or 'other'}"


def memo(project: Project, key: str, build: Callable[[Project], _T]) -> _T:
    """Compute once per Project instance (the project rules share one graph per run)."""
    cache = vars(project).setdefault("_archguard_memo", {})
    if key not in cache:
        cache[key] = build(project)
    return cache[key]


def module_graph(project: Project) -> ModuleGraph:
    return memo(project, "module_graph", build_module_graph)


def build_module_graph(project: Project) -> ModuleGraph:
    builder = _Builder(project)
    references: list[Reference] = []
    for facts in project.iter_files():
        if not is_test_file(facts.path, project.config.tests_dir) \
                and facts.scope != MIGRATION:
            references.extend(builder.file_references(facts))
    references.sort(key=Reference.sort_key)
    nodes = builder.nodes
    file_edges: dict[tuple[str, str], list[Reference]] = {}
    module_edges: dict[tuple[str, str], list[Reference]] = {}
    for ref in references:
        file_edges.setdefault((ref.source, ref.target), []).append(ref)
        source, target = nodes[ref.source].module, nodes[ref.target].module
        if source and target and source != target:
            module_edges.setdefault((source, target), []).append(ref)
    modules = sorted({n.module for n in nodes.values() if n.module})
    return ModuleGraph(nodes, references, file_edges, modules, module_edges)


class _Builder:
    """Resolves references to nodes, with the per-run lookups computed once."""

    def __init__(self, project: Project) -> None:
        config = project.config
        self.project = project
        self.layout = config.layout
        self.allow_type_only = config.type_checking_imports
        self.roots = {name.split(".")[0] for name in project.by_module}
        self.lookups: dict[str, tuple[str, str] | None] = {}  # by name as written
        self.nodes = {facts.module: self.node(facts.module, facts.path, True)
                      for facts in project.files.values()
                      if not is_test_file(facts.path, config.tests_dir)
                      and facts.scope != MIGRATION}

    def node(self, dotted: str, path: str, exists: bool) -> Node:
        role, module = self.layout.layout_of(path)
        return Node(dotted, path, role, module, exists)

    def file_references(self, facts: FileFacts) -> Iterator[Reference]:
        """The file's runtime references to other project files (see the module doc)."""
        named: set[str] = set()
        runtime = [f for f in facts.imports if self.allow_type_only or not f.type_checking]
        for fact in runtime:
            found = self.lookup(fact.target)
            if found is not None and found[1] != facts.module:
                named.add(found[1])
                yield self.reference(facts, fact.target, found, fact.span, "import")
        bound: set[str] | None = None
        for dotted, span, kind in _usages(facts, self.allow_type_only):
            bound = {_bound_name(fact) for fact in runtime} if bound is None else bound
            if not _reachable(dotted, bound):
                continue  # only reachable through a TYPE_CHECKING import
            found = self.lookup(dotted)
            if found is not None and found[1] != facts.module and found[1] not in named:
                named.add(found[1])
                yield self.reference(facts, dotted, found, span, kind)

    def reference(self, facts: FileFacts, written: str, found: tuple[str, str], span: Span,
                  kind: str) -> Reference:
        resolved, target = found
        if target not in self.nodes:
            self.nodes[target] = self.node(target, self.layout.path_of(target), False)
        return Reference(facts.module, target, facts.path, span, written, resolved, kind)

    def lookup(self, written: str) -> tuple[str, str] | None:
        """(resolved name, target module) of a project name; None for other names. Cached:
        most files import the same few names."""
        if written in self.lookups:
            return self.lookups[written]
        found = None
        if written.partition(".")[0] in self.roots or self._under_modules(written):
            resolved = self.project.resolve(written)
            target = self.target_module(resolved)
            found = None if target is None else (resolved, target)
        self.lookups[written] = found
        return found

    def _under_modules(self, dotted: str) -> bool:
        return self.layout.under_modules(dotted)

    def target_module(self, dotted: str) -> str | None:
        """The project module ``dotted`` lives in: the longest prefix that is a project
        file, or the role file it names in a module folder even when that file is absent (so
        a router importing ``cpv3.modules.users.repository`` is caught in a partial tree)."""
        owner = self.project.owner_file(dotted)
        return None if owner is None else owner[0]


def _usages(facts: FileFacts, allow_type_only: bool) -> Iterator[tuple[str, Span, str]]:
    for dotted, span, type_only in facts.module_refs:
        if allow_type_only or not type_only:
            yield dotted, span, "attribute"
    for dotted, line, column, end_line, end_column in facts.extra.get(CALL_FACTS, ()):
        yield dotted, Span(line, column, end_line, end_column), "call"


def _bound_name(fact: ImportFact) -> str:
    """The dotted name an import binds (``import a.b`` binds ``a``)."""
    if fact.name is None:
        return fact.module if fact.asname else fact.module.split(".")[0]
    return fact.target


def _reachable(dotted: str, bound: set[str]) -> bool:
    parts = dotted.split(".")
    return any(".".join(parts[:cut]) in bound for cut in range(1, len(parts) + 1))


def module_cycles(project: Project) -> tuple[list[list[str]], bool]:
    """The cycles AG205 reports, each rotated to start at its smallest module, sorted: per
    cycle cluster (strongly connected component), one shortest cycle, plus every
    two-module cycle; at most ``max-cycles`` of them (the flag says whether more exist)."""
    return memo(project, "module_cycle_lists", _cycle_lists)


def _cycle_lists(project: Project) -> tuple[list[list[str]], bool]:
    cycles, truncated = cycle_report(project)
    return [cycle for cycle, _ in cycles], truncated


def cycle_report(project: Project) -> tuple[list[tuple[list[str], list[str]]], bool]:
    """(cycle, the modules of its cluster when it stands for a cluster of more than its own
    modules, else []) for every reported cycle, and whether more exist."""
    return memo(project, "module_cycles", _find_cycles)


def _find_cycles(project: Project) -> tuple[list[tuple[list[str], list[str]]], bool]:
    graph = module_graph(project)
    if not _has_cycle(graph):
        return [], False
    limit = project.config.max_cycles
    # "clusters": the shape of the result, so that an older cache's entries never match
    key = hashlib.blake2b(repr((sorted(graph.module_edges), limit, "clusters")).encode(),
                          digest_size=16).hexdigest()
    found = project.durable.get(f"cycles:{key}", lambda: _search_cycles(graph, limit))
    return found  # type: ignore[return-value]


def _search_cycles(graph: ModuleGraph, limit: int,
                   ) -> tuple[list[tuple[list[str], list[str]]], bool]:
    """One shortest cycle per strongly connected component, and every two-module cycle
    (networkx finds the components; its import alone is ~0.15 s, which is why the result
    is kept in ``project.durable`` by module edges)."""
    import networkx as nx

    digraph = nx.DiGraph(list(graph.module_edges))
    found: dict[tuple[str, ...], list[str]] = {}
    for component in nx.strongly_connected_components(digraph):
        if len(component) < 2:
            continue
        members = sorted(component)
        shortest = _rotate(_shortest_cycle(digraph, members))
        found[tuple(shortest)] = members if len(members) > len(shortest) else []
        for a in members:
            for b in digraph.successors(a):
                if a < b and digraph.has_edge(b, a):
                    found.setdefault((a, b), [])
    cycles = sorted((list(cycle), members) for cycle, members in found.items())
    return cycles[:limit], len(cycles) > limit


def _shortest_cycle(digraph: object, members: list[str]) -> list[str]:
    """A shortest cycle inside one component: a breadth-first search from each member back
    to itself, the first (smallest module) of the shortest ones."""
    best: list[str] | None = None
    inside = set(members)
    for start in members:
        parents: dict[str, str] = {}
        frontier, seen, closing = [start], {start}, None
        while frontier and closing is None:
            following = []
            for node in frontier:
                for nxt in sorted(digraph.successors(node)):  # type: ignore[attr-defined]
                    if nxt == start:
                        closing = node
                        break
                    if nxt in inside and nxt not in seen:
                        seen.add(nxt)
                        parents[nxt] = node
                        following.append(nxt)
                if closing is not None:
                    break
            frontier = following
        if closing is None:
            continue
        path = [closing]
        while path[-1] != start:
            path.append(parents[path[-1]])
        cycle = path[::-1]
        if best is None or len(cycle) < len(best):
            best = cycle
        if len(best) == 2:
            break
    assert best is not None  # a strongly connected component of 2+ nodes has a cycle
    return best


def _has_cycle(graph: ModuleGraph) -> bool:
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for source, target in graph.module_edges:
        sorter.add(source, target)
    try:
        sorter.prepare()
    except CycleError:
        return True
    return False


def _rotate(cycle: list[str]) -> list[str]:
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def cycle_edges(cycle: list[str]) -> list[tuple[str, str]]:
    return [(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))]


def first_reference(graph: ModuleGraph, source: str, target: str) -> Reference:
    """The reference that stands for a module edge: the first by file, line and column."""
    return min(graph.module_edges[source, target], key=Reference.sort_key)
