"""Fixes of AG801 (add the future import) and AG802 (``-> None``), with libcst. AG801's
usual case is done on the text (the same result; parsing with libcst cost ~30 ms a file)."""

from __future__ import annotations

import ast
import re

import libcst as cst

from archguard.analysis.parsing import parse_module
from archguard.rules.cst_tools import (
    ast_or_none,
    insert_statements,
    is_docstring,
    parsed_or_skipped,
    rebuilt,
)
from archguard.rules.fixing import FixOutput, FixRequest, text_lines

FUTURE_IMPORT = "from __future__ import annotations\n"


def add_future_import(request: FixRequest) -> FixOutput:
    """After the module docstring; the shebang, encoding line and leading comments stay in
    the module header above it."""
    return _future_on_text(request) or _future_with_libcst(request)


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _future_on_text(request: FixRequest) -> FixOutput | None:
    """The libcst fix's result, inserted on the text: after a docstring alone on its lines
    (with a blank line between them), else right above the first statement (its comments and
    blank lines stay above the import), and a blank line before the next statement when
    none separates them. None for any other shape (libcst decides)."""
    lines = text_lines(request.text)
    body = _leading_statements(request.text, lines)
    if not body:
        return None
    found = _NEWLINE.search(request.text)
    ending = found.group() if found else "\n"  # the file's own line ending
    first = body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
        isinstance(first.value.value, str)
    if docstring:
        if len(body) < 2 or first.end_lineno is None:
            return None
        end_line = lines[first.end_lineno - 1]
        tail = end_line.encode()[first.end_col_offset or 0:].decode(errors="replace").strip()
        if (tail and not tail.startswith("#")) or body[1].lineno == first.end_lineno:
            return None
        at = first.end_lineno  # the index of the line after the docstring
        following = lines[at] if at < len(lines) else ""
        separated = not following.strip() or following.lstrip().startswith("#")
        # a blank line after the docstring, and before the next statement
        insert = ending + FUTURE_IMPORT.rstrip("\n") + ending + ("" if separated else ending)
    else:
        decorators = getattr(first, "decorator_list", [])
        at = min([first.lineno, *(d.lineno for d in decorators)]) - 1
        if lines[at][:first.col_offset].strip():
            return None
        insert = FUTURE_IMPORT.rstrip("\n") + ending + ending
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        return None  # no line ending before the insertion point (a file without one)
    output = FixOutput()
    output.changes[request.path] = "".join(lines[:at]) + insert + "".join(lines[at:])
    return output


def _leading_statements(text: str, lines: list[str]) -> list[ast.stmt] | None:
    """The module's statements, or enough of them: the first lines parsed alone when they
    hold two statements (what is read of them, the first one whole and where the second
    starts, reads the same in the whole file: a statement cut short does not parse, and a
    block cut short keeps its first line), else the whole file (None: it does not parse).
    A finding of AG801 means the check parsed the whole file; most are big."""
    size = 64
    while size < len(lines):
        try:
            body = parse_module("".join(lines[:size])).body
        except (SyntaxError, ValueError):
            body = []
        if len(body) >= 2:
            return body
        size *= 4
    tree = ast_or_none(text)
    return tree.body if tree is not None else None


def _future_with_libcst(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parsed_or_skipped(request, output)
    if located is None:
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
    return a value and are neither generators, abstract nor overloads): on the text when
    its shape is simple (``style_fix_text``), else with libcst."""
    from archguard.rules.style_fix_text import annotate_on_text

    return annotate_on_text(request) or annotate_with_libcst(request)


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
