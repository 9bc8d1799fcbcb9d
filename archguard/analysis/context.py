"""What a per-file rule sees: one parsed file, its place in the layout, and name resolution."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from archguard.analysis.facts import FileFacts, LineColumns, Span, SymbolResolver
from archguard.project.config import Config


@dataclass(slots=True)
class FileContext:
    path: str  # relative to the project root, forward slashes
    source: str
    tree: ast.Module
    config: Config
    facts: FileFacts
    resolver: SymbolResolver
    columns: LineColumns
    role: str | None  # init/models/schemas/repository/service/router, inside a module folder
    module_name: str | None  # the cpv3 module (folder under modules-dir) holding the file

    @property
    def module(self) -> str:
        return self.facts.module

    def qualname(self, node: ast.expr) -> str | None:
        """The absolute dotted name ``node`` refers to, through imports and aliases."""
        return self.resolver.resolve(node)

    def span(self, node: ast.AST) -> Span:
        return self.columns.span(node)

    def def_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Span:
        """The ``def``/``class`` line (never the decorator line), for function- and
        class-level findings."""
        return self.columns.header_span(node)


def layout_of(path: str, config: Config) -> tuple[str | None, str | None]:
    """(role, module name) of a file inside a module folder, else (None, None). A file of a
    module that matches no role pattern (a helper, a file in a subfolder) is (None, module);
    files of shared folders are in no module."""
    return config.layout.layout_of(path)
