"""libcst helpers shared by the rules' fixes: parse, find a node by the line a finding
names, insert statements after the imports. Imported only when something is fixed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


class Located:
    """A parsed module with the start line of every node (libcst's PositionProvider)."""

    def __init__(self, text: str) -> None:
        self.wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        self.module = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def start_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and column, as archguard reports them."""
        start = self.positions[node].start
        return start.line, start.column + 1

    def nodes(self, kind: type[cst.CSTNode]) -> Iterator[cst.CSTNode]:
        return (node for node in self.positions if isinstance(node, kind))


def parse_or_none(text: str) -> Located | None:
    try:
        return Located(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


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
                None and dotted(small.module) == source and isinstance(small.names, tuple):
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
