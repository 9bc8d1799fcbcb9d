"""One walk per file: the nodes of the tree being analysed, in a flat list every rule shares.

``ast.walk`` is pure Python and every rule used to call it on the whole tree (and on each
function), so a file was walked a dozen times: most of a cold run. The engine now indexes
the tree once (``indexed``) and ``walk(node)`` returns the subtree of any node of that tree
as a slice of the index. Outside an indexed analysis, or for a node of another tree (a parsed
string annotation), it walks the node directly: same result, just slower.

Order: parents before children, children in field order (source order): a pre-order walk,
which makes every subtree a contiguous slice. ``ast.walk`` is breadth-first instead; only a
rule that takes the *first* match of a search could see the difference. Unlike ``ast.walk``,
the ``Load``/``Store``/``Del`` context markers are not listed (read ``node.ctx``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

_AST = ast.AST
T = TypeVar("T")


class NodeIndex:
    """Pre-order nodes of one tree; ``ends[i]`` is one past the last node under node ``i``,
    so the children of node ``i`` are ``i + 1``, then ``ends`` of that, and so on."""

    __slots__ = ("_by_type", "_groups", "ends", "memo", "nodes", "positions")

    def __init__(self, tree: ast.AST) -> None:
        self.nodes, self.ends, self._groups = _preorder(tree)  # (and the nodes by class)
        self.positions = {id(node): i for i, node in enumerate(self.nodes)}
        self.memo: dict[object, object] = {}  # per-file results derived from the tree
        self._by_type: dict[tuple[type, ...], list[ast.AST]] = {}

    def subtree(self, node: ast.AST) -> list[ast.AST] | None:
        i = self.positions.get(id(node))
        return None if i is None else self.nodes[i:self.ends[i]]

    def children(self, node: ast.AST) -> list[ast.AST] | None:
        i = self.positions.get(id(node))
        if i is None:
            return None
        nodes, ends = self.nodes, self.ends
        found = []
        child, stop = i + 1, ends[i]
        while child < stop:
            found.append(nodes[child])
            child = ends[child]
        return found

    def of_type(self, types: tuple[type, ...]) -> list[ast.AST]:
        found = self._by_type.get(types)
        if found is None:
            found = self._by_type[types] = self._gather(types)
        return found

    def _gather(self, types: tuple[type, ...]) -> list[ast.AST]:
        """The nodes of ``types`` in pre-order, from the nodes grouped by class (grouped by
        the walk: a scan with ``isinstance`` per rule and type was a tenth of a file's
        analysis)."""
        parts = [nodes for cls, nodes in self._groups.items() if issubclass(cls, types)]
        if len(parts) < 2:
            return parts[0] if parts else []
        positions = self.positions
        return sorted((n for part in parts for n in part), key=lambda n: positions[id(n)])


_current: ContextVar[NodeIndex | None] = ContextVar("archguard_node_index", default=None)


@contextmanager
def indexed(tree: ast.AST) -> Iterator[NodeIndex]:
    """Index ``tree`` for the rules that run inside the block (per thread/context)."""
    index = NodeIndex(tree)
    token = _current.set(index)
    try:
        yield index
    finally:
        _current.reset(token)


def walk(node: ast.AST) -> list[ast.AST]:
    """``node`` and every node below it, pre-order (see the module docstring)."""
    index = _current.get()
    found = index.subtree(node) if index is not None else None
    return found if found is not None else _preorder(node)[0]


def nodes_of(tree: ast.AST, *types: type) -> list[ast.AST]:
    """The nodes of the given types in the whole indexed ``tree`` (or under any node)."""
    index = _current.get()
    if index is not None and index.nodes and index.nodes[0] is tree:
        return index.of_type(types)
    return [n for n in walk(tree) if isinstance(n, types)]


def flat(node: ast.AST) -> tuple[list[ast.AST], list[int], int]:
    """(pre-order nodes, end positions, position of ``node``): ``node``'s subtree is
    ``nodes[start:ends[start]]``, and ``i = ends[i]`` skips the subtree of node ``i``."""
    index = _current.get()
    start = index.positions.get(id(node)) if index is not None else None
    if index is None or start is None:
        index, start = NodeIndex(node), 0
    return index.nodes, index.ends, start


def indexed_tree(tree: ast.AST) -> tuple[list[int], dict[int, int]]:
    """(end positions, position by ``id(node)``) of the nodes of ``tree``: the shared index
    when ``tree`` is the tree being analysed, else an index of its own."""
    index = _current.get()
    if index is None or not index.nodes or index.nodes[0] is not tree:
        index = NodeIndex(tree)
    return index.ends, index.positions


def enclosed(node: ast.AST, types: tuple[type, ...],
             ) -> list[tuple[ast.AST, tuple[ast.AST, ...]]]:
    """Every node of ``types`` below ``node``, pre-order, with the nodes of ``types`` between
    ``node`` and it (outermost first): classes with their enclosing classes, say. Only the
    nodes of ``types`` are looked at (the index groups the nodes by class)."""
    index = _current.get()
    start = index.positions.get(id(node)) if index is not None else None
    if index is None or start is None:
        index, start = NodeIndex(node), 0
    positions, ends = index.positions, index.ends
    stop = ends[start]
    found: list[tuple[ast.AST, tuple[ast.AST, ...]]] = []
    opened: list[tuple[int, ast.AST]] = []  # (end position, node) of the enclosing matches
    for current in index.of_type(types):
        i = positions[id(current)]
        if i <= start or i >= stop:
            continue
        while opened and opened[-1][0] <= i:
            opened.pop()
        found.append((current, tuple(outer for _, outer in opened)))
        opened.append((ends[i], current))
    return found


def per_file(key: object, compute: Callable[[], T]) -> T:
    """``compute()`` once per analysed file (for helpers several rules call with the same
    arguments); computed afresh outside an indexed analysis."""
    index = _current.get()
    if index is None:
        return compute()
    if key not in index.memo:
        index.memo[key] = compute()
    return index.memo[key]  # type: ignore[return-value]


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """Like ``ast.iter_child_nodes``, as a list."""
    index = _current.get()
    found = index.children(node) if index is not None else None
    return found if found is not None else _children(node)


# Fields that never hold a node (names, flags, numbers) are not looked at, nor ``ctx``: the
# Load/Store/Del markers are shared singletons without a position (read ``node.ctx``).
_SKIPPED_FIELDS = frozenset({"ctx", "id", "attr", "asname", "arg", "module", "level",
                             "simple", "is_async", "conversion", "type_comment", "kind"})
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_REVERSED_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    fields = _NODE_FIELDS.get(cls)
    if fields is None:
        fields = _NODE_FIELDS[cls] = tuple(
            name for name in cls._fields  # type: ignore[attr-defined]
            if name not in _SKIPPED_FIELDS and not (cls is ast.Constant and name == "value"))
    return fields


def _reversed_fields(cls: type) -> tuple[str, ...]:
    fields = _REVERSED_FIELDS[cls] = tuple(reversed(_node_fields(cls)))
    return fields


def _children(node: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    for name in _node_fields(node.__class__):
        value = getattr(node, name, None)
        if value.__class__ is list:
            out.extend(item for item in value if isinstance(item, _AST))
        elif isinstance(value, _AST):
            out.append(value)
    return out


def _preorder(tree: ast.AST,
              ) -> tuple[list[ast.AST], list[int], dict[type, list[ast.AST]]]:
    """(nodes, ends, nodes by class) in pre-order; the hottest loop of a cold run. Children
    are pushed in reverse so they pop in field order; an int on the stack is the position of
    a node whose subtree is complete when it pops (pushed only for nodes that have
    children)."""
    nodes: list[ast.AST] = []
    ends: list[int] = []
    groups: dict[type, list[ast.AST]] = {}
    stack: list[ast.AST | int] = [tree]
    fields_of = _REVERSED_FIELDS
    while stack:
        node = stack.pop()
        cls = node.__class__
        if cls is int:
            ends[node] = len(nodes)  # type: ignore[index]
            continue
        position = len(nodes)
        nodes.append(node)  # type: ignore[arg-type]
        ends.append(position + 1)
        group = groups.get(cls)
        if group is None:
            groups[cls] = [node]  # type: ignore[list-item]
        else:
            group.append(node)  # type: ignore[arg-type]
        mark = len(stack)
        stack.append(position)
        fields = fields_of.get(cls)
        if fields is None:  # (an empty tuple is a valid entry: Name, Constant, operators)
            fields = _reversed_fields(cls)
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in reversed(value):
                    if isinstance(item, _AST):
                        stack.append(item)
            elif isinstance(value, _AST):
                stack.append(value)
        if len(stack) == mark + 1:  # a leaf: its end is already right
            stack.pop()
    return nodes, ends, groups
