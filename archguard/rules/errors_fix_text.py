"""AG501's fix (``errors_fix.hoist_messages``) made on the text, for the usual shape of a
file: parsing the whole file with libcst was most of a cold JSON/SARIF report's time.

The file's structure (where the constants go, the existing ``ERROR_*`` constants, the
names taken) comes from ``ast``; each message is parsed alone with libcst, so its constant
text, ``.format`` arguments and name are the ones the libcst fix makes. Any shape whose
libcst result is not evident from that (a line ending other than ``\\n``, statements sharing
a line, a comment in the message's own parentheses, a compound statement before the
constants, a name of the file that ``ast`` does not show...) returns None and libcst
decides, for the whole file. tests/test_fix_records.py compares the two on every shape.
"""

from __future__ import annotations

import ast
import re
import tokenize

import libcst as cst

from archguard.rules.errors import ERROR_PREFIX
from archguard.rules.errors_fix import Hoisted, constant_for, constant_text, function_lines
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.text_fix_tools import (
    Source,
    Unsure,
    after_imports,
    check_insertion_point,
    check_one_statement_a_line,
    check_plain_text,
    first_line,
    identifiers,
    on_text,
    parsed,
    tokens,
)

_ERROR_NAME = re.compile(rf"\b{ERROR_PREFIX}\w*")
_EMPTY = cst.Module([])


def _hoist(request: FixRequest) -> FixOutput:
    text = request.text
    check_plain_text(text)
    tree, shimmed = parsed(text)
    if not tree.body:
        raise Unsure
    source = Source(text)
    body = tree.body
    check_one_statement_a_line(body)
    index = after_imports(body, source)
    while index < len(body) and _is_constant(body[index]):
        index += 1
    check_insertion_point(body, index, source)
    before = body[index - 1]
    first_deferred_line = first_line(body[index]) if index < len(body) else 10**9
    existing = _existing_constants(body, source)
    taken = _error_names(tree, text)
    strings, first_arguments, statements = _strings(
        tree, source, {finding.line for finding in request.findings})
    functions: list[tuple[int, int]] | None = None  # only for a message above the constants
    output = FixOutput()
    hoisted: dict[str, Hoisted] = {}
    replacements: dict[int, tuple[int, str]] = {}  # start -> (end, new text)
    for finding in request.findings:
        node = strings.get((finding.line, finding.column))
        if node is None:
            output.skip(finding, "the message is not a string literal libcst can find")
            continue
        call = first_arguments.get(id(node))
        if shimmed and (node.lineno in shimmed or (call is not None and any(
                line in shimmed for line in range(call.lineno, node.lineno + 1)))):
            raise Unsure  # its columns (or its call's) are the shim's
        start, end = source.span(node)
        replaced = _replaced_span(text, start, end, call, source)
        if finding.line < first_deferred_line:
            functions = function_lines(tree) if functions is None else functions
            if not any(begin < finding.line <= last for begin, last in functions):
                output.skip(finding, "the message is used above where the constants go")
                continue
        literal = _at_top_level(text[start:end], source, statements[id(node)])
        converted = constant_text(_EMPTY, _parsed_alone(literal))
        if converted is None:
            output.skip(finding, "the f-string has nested or self-documenting fields")
            continue
        value, arguments, words = converted
        constant = constant_for(value, words, hoisted, existing, taken)
        replacement = constant.name
        if arguments:
            replacement = f"{constant.name}.format({', '.join(arguments)})"
        replacements[replaced[0]] = (replaced[1], replacement)
    if not replacements:
        return output
    edits = sorted(replacements.items())
    new = [h for h in hoisted.values() if h.is_new]
    if new:  # insert_statements: a blank line around the block unless its neighbours have
        block = "".join(f"{h.name} = {h.value}\n" for h in new)
        if not _is_constant(before):
            block = "\n" + block
        if index < len(body) and first_line(body[index]) == (before.end_lineno or 0) + 1:
            block += "\n"
        at = source.line_starts[before.end_lineno or 0]
        edits.append((at, (at, block)))
    result = text
    for start, (end, content) in sorted(edits, reverse=True):
        result = result[:start] + content + result[end:]
    output.changes[request.path] = result
    return output


def _is_constant(statement: ast.stmt) -> bool:
    """``cst_tools.is_constant``: ``NAME = ...`` or ``NAME: T = ...``, NAME upper case."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
    elif isinstance(statement, ast.AnnAssign):
        target = statement.target
    else:
        return False
    return isinstance(target, ast.Name) and target.id.isupper()


def _existing_constants(body: list[ast.stmt], source: Source) -> dict[str, str]:
    """``errors_fix.existing_constants``: a one-literal string value -> its ERROR_ name."""
    found: dict[str, str] = {}
    for statement in body:
        if not _is_constant(statement):
            continue
        assert isinstance(statement, (ast.Assign, ast.AnnAssign))
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        value = statement.value
        if not isinstance(value, ast.Constant) or not isinstance(value.value, (str, bytes)) or \
                not isinstance(target, ast.Name) or not target.id.startswith(ERROR_PREFIX):
            continue
        literal = source.segment(value)
        if _one_literal(literal):
            found.setdefault(literal, target.id)
    return found


def _one_literal(segment: str) -> bool:
    """One string token (libcst's SimpleString), not an implicit concatenation."""
    found = [t for t in tokens(segment)
             if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)]
    return len(found) == 1 and found[0].type == tokenize.STRING


def _error_names(tree: ast.Module, text: str) -> set[str]:
    """The ``ERROR_*`` names of the file (the others never clash with a new constant). The
    names ``ast`` shows are among libcst's ``Name`` nodes, and those all occur in the text:
    when the two agree, they are libcst's."""
    in_text = set(_ERROR_NAME.findall(text))
    if not in_text:
        return set()
    in_tree: set[str] = set()
    for node in ast.walk(tree):
        for name in identifiers(node):
            if name.startswith(ERROR_PREFIX):
                in_tree.add(name)
    if in_tree != in_text:
        raise Unsure  # one in a string or comment: libcst's names decide
    return in_tree


def _strings(tree: ast.Module, source: Source, lines: set[int],
             ) -> tuple[dict[tuple[int, int], ast.expr], dict[int, ast.Call],
                        dict[int, ast.stmt | None]]:
    """``cst_tools.string_starts`` on ``ast`` alone, for the literals that start on
    ``lines`` (the findings'): (line, column) -> each literal that is not part of another;
    each literal that is a call's first argument -> the call; each literal -> the innermost
    statement around it. A node whose lines hold none of ``lines`` is not entered."""
    found: dict[tuple[int, int], ast.expr] = {}
    first_arguments: dict[int, ast.Call] = {}
    statements: dict[int, ast.stmt | None] = {}
    todo: list[tuple[ast.AST, ast.stmt | None]] = [(tree, None)]
    while todo:
        node, statement = todo.pop()
        end = getattr(node, "end_lineno", None)
        if end is not None:
            start = first_line(node)
            if not any(start <= line <= end for line in lines):
                continue
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and
                                               isinstance(node.value, (str, bytes))):
            line = source.lines[node.lineno - 1] if node.lineno <= len(source.lines) else ""
            found[(node.lineno, len(line.encode()[:node.col_offset].decode(
                errors="replace")) + 1)] = node
            statements[id(node)] = statement
            continue
        if isinstance(node, ast.Call) and node.args:
            first_arguments[id(node.args[0])] = node
        inner = node if isinstance(node, ast.stmt) else statement
        todo.extend((child, inner) for child in ast.iter_child_nodes(node))
    return found, first_arguments, statements


def _at_top_level(literal: str, source: Source, statement: ast.stmt | None) -> str:
    """The literal as libcst prints it at the top level: a line that continues it between
    tokens loses the indentation of its block (libcst keeps only the rest); the lines
    inside a string token keep theirs."""
    if "\n" not in literal:
        return literal
    if statement is None:
        raise Unsure
    found = tokens(f"({literal})")
    if any(token.type == tokenize.STRING and "\n" in token.string and "f" in
           token.string[:3].lower() for token in found):
        raise Unsure  # an f-string over lines: libcst reads its fields' whitespace
    first = source.lines[statement.lineno - 1]
    indent = first[:len(first) - len(first.lstrip(" \t"))]
    lines = f"({literal})".split("\n")
    for row in {token.start[0] for token in found if token.type == tokenize.NL}:
        if row < len(lines) and lines[row].startswith(indent):
            lines[row] = lines[row][len(indent):]
    return "\n".join(lines)[1:-1]


def _replaced_span(text: str, start: int, end: int, call: ast.Call | None,
                   source: Source) -> tuple[int, int]:
    """What libcst replaces of the literal at ``text[start:end]``: the literal with the
    parentheses of its own (``detail=("..." "...")``; not a call's); no word may touch it
    (libcst refuses ``return"..."`` made ``returnERROR_X``)."""
    while True:
        if (start > 0 and _is_word(text[start - 1])) or (
                end < len(text) and _is_word(text[end])):
            raise Unsure
        before = start - 1
        while before >= 0 and text[before] in " \t\n\\":
            before -= 1
        if before < 0:
            return start, end
        if text[before] != "(":
            line_start = text.rfind("\n", 0, before) + 1
            if "#" in text[line_start:before + 1]:
                raise Unsure  # it may end a comment, with a parenthesis before it
            return start, end
        if call is not None and text[source.span(call.func)[1]:start].strip() == "(":
            return start, end  # the call's own parenthesis
        after = end
        while after < len(text) and text[after] in " \t\n\\":
            after += 1
        if after == len(text) or text[after] != ")":
            raise Unsure  # a comment between, or a parenthesis that is not its own
        start, end = before, after + 1


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def _parsed_alone(literal: str) -> cst.BaseExpression:
    """The literal as libcst parses it in the file (in parentheses, so it may span lines;
    they are not the literal's own)."""
    try:
        node = cst.parse_expression(f"({literal})")
    except cst.ParserSyntaxError:
        raise Unsure from None
    if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        raise Unsure
    return node.with_changes(lpar=(), rpar=())


hoist_on_text = on_text(_hoist)
