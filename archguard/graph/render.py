"""The module dependency graph as Mermaid, Graphviz dot or JSON, from a ``GraphView`` (which
``archguard.run.graph`` builds from an analysed project).

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

from archguard.graph.modules import Reference

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
