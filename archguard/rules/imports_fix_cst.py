"""The libcst side of AG201's fix (``imports_fix``): the spellings the text does not show."""

from __future__ import annotations

import ast
import functools

import libcst as cst

from archguard.rules.cst_tools import parsed_or_skipped, rebuilt
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.imports import absolute_import


def absolute_with_libcst(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parsed_or_skipped(request, output)
    if located is None:
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
        absolute = absolute_import(request.path, len(node.relative), target, request.config)
        if absolute:
            replacements[id(node)] = node.with_changes(
                relative=(), module=cst.parse_expression(absolute))
            fixed.add(line)

    def absolute(new: cst.ImportFrom, updated: cst.CSTNode) -> cst.CSTNode:
        return updated.with_changes(relative=(), module=new.module)

    for finding in request.findings:
        if finding.line not in fixed:
            output.skip(finding, "the import climbs above the package root")
    if replacements:
        output.changes[request.path] = rebuilt(located.module, {
            key: functools.partial(absolute, new) for key, new in replacements.items()}).code
    return output
