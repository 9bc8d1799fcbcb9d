"""libcst helpers shared by the rules' fixes: parse, find a node by the line a finding
names, insert statements after the imports. Imported only when something is fixed."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from archguard.analysis.parsing import parse_module, python_lines

if TYPE_CHECKING:
    from archguard.rules.fixing import FixOutput, FixRequest


class Located:
    """A parsed module, and where its nodes start.

    libcst's PositionProvider costs about twice the parse (it generates the code while it
    counts), so it is only resolved on demand; ``starts`` finds statements, calls and defs
    for the price of an ``ast`` parse instead, pairing the nodes of one kind in source order.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.module = cst.parse_module(text)
        self._wrapper: MetadataWrapper | None = None
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self._starts: dict[type[cst.CSTNode], dict[tuple[int, int], cst.CSTNode]] = {}

    @property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._positions is None:
            self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = self._wrapper.resolve(PositionProvider)
        return self._positions

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def start_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and column, as archguard reports them."""
        start = self.positions[node].start
        return start.line, start.column + 1

    def nodes(self, kind: type[cst.CSTNode]) -> Iterator[cst.CSTNode]:
        return (node for node in self.positions if isinstance(node, kind))

    def starts(self, kind: type[cst.CSTNode], ast_kinds: tuple[type[ast.AST], ...],
               ) -> dict[tuple[int, int], cst.CSTNode]:
        """(line, column) as archguard reports them -> the node of ``kind`` there; the
        ``def``/``class`` line for definitions (never a decorator's)."""
        if kind not in self._starts:
            self._starts[kind] = self._find_starts(kind, ast_kinds)
        return self._starts[kind]

    def _find_starts(self, kind: type[cst.CSTNode], ast_kinds: tuple[type[ast.AST], ...],
                     ) -> dict[tuple[int, int], cst.CSTNode]:
        try:
            tree = parse_module(self.text)
        except (SyntaxError, ValueError):
            tree = None
        found: list[cst.CSTNode] = []

        class Collect(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                if isinstance(node, kind):
                    found.append(node)
                return True

        self.module.visit(Collect())
        located = _ast_starts(tree, ast_kinds, self.text) if tree is not None else None
        if located is None or len(located) != len(found):  # never pair nodes wrongly
            return {self.start_of(node) if not isinstance(node, (
                cst.FunctionDef, cst.ClassDef)) else (self.line_of(node.name), 0): node
                for node in self.nodes(kind)}
        return {start: node for start, node in zip(located, found)}


STRING_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


def string_starts(located: Located) -> dict[tuple[int, int], cst.BaseExpression]:
    """(line, column) as archguard reports a string expression -> its libcst node: every
    literal that is not part of another (a concatenation's pieces, strings inside an
    f-string) pairs in source order with ``ast``'s ``Constant``/``JoinedStr`` outside any
    ``JoinedStr``. Positions from libcst's metadata when the two do not pair up."""
    found: list[cst.BaseExpression] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, STRING_NODES):
                found.append(node)  # type: ignore[arg-type]
                return False  # its pieces and inner strings are not separate literals
            return True

    located.module.visit(Collect())
    try:
        tree: ast.Module | None = parse_module(located.text)
    except (SyntaxError, ValueError):
        tree = None
    starts: list[tuple[int, int]] = []
    if tree is not None:
        lines = python_lines(located.text)
        todo: list[ast.AST] = [tree]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and
                                                   isinstance(node.value, (str, bytes))):
                line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
                starts.append((node.lineno, len(line.encode()[:node.col_offset].decode(
                    errors="replace")) + 1))
                continue  # an f-string's pieces are not literals of their own
            todo.extend(ast.iter_child_nodes(node))
    starts.sort()
    if tree is None or len(starts) != len(found):
        return {located.start_of(node): node for node in found}
    return dict(zip(starts, found))


def _ast_starts(tree: ast.Module, kinds: tuple[type[ast.AST], ...], text: str,
                ) -> list[tuple[int, int]] | None:
    """Starts of the ``kinds`` nodes in source order (an outer node before an inner one
    that starts at the same place); definitions by their line alone (column 0)."""
    lines = python_lines(text)
    found: list[tuple[int, int, int]] = []
    todo: list[tuple[ast.AST, int]] = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, kinds):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append((node.lineno, 0, depth))
            else:
                line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
                column = len(line.encode()[:node.col_offset].decode(errors="replace")) + 1
                found.append((node.lineno, column, depth))
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    found.sort()
    return [(line, column) for line, column, _ in found]


@functools.lru_cache(maxsize=8)
def parse_or_none(text: str) -> Located | None:
    """The file parsed, or None. Memoised: the fixes of several findings of one file (each
    computed alone for the JSON format) share one parse; the trees are immutable."""
    try:
        return Located(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


def parsed_or_skipped(request: FixRequest, output: FixOutput) -> Located | None:
    """The request's file parsed; None after marking every finding skipped when libcst
    cannot parse it (the finding stays, saying why)."""
    located = parse_or_none(request.text)
    if located is None:
        for finding in request.findings:
            output.skip(finding, "libcst cannot parse the file")
    return located


def is_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def is_docstring(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
        isinstance(statement.body[0], cst.Expr) and isinstance(
            statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


def is_type_checking_block(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.If) and "TYPE_CHECKING" in cst.Module([]).code_for_node(
        statement.test)


def after_imports(body: Sequence[cst.CSTNode]) -> int:
    """The body index just after the last top-level import (or the docstring, or 0),
    counting only statements before the first def or class."""
    index = 1 if body and is_docstring(body[0]) else 0
    for position, statement in enumerate(body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break
        if is_import(statement) or is_type_checking_block(statement):
            index = position + 1
    return index


def bound_names(module: cst.Module) -> set[str]:
    """Every name written anywhere in the file (a new name must be none of them)."""
    names: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(Collect())
    return names


def import_statement(module: str, name: str) -> cst.SimpleStatementLine:
    return cst.parse_statement(f"from {module} import {name}\n")  # type: ignore[return-value]


def imported_as(module: cst.Module, source: str, name: str) -> str | None:
    """The local name under which ``from source import name`` binds ``name`` (top level)."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not small.relative and \
                    small.module is not None and dotted(small.module) == source and \
                    not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if dotted(alias.name) == name:
                        return alias.evaluated_alias or name
    return None


def dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


def add_import(module: cst.Module, source: str, name: str) -> tuple[cst.Module, str] | None:
    """``from source import name`` added after the imports (unless there): the module and
    the local name to use, or None when ``name`` already means something else here."""
    local = imported_as(module, source, name)
    if local is not None:
        return module, local
    if name in bound_names(module):
        return None
    body = list(module.body)
    for position, statement in enumerate(body):  # join an existing ``from source import``
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not \
                None and dotted(small.module) == source and \
                not isinstance(small.names, cst.ImportStar):
            names = list(small.names)
            last = names[-1]
            if isinstance(last.comma, cst.MaybeSentinel):
                names[-1] = last.with_changes(comma=cst.Comma(
                    whitespace_after=cst.SimpleWhitespace(" ")))
                names.append(cst.ImportAlias(cst.Name(name)))
            else:  # a trailing comma (one name a line): keep the style
                if len(names) > 1:
                    names[-1] = last.with_changes(comma=names[-2].comma)
                names.append(cst.ImportAlias(cst.Name(name), comma=last.comma))
            body[position] = statement.with_changes(body=[small.with_changes(names=names)])
            return module.with_changes(body=body), name
    index = after_imports(body)
    return module.with_changes(body=insert_statements(body, index, [
        import_statement(source, name)])), name


def insert_statements(body: list[cst.CSTNode], index: int,
                      statements: Sequence[cst.SimpleStatementLine]) -> list[cst.CSTNode]:
    """``statements`` inserted at ``index`` as one block: right under imports or constants
    of their kind, one blank line after a docstring or other code, and at least one blank
    line before what follows (unless it is of the same kind)."""
    if not statements:
        return body
    block = list(statements)
    before = body[index - 1] if index > 0 else None
    same_kind = before is not None and _kind(before) == _kind(block[0])
    if before is not None and not same_kind:
        block[0] = block[0].with_changes(leading_lines=(cst.EmptyLine(),))
    if index < len(body):
        after = body[index]
        if not after.leading_lines and _kind(after) != _kind(block[-1]):
            body = [*body[:index], after.with_changes(leading_lines=(cst.EmptyLine(),)),
                    *body[index + 1:]]
    return [*body[:index], *block, *body[index:]]


def _kind(statement: cst.CSTNode) -> str:
    if is_import(statement):
        return "import"
    if is_constant(statement):
        return "constant"
    return "other"


def is_constant(statement: cst.CSTNode) -> bool:
    """``NAME = ...`` or ``NAME: T = ...`` with an UPPER_CASE name, at the top level."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AnnAssign):
        target = small.target
    else:
        return False
    return isinstance(target, cst.Name) and target.value.isupper()
