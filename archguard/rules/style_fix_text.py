"""AG802's fix (``style_fix.annotate_none_return``) made on the text: `` -> None`` right
after the parameters' closing parenthesis, which is where libcst's ``Annotation`` prints
(before the whitespace of the colon). The defs come from ``ast``, the parenthesis from the
tokens of the header; a file the text does not show plainly returns None and libcst
decides. tests/test_fix_records.py compares the two.
"""

from __future__ import annotations

import ast
import tokenize

from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.text_fix_tools import (
    Source, Unsure, check_plain_text, definitions_on, on_text, parsed,
)

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _annotate(request: FixRequest) -> FixOutput:
    text = request.text
    check_plain_text(text)
    tree, _ = parsed(text)  # a def line is never an except line the shim rewrote
    source = Source(text)
    defs = _defs_on(tree, {finding.line for finding in request.findings})
    targets = {line: node for line, node in defs.items() if node.returns is None}
    output = FixOutput()
    for finding in request.findings:
        if finding.line not in targets:
            output.skip(finding, "no unannotated function at this line")
    if targets:
        result = text
        for at in sorted((_after_parameters(node, source) for node in targets.values()),
                         reverse=True):
            result = result[:at] + " -> None" + result[at:]
        output.changes[request.path] = result
    return output


def _defs_on(tree: ast.Module, lines: set[int]) -> dict[int, ast.FunctionDef |
                                                         ast.AsyncFunctionDef]:
    """``def`` line -> the function, for the functions on ``lines``."""
    return definitions_on(tree, lines, _DEFS)  # type: ignore[return-value]


def _after_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, source: Source) -> int:
    """The offset just after the ``)`` that closes the parameters."""
    start = source.offset(node.lineno, node.col_offset)
    pieces = source.text[start:].split("\n")  # the header's lines, from ``def``/``async``
    rows = iter(piece + "\n" for piece in pieces)
    depth, opened = 0, False
    try:
        for token in tokenize.generate_tokens(lambda: next(rows, "")):
            if token.type != tokenize.OP:
                continue
            if token.string in "([{":
                opened = opened or (depth == 0 and token.string == "(")
                depth += 1
            elif token.string in ")]}":
                depth -= 1
                if depth == 0 and opened and token.string == ")":
                    row, column = token.end
                    return start + sum(len(piece) + 1 for piece in pieces[:row - 1]) + column
            elif token.string == ":" and depth == 0:
                break
    except (tokenize.TokenError, SyntaxError):
        pass
    raise Unsure


annotate_on_text = on_text(_annotate)
