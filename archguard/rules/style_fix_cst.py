"""The libcst side of AG801's and AG802's fixes (``style_fix``): the shapes the text alone
does not show."""

from __future__ import annotations

import ast

import libcst as cst

from archguard.rules.cst_tools import insert_statements, is_docstring, parsed_or_skipped, rebuilt
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.style_fix import FUTURE_IMPORT


def future_with_libcst(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parsed_or_skipped(request, output)
    if located is None:
        return output
    module = located.module
    body = list(module.body)
    if body and _docstring_sharing_its_line(body[0]):
        for finding in request.findings:  # above it, the docstring would stop being one
            output.skip(finding, "the module docstring shares its line with a statement")
        return output
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


def _docstring_sharing_its_line(statement: cst.CSTNode) -> bool:
    """A first line that holds the module docstring and more statements
    (``'Doc.'; import os``)."""
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) > 1 and \
        is_docstring(statement.with_changes(body=statement.body[:1]))


def annotate_with_libcst(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parsed_or_skipped(request, output)
    if located is None:
        return output
    functions = located.starts(cst.FunctionDef, (ast.FunctionDef, ast.AsyncFunctionDef))
    targets: dict[int, int] = {}  # id of a def -> its line
    for finding in request.findings:
        node = functions.get((finding.line, 0))
        if isinstance(node, cst.FunctionDef) and node.returns is None:
            targets[id(node)] = finding.line

    def add_none(updated: cst.CSTNode) -> cst.CSTNode:
        return updated.with_changes(returns=cst.Annotation(cst.Name("None")))

    done = set(targets.values())
    for finding in request.findings:
        if finding.line not in done:
            output.skip(finding, "no unannotated function at this line")
    if targets:
        output.changes[request.path] = rebuilt(located.module, dict.fromkeys(
            targets, add_none)).code
    return output
