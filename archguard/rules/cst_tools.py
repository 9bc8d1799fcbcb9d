"""libcst helpers shared by the rules' fixes: parse, find a node by the line a finding
names, insert statements after the imports. Imported only when something is fixed."""

from __future__ import annotations

import ast
import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from archguard.analysis.parsing import python_lines
from archguard.rules.fix_trees import ast_or_none

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
        tree = ast_or_none(self.text)
        found = [node for node in walk(self.module) if isinstance(node, kind)]
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
    # a string's pieces and inner strings are not separate literals
    found: list[cst.BaseExpression] = [
        node for node in walk(located.module, STRING_NODES)  # type: ignore[misc]
        if isinstance(node, STRING_NODES)]
    tree = ast_or_none(located.text)
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
    return {node.value for node in walk(module) if isinstance(node, cst.Name)}


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


# --- walking and rebuilding without libcst's visitors ------------------------------------
# A libcst visit rebuilds (and validates) every node of the tree, even for a read-only
# visitor: it was most of the JSON/SARIF fix records' time. ``walk`` reads the same nodes
# in the same order from the fields; ``rebuilt`` rebuilds only the ancestors of the nodes
# it changes. Both give what the visitors gave (tests/test_cst_walk.py compares them).

def walk(node: cst.CSTNode, prune: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
    """``node`` and every node under it in libcst's visiting order (source order); the
    children of a ``prune`` kind are not entered."""
    flat = _flattened(node)
    nodes, ends = flat.nodes, flat.ends
    index, size = 0, len(nodes)
    while index < size:
        current = nodes[index]
        yield current
        index = ends[index] if prune and isinstance(current, prune) else index + 1


def rebuilt(module: cst.Module, changes: Mapping[int, Callable[[cst.CSTNode], cst.CSTNode]],
            ) -> cst.Module:
    """What a ``CSTTransformer`` whose ``on_leave`` returns ``changes[id(original)](updated)``
    for those nodes (and ``updated`` for the rest) makes of ``module``: only the changed
    nodes and their ancestors are built again. A change may return ``RemoveFromParent()``
    for an item of a sequence (a statement of a body, a name of an import)."""
    if not changes:
        return module
    flat = _flattened(module)
    ancestors: set[int] = set()
    for index, node in enumerate(flat.nodes):
        if id(node) in changes:
            parent = flat.parents[index]
            while parent >= 0 and id(flat.nodes[parent]) not in ancestors:
                ancestors.add(id(flat.nodes[parent]))
                parent = flat.parents[parent]
    return _rebuild(module, changes, ancestors)  # type: ignore[return-value]


def _rebuild(node: cst.CSTNode, changes: Mapping[int, Callable[[cst.CSTNode], cst.CSTNode]],
             ancestors: set[int]) -> cst.CSTNode:
    updated = node
    if id(node) in ancestors:
        fields: dict[str, object] = {}
        for name in _child_fields(node):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                if id(value) in ancestors or id(value) in changes:
                    fields[name] = _checked(_rebuild(value, changes, ancestors), name)
            elif isinstance(value, (tuple, list)) and any(
                    id(v) in ancestors or id(v) in changes for v in value):
                items = (_rebuild(v, changes, ancestors) if isinstance(v, cst.CSTNode) else v
                         for v in value)  # a sequence drops a removed item, as a visit does
                fields[name] = tuple(v for v in items if not isinstance(v, cst.RemovalSentinel))
        updated = node.with_changes(**fields)
    change = changes.get(id(node))
    return change(updated) if change is not None else updated


def _checked(node: cst.CSTNode | cst.RemovalSentinel, name: str) -> cst.CSTNode:
    if isinstance(node, cst.RemovalSentinel):
        raise TypeError(f"a {name} cannot be removed from its parent")
    return node


@dataclasses.dataclass
class _Flat:
    """A tree's nodes in visiting order, each node's parent (its index; -1 for the root)
    and the index just past its subtree."""

    root: cst.CSTNode
    nodes: list[cst.CSTNode]
    parents: list[int]
    ends: list[int]


_FLAT: list[_Flat] = []  # the last few trees flattened (a file's fixes walk its tree often)


def _flattened(root: cst.CSTNode) -> _Flat:
    for flat in _FLAT:
        if flat.root is root:
            return flat
    nodes: list[cst.CSTNode] = []
    parents: list[int] = []
    ends: list[int] = []
    todo: list[tuple[cst.CSTNode | None, int]] = [(root, -1)]
    while todo:
        node, parent = todo.pop()
        if node is None:  # the end of the subtree of ``parent``
            ends[parent] = len(nodes)
            continue
        index = len(nodes)
        nodes.append(node)
        parents.append(parent)
        ends.append(index + 1)
        children = _children(node)
        if children:
            todo.append((None, index))
            todo.extend((child, index) for child in reversed(children))
    flat = _Flat(root, nodes, parents, ends)
    _FLAT.insert(0, flat)
    del _FLAT[4:]
    return flat


_NODE_KINDS: dict[type, bool] = {}  # type -> is a CSTNode (isinstance on its ABC is slow)


def _is_node(value: object) -> bool:
    kind = type(value)
    known = _NODE_KINDS.get(kind)
    if known is None:
        known = _NODE_KINDS[kind] = issubclass(kind, cst.CSTNode)
    return known


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    children: list[cst.CSTNode] = []
    for name in _child_fields(node):
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            children.extend(v for v in value if _is_node(v))
        elif _is_node(value):
            children.append(value)
    return children


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields of the node's kind in the order libcst visits them, learnt from libcst
    itself on the first node of the kind; a field it skipped on that node (``format_spec``
    of an f-string field without one, the only such field) is visited last."""
    order = _FIELDS.get(type(node))
    if order is None:
        order = _FIELDS[type(node)] = _learn(node)
    return order


class _FieldOrder(cst.CSTVisitor):
    """Records the fields a node's ``_visit_and_replace_children`` visits, in order."""

    def __init__(self, node: cst.CSTNode) -> None:
        super().__init__()
        self.node = node
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False  # one level: the children are not entered

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.node:
            self.fields.append(attribute)


def _learn(node: cst.CSTNode) -> tuple[str, ...]:
    recorder = _FieldOrder(node)
    node._visit_and_replace_children(recorder)  # noqa: SLF001 (libcst's own visiting order)
    seen = list(dict.fromkeys(recorder.fields))
    fields = dataclasses.fields(node)  # type: ignore[arg-type]
    rest = [f.name for f in fields if f.name not in seen]
    return tuple(seen + rest)
