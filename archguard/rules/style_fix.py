"""Fixes of AG801 (add the future import) and AG802 (``-> None``), with libcst."""

from __future__ import annotations

import ast

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
    if index + 1 < len(body) and not body[index + 1].leading_lines:  # its own section
        body[index + 1] = body[index + 1].with_changes(leading_lines=(cst.EmptyLine(),))
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
    functions = located.starts(cst.FunctionDef, (ast.FunctionDef, ast.AsyncFunctionDef))
    targets: dict[int, int] = {}  # id of a def -> its line
    for finding in request.findings:
        node = functions.get((finding.line, 0))
        if isinstance(node, cst.FunctionDef) and node.returns is None:
            targets[id(node)] = finding.line

    class AddNone(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef,
                              ) -> cst.FunctionDef:
            if id(original) in targets:
                return updated.with_changes(returns=cst.Annotation(cst.Name("None")))
            return updated

    done = set(targets.values())
    for finding in request.findings:
        if finding.line not in done:
            output.skip(finding, "no unannotated function at this line")
    if targets:
        output.changes[request.path] = located.module.visit(AddNone()).code
    return output
