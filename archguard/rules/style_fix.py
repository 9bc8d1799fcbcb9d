"""Fixes of AG801 (add the future import) and AG802 (``-> None``), with libcst."""

from __future__ import annotations

import libcst as cst

from archguard.rules.cst_tools import insert_statements, is_docstring, parse_or_none
from archguard.rules.fixing import FixOutput, FixRequest

FUTURE_IMPORT = "from __future__ import annotations\n"


def add_future_import(request: FixRequest) -> FixOutput:
    """After the module docstring; the shebang, encoding line and leading comments stay in
    the module header above it."""
    output = FixOutput()
    located = parse_or_none(request.text)
    if located is None:
        for finding in request.findings:
            output.skip(finding, "libcst cannot parse the file")
        return output
    module = located.module
    body = list(module.body)
    index = 1 if body and is_docstring(body[0]) else 0
    statement = cst.parse_statement(FUTURE_IMPORT)
    if index == 0 and body:  # keep the blank lines after the header comments above it
        statement = statement.with_changes(leading_lines=body[0].leading_lines)
        body[0] = body[0].with_changes(leading_lines=())
    body = insert_statements(body, index, [statement])  # type: ignore[list-item]
    output.changes[request.path] = module.with_changes(body=body).code
    return output


def annotate_none_return(request: FixRequest) -> FixOutput:
    """``-> None`` on the functions the findings name (detection decided that they never
    return a value and are neither generators, abstract nor overloads)."""
    output = FixOutput()
    located = parse_or_none(request.text)
    if located is None:
        for finding in request.findings:
            output.skip(finding, "libcst cannot parse the file")
        return output
    lines = {finding.line for finding in request.findings}
    targets = {id(node) for node in located.nodes(cst.FunctionDef)
               if isinstance(node, cst.FunctionDef) and node.returns is None
               and located.line_of(node.name) in lines}

    class AddNone(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef,
                              ) -> cst.FunctionDef:
            if id(original) in targets:
                return updated.with_changes(returns=cst.Annotation(cst.Name("None")))
            return updated

    done = {located.line_of(node.name) for node in located.nodes(cst.FunctionDef)
            if id(node) in targets}  # type: ignore[attr-defined]
    for finding in request.findings:
        if finding.line not in done:
            output.skip(finding, "no unannotated function at this line")
    if targets:
        output.changes[request.path] = located.module.visit(AddNone()).code
    return output
