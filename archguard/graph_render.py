"""``archguard graph``: the module dependency graph as Mermaid, Graphviz dot or JSON.

Edges are module to module, labelled with the layers involved (``service→service``).
Edges carrying an AG202/AG203/AG204 finding or lying on an AG205 cycle are highlighted, and
so are the modules of a cycle. Only findings that ``archguard check`` would report count
(config select/ignore, per-file ignores and ``# archguard: ignore`` comments apply). An
import that breaks a layer rule inside one module shows as a highlighted self-loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archguard.diagnostics import Diagnostic
from archguard.graph import ModuleGraph, Reference, cycle_edges, module_cycles, module_graph
from archguard.project import Project
from archguard.rules.imports import CrossModuleRepository
from archguard.rules.layers import LayerDirection, ModuleCycle, RouterRepositoryAccess

CYCLE = "AG205"
RED = "#d00"


@dataclass
class EdgeView:
    source: str
    target: str
    refs: list[Reference]
    layers: list[str]
    codes: list[str]


@dataclass
class GraphView:
    modules: dict[str, list[str]]  # module -> its files
    edges: list[EdgeView]
    cycles: list[list[str]]
    truncated: bool
    ref_codes: dict[tuple[str, int, int, str], set[str]] = field(default_factory=dict)
    layers_of: Callable[[Reference], str] = str

    @property
    def cycle_modules(self) -> set[str]:
        return {module for cycle in self.cycles for module in cycle}


def build_view(project: Project, reported: Callable[[Diagnostic], bool]) -> GraphView:
    """The module graph with the findings ``reported`` keeps attached to its edges."""
    graph = module_graph(project)
    ref_codes = _ref_codes(project, reported)
    cycles = [cycle for cycle, d in ModuleCycle().findings(project) if reported(d)]
    on_cycle = {edge for cycle in cycles for edge in cycle_edges(cycle)}
    edges = []
    for (source, target), refs in sorted(_grouped_refs(graph, ref_codes).items()):
        codes = {c for ref in refs for c in ref_codes.get(ref.sort_key(), ())}
        codes |= {CYCLE} if (source, target) in on_cycle else set()
        edges.append(EdgeView(source, target, sorted(refs, key=Reference.sort_key),
                              sorted({graph.layers(r) for r in refs}), sorted(codes)))
    modules = {name: sorted(n.path for n in graph.nodes.values()
                            if n.module == name and n.exists)
               for name in graph.modules}
    return GraphView(modules, edges, cycles, module_cycles(project)[1], ref_codes,
                     graph.layers)


def _ref_codes(project: Project, reported: Callable[[Diagnostic], bool],
               ) -> dict[tuple[str, int, int, str], set[str]]:
    """AG202/AG203/AG204 codes by reference, for the findings that are reported."""
    codes: dict[tuple[str, int, int, str], set[str]] = {}
    for rule in (RouterRepositoryAccess(), LayerDirection()):
        for ref, diagnostic in rule.findings(project):
            if reported(diagnostic):
                codes.setdefault(ref.sort_key(), set()).add(rule.code)
    graph = module_graph(project)
    at = {(r.path, r.span.line, r.span.column): r for r in graph.references
          if graph.nodes[r.target].role == "repository"}
    for diagnostic in CrossModuleRepository().check(project):
        ref = at.get((diagnostic.path, diagnostic.line, diagnostic.column))
        if ref is not None and reported(diagnostic):
            codes.setdefault(ref.sort_key(), set()).add(diagnostic.code)
    return codes


def _grouped_refs(graph: ModuleGraph, ref_codes: dict[tuple[str, int, int, str], set[str]],
                  ) -> dict[tuple[str, str], list[Reference]]:
    """Cross-module edges, plus a self-loop for a module with a violation inside it."""
    grouped = {edge: list(refs) for edge, refs in graph.module_edges.items()}
    for ref in graph.references:
        module = graph.nodes[ref.source].module
        if ref.sort_key() in ref_codes and module == graph.nodes[ref.target].module:
            grouped.setdefault((module, module), []).append(ref)
    return grouped


def _label(edge: EdgeView) -> str:
    text = ", ".join(edge.layers)
    return f"{text} ({', '.join(edge.codes)})" if edge.codes else text


# mermaid ----------------------------------------------------------------------------------
def _mermaid_ids(names: list[str]) -> dict[str, str]:
    """Safe, unique node ids (``m_`` keeps them clear of keywords such as ``end``)."""
    ids: dict[str, str] = {}
    for name in names:
        base = "m_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
        candidate, n = base, 2
        while candidate in ids.values():
            candidate, n = f"{base}_{n}", n + 1
        ids[name] = candidate
    return ids


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def render_mermaid(view: GraphView) -> str:
    ids = _mermaid_ids(list(view.modules))
    lines = ["flowchart LR"]
    lines += [f'    {ids[name]}["{_mermaid_text(name)}"]' for name in view.modules]
    red = []
    for index, edge in enumerate(view.edges):
        lines.append(f'    {ids[edge.source]} -->|"{_mermaid_text(_label(edge))}"| '
                     f'{ids[edge.target]}')
        if edge.codes:
            red.append(str(index))
    if red:
        lines.append(f"    linkStyle {','.join(red)} stroke:{RED},stroke-width:2px")
    in_cycle = [ids[name] for name in view.modules if name in view.cycle_modules]
    if in_cycle:
        lines.append(f"    classDef cycle fill:#fdd,stroke:{RED},stroke-width:2px")
        lines.append(f"    class {','.join(in_cycle)} cycle")
    return "\n".join(lines) + "\n"


# dot --------------------------------------------------------------------------------------
def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(view: GraphView) -> str:
    lines = ["digraph modules {", "    rankdir=LR;", "    node [shape=box];"]
    for name in view.modules:
        style = " [color=red, fontcolor=red]" if name in view.cycle_modules else ""
        lines.append(f"    {_dot_text(name)}{style};")
    for edge in view.edges:
        attributes = [f"label={_dot_text(_label(edge))}"]
        if edge.codes:
            attributes += ["color=red", "fontcolor=red", "penwidth=2"]
        lines.append(f"    {_dot_text(edge.source)} -> {_dot_text(edge.target)} "
                     f"[{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# json -------------------------------------------------------------------------------------
def _import_json(view: GraphView, ref: Reference) -> dict[str, object]:
    return {
        "file": ref.path, "line": ref.span.line, "column": ref.span.column,
        "name": ref.written, "resolved": ref.resolved, "target": ref.target,
        "kind": ref.kind, "layers": view.layers_of(ref),
        "violations": sorted(view.ref_codes.get(ref.sort_key(), ())),
    }


def render_json(view: GraphView) -> str:
    data = {
        "nodes": [{"id": name, "files": files, "in_cycle": name in view.cycle_modules}
                  for name, files in view.modules.items()],
        "edges": [{"source": e.source, "target": e.target, "layers": e.layers,
                   "violations": e.codes, "imports": [_import_json(view, r) for r in e.refs]}
                  for e in view.edges],
        "cycles": view.cycles,
        "cycles_truncated": view.truncated,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[GraphView], str]] = {
    "mermaid": render_mermaid, "dot": render_dot, "json": render_json,
}


def render(project: Project, output_format: str,
           reported: Callable[[Diagnostic], bool] = lambda d: True) -> str:
    return RENDERERS[output_format](build_view(project, reported))


def graph_text(path: Path, config_file: Path | None, output_format: str) -> str:
    """Analyse the project holding ``path`` and render its module graph."""
    from archguard.discovery import locate_project, module_folders, package_files
    from archguard.engine import ProjectInput, Selection, finish
    from archguard.parallel import analyze_on_disk

    location = locate_project([path], config_file)
    analyzed = analyze_on_disk(location.root, package_files(location), location.config)
    results = [item.result for item in analyzed]
    exists, folders = module_folders(location)
    kept = set(finish(ProjectInput(location.config, results, folders, exists),
                      Selection.build(location.config)))
    project = Project(location.config, {r.path: r.facts for r in results}, folders, exists)
    return render(project, output_format, kept.__contains__)
