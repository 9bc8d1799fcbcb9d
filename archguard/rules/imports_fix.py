"""Fix of AG201: a relative import becomes the absolute import it names (same names, same
aliases, same place), with libcst."""

from __future__ import annotations

import ast

import libcst as cst

from archguard.rules.cst_tools import parse_or_none
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.imports import absolute_import


def make_absolute(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parse_or_none(request.text)
    if located is None:
        for finding in request.findings:
            output.skip(finding, "libcst cannot parse the file")
        return output
    fixed: set[int] = set()
    replacements: dict[int, cst.ImportFrom] = {}
    imports = located.starts(cst.ImportFrom, (ast.ImportFrom,))
    for finding in request.findings:
        node = imports.get((finding.line, finding.column))
        if not isinstance(node, cst.ImportFrom) or not node.relative:
            continue
        line = finding.line
        target = cst.Module([]).code_for_node(node.module) if node.module else None
        absolute = absolute_import(request.path, len(node.relative), target,
                                   request.config.package)
        if absolute:
            replacements[id(node)] = node.with_changes(
                relative=(), module=cst.parse_expression(absolute))
            fixed.add(line)

    class Absolute(cst.CSTTransformer):
        def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom,
                             ) -> cst.ImportFrom:
            new = replacements.get(id(original))
            return updated if new is None else updated.with_changes(
                relative=(), module=new.module)

    for finding in request.findings:
        if finding.line not in fixed:
            output.skip(finding, "the import climbs above the package root")
    if replacements:
        output.changes[request.path] = located.module.visit(Absolute()).code
    return output
