"""``archguard graph``: analyse the project, attach the reported findings to the module graph's
edges, and render it (the renderers are in ``archguard.graph.render``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archguard.analysis.project_view import Project
from archguard.diagnostics import Diagnostic
from archguard.graph.modules import ModuleGraph, Reference, cycle_edges, module_cycles, module_graph
from archguard.graph.render import CYCLE, RENDERERS, EdgeView, GraphView
from archguard.rules.imports import CrossModuleRepository
from archguard.rules.layers import LayerDirection, ModuleCycle, RouterRepositoryAccess


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


def render(project: Project, output_format: str,
           reported: Callable[[Diagnostic], bool] = lambda d: True) -> str:
    return RENDERERS[output_format](build_view(project, reported))


def graph_text(path: Path, config_file: Path | None, output_format: str) -> str:
    """Analyse the project holding ``path`` and render its module graph."""
    from archguard.project.discovery import (
        check_configured_paths, locate_project, module_folders, package_files,
    )
    from archguard.engine.analyze import ProjectInput, Selection, finish
    from archguard.engine.pool import analyze_on_disk
    from archguard.semgrep.scan import SemgrepPlan

    location = locate_project([path], config_file)
    check_configured_paths(location)
    custom = SemgrepPlan.build(location, use_semgrep=False)  # codes the settings may name
    analyzed = analyze_on_disk(location.root, package_files(location), location.config)
    results = [item.result for item in analyzed if not item.vanished]
    exists, folders = module_folders(location)
    kept = {_where(d) for d in finish(
        ProjectInput(location.config, results, folders, exists),
        Selection.build(location.config, extra_codes=custom.custom_codes,
                        extra_aliases=custom.custom_aliases))}
    project = Project(location.config, {r.path: r.facts for r in results}, folders, exists)
    return render(project, output_format, lambda d: _where(d) in kept)


def _where(diagnostic: Diagnostic) -> tuple[str, str, int, int]:
    """A finding's identity (finish() fills in its wording, so not its text)."""
    return diagnostic.code, diagnostic.path, diagnostic.line, diagnostic.column
