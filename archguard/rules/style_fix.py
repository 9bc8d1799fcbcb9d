"""Fixes of AG801 (add the future import) and AG802 (``-> None``): on the text for the usual
shapes (the same result as libcst's; parsing with libcst cost ~30 ms a file), else with
libcst (``style_fix_cst``), imported only then (about 0.1 s)."""

from __future__ import annotations

import ast
import re

from archguard.analysis.parsing import parse_module
from archguard.rules.fix_trees import ast_or_none
from archguard.rules.fixing import FixOutput, FixRequest, text_lines

FUTURE_IMPORT = "from __future__ import annotations\n"


def add_future_import(request: FixRequest) -> FixOutput:
    """After the module docstring; the shebang, encoding line and leading comments stay in
    the module header above it."""
    found = _future_on_text(request)
    if found is not None:
        return found
    from archguard.rules.style_fix_cst import future_with_libcst

    return future_with_libcst(request)


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


def annotate_none_return(request: FixRequest) -> FixOutput:
    """``-> None`` on the functions the findings name (detection decided that they never
    return a value and are neither generators, abstract nor overloads): on the text when
    its shape is simple (``style_fix_text``), else with libcst."""
    from archguard.rules.style_fix_text import annotate_on_text

    found = annotate_on_text(request)
    if found is not None:
        return found
    from archguard.rules.style_fix_cst import annotate_with_libcst

    return annotate_with_libcst(request)
