"""What the fixes made on the text (``errors_fix_text``, ``schemas_fix_text``) share: ``ast``
positions as character offsets, the top-level layout libcst sees (statements sharing a line,
where the imports end), and the identifiers ``ast`` shows (each one a libcst ``Name``)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable

from archguard.rules.fix_trees import ast_or_none, plain_ast_or_none
from archguard.rules.fixing import FixOutput, FixRequest

_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Match,
             getattr(ast, "TryStar", ast.Try))
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_TYPE_PARAMETERS = tuple(getattr(ast, kind) for kind in ("TypeVar", "ParamSpec", "TypeVarTuple")
                         if hasattr(ast, kind))


class Unsure(Exception):
    """The text alone does not show what libcst would make."""


def on_text(fix: Callable[[FixRequest], FixOutput],
            ) -> Callable[[FixRequest], FixOutput | None]:
    """A text fix that returns None ("libcst must decide") where ``fix`` is ``Unsure``."""

    def run(request: FixRequest) -> FixOutput | None:
        try:
            return fix(request)
        except Unsure:
            return None

    run.__doc__ = "The libcst fix's result, or None when libcst must decide."
    return run


class Source:
    """Line starts and ``ast`` positions (UTF-8 byte columns) as character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + len(
            self.lines[line - 1].encode()[:column].decode(errors="replace"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        end_line, end_column = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        if end_line is None or end_column is None:
            raise Unsure
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(end_line, end_column))

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]


_EXCEPT_LINE = re.compile(r"^[ \t]*except\b", re.MULTILINE)


def parsed(text: str) -> tuple[ast.Module, set[int]]:
    """The file's ``ast`` tree, and the lines whose ``ast`` columns are not the text's:
    none for a plain parse; for a tree read through ``parse_module``'s PEP 758 shim
    (``except A, B:`` written ``except(A, B):``), every ``except`` line (libcst reads
    those files as they are)."""
    tree = plain_ast_or_none(text)
    if tree is not None:
        return tree, set()
    tree = ast_or_none(text)
    if tree is None:
        raise Unsure
    return tree, {text.count("\n", 0, match.start()) + 1
                  for match in _EXCEPT_LINE.finditer(text)}


def check_plain_text(text: str) -> None:
    """Only ``\\n`` line endings, no form feed, a final newline: libcst's layout is then
    the one the text shows."""
    if "\r" in text or "\f" in text or not text.endswith("\n"):
        raise Unsure


def check_one_statement_a_line(body: list[ast.stmt]) -> None:
    """Statements sharing a line are one libcst statement: not for the text."""
    for first, second in zip(body, body[1:]):
        if first_line(second) <= (first.end_lineno or first.lineno):
            raise Unsure


def is_compound(statement: ast.stmt) -> bool:
    return isinstance(statement, _COMPOUND)


def first_line(node: ast.AST) -> int:
    """The node's first line, a decorator's for a decorated definition (whose decorators
    are children above its ``def`` line)."""
    decorators = getattr(node, "decorator_list", None)
    line: int = node.lineno  # type: ignore[attr-defined]
    return min(line, *(d.lineno for d in decorators)) if decorators else line


def definitions_on(tree: ast.Module, lines: set[int], kinds: tuple[type, ...],
                   ) -> dict[int, ast.AST]:
    """Definition line -> the definition, for the ``kinds`` of definitions (classes,
    functions) on ``lines``; only the statements around those lines are entered (a
    definition is in no expression)."""
    found: dict[int, ast.AST] = {}
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, kinds) and node.lineno in lines:  # type: ignore[attr-defined]
            found[node.lineno] = node  # type: ignore[attr-defined]
        for child in ast.iter_child_nodes(node):
            end = getattr(child, "end_lineno", None)
            if not isinstance(child, ast.expr) and (end is None or any(
                    first_line(child) <= line <= end for line in lines)):
                todo.append(child)
    return found


def after_imports(body: list[ast.stmt], source: Source) -> int:
    """``cst_tools.after_imports`` on the ``ast`` statements."""
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.JoinedStr):
        raise Unsure  # a docstring for libcst when it concatenates
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
        isinstance(first.value.value, (str, bytes))
    index = 1 if docstring else 0
    for position, statement in enumerate(body):
        if isinstance(statement, _DEFINITIONS):
            break
        if isinstance(statement, (ast.Import, ast.ImportFrom)) or _is_type_checking(
                statement, source):
            index = position + 1
    return index


def _is_type_checking(statement: ast.stmt, source: Source) -> bool:
    if not isinstance(statement, ast.If):
        return False
    test = source.segment(statement.test)
    header = source.text[source.span(statement)[0]:source.span(statement.body[0])[0]]
    if ("TYPE_CHECKING" in test) != ("TYPE_CHECKING" in header):
        raise Unsure  # a comment (or parentheses) libcst counts in the test
    return "TYPE_CHECKING" in test


def tokens(code: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        raise Unsure from None


def identifiers(node: ast.AST) -> list[str]:
    """The identifiers a node writes itself (not its children's): each is a libcst
    ``Name`` of the file."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.keyword):
        return [node.arg] if node.arg else []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.alias):
        return [*node.name.split("."), *([node.asname] if node.asname else [])]
    if isinstance(node, ast.ImportFrom):
        return node.module.split(".") if node.module else []
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.ExceptHandler):
        return [node.name] if node.name else []
    if isinstance(node, (ast.MatchAs, ast.MatchStar)):
        return [node.name] if node.name else []
    if isinstance(node, ast.MatchMapping):
        return [node.rest] if node.rest else []
    if isinstance(node, ast.MatchClass):
        return list(node.kwd_attrs)
    if _TYPE_PARAMETERS and isinstance(node, _TYPE_PARAMETERS):
        return [node.name]  # type: ignore[attr-defined]
    return []


def check_insertion_point(body: list[ast.stmt], index: int, source: Source) -> None:
    """Statements inserted before ``body[index]`` land where libcst puts them: not in the
    module header (libcst's layout), not after a block whose trailing comments libcst
    keeps with the block."""
    if index == 0:
        raise Unsure
    before = body[index - 1]
    if is_compound(before) and (index == len(body) or any(
            line.strip() for line in source.lines[
                (before.end_lineno or 0):first_line(body[index]) - 1])):
        raise Unsure
