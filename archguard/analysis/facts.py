"""Per-file facts: what the project pass needs to know about a file without re-parsing it.

Facts are plain picklable data (they are cached per file content) and are a pure function of
the file's bytes, its path and the config. Names are resolved to absolute dotted names
through the file's imports (aliases and relative forms included), never by importing code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from archguard.analysis.astindex import child_nodes, flat
from archguard.analysis.parsing import python_lines


# The facts below are NamedTuples, not dataclasses: a 1,800-file project has ~100k of them,
# and a tuple is built (in the analysis) and unpickled (from the cache) twice as fast.
class Span(NamedTuple):
    """1-based line and character column (not the byte offset ``ast`` reports)."""

    line: int
    column: int
    end_line: int
    end_column: int


class ImportFact(NamedTuple):
    span: Span
    module: str  # the absolute module named by the statement ("" if it cannot be resolved)
    name: str | None  # the imported name of a from-import; None for ``import x.y``
    asname: str | None
    level: int  # > 0 for a relative import
    type_checking: bool  # inside ``if TYPE_CHECKING:``
    in_function: bool

    @property
    def target(self) -> str:
        """The absolute dotted name this import binds (a module or a name in one)."""
        if self.name is None:
            return self.module
        return f"{self.module}.{self.name}" if self.module else self.name

    @property
    def bound_name(self) -> str:
        if self.asname:
            return self.asname
        return self.name if self.name is not None else self.module.split(".")[0]


class ClassFact(NamedTuple):
    name: str
    qualname: str
    span: Span  # the ``class`` line
    bases: tuple[str, ...]  # resolved dotted names; unresolvable bases as written
    is_nested: bool
    is_dataclass: bool = False  # decorated @dataclass / @attrs.define (a value, not a role)


@dataclass(slots=True)
class FileFacts:
    path: str
    module: str  # dotted module name, e.g. cpv3.modules.users.service
    is_package_init: bool
    imports: list[ImportFact] = field(default_factory=list)
    symbols: dict[str, str] = field(default_factory=dict)  # module-level name -> dotted name
    classes: list[ClassFact] = field(default_factory=list)
    constants: dict[str, int] = field(default_factory=dict)  # str constant name -> line
    # ``pkg.mod.Name`` attribute chains whose head is bound by ``import pkg...``: resolved
    # dotted name and where it is used (attribute access to other modules' contents).
    module_refs: list[tuple[str, Span, bool]] = field(default_factory=list)
    # Module-level type aliases: name -> the resolved names its value stands for
    # (``X = NewType("X", AsyncSession)``, ``X = Annotated[AsyncSession, ...]``, ``X = Y``,
    # ``Base = declarative_base()`` -> the called factory).
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # rule-specific facts, by rule code
    scope: str = ""  # archguard.analysis.scope: "" (application), migration, generated, test


def module_name_for(path: str, source_root: str = "") -> tuple[str, bool]:
    """``cpv3/modules/users/service.py`` -> (``cpv3.modules.users.service``, False); the
    source root (``src`` in a src layout) is not part of the dotted name."""
    prefix = source_root.strip("/") + "/" if source_root.strip("/") else ""
    parts = path.removeprefix(prefix).removesuffix(".py").split("/")
    is_init = parts[-1] == "__init__"
    if is_init:
        parts = parts[:-1]
    return ".".join(parts), is_init


def resolve_relative(module: str, is_init: bool, level: int, target: str | None) -> str:
    """The absolute module of ``from <level dots><target> import ...`` in ``module``."""
    package = module.split(".") if is_init else module.split(".")[:-1]
    if level - 1 > len(package):
        return ""
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *(target.split(".") if target else [])])


class LineColumns:
    """Converts ``ast``'s UTF-8 byte offsets to character columns."""

    def __init__(self, text: str) -> None:
        self._lines = python_lines(text)

    def column(self, line: int, byte_offset: int) -> int:
        if 0 < line <= len(self._lines):
            text = self._lines[line - 1]
            if not text.isascii():
                return len(text.encode()[:byte_offset].decode(errors="ignore")) + 1
        return byte_offset + 1

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        return Span(
            line,
            self.column(line, getattr(node, "col_offset", 0)),
            end_line,
            self.column(end_line, getattr(node, "end_col_offset", None) or 0),
        )

    def header_span(self, node: ast.AST) -> Span:
        """The first line of a ``def``/``class`` statement (never its decorators)."""
        line = getattr(node, "lineno", 1)
        text = self.line_text(line)
        return Span(line, self.column(line, getattr(node, "col_offset", 0)), line,
                    len(text) + 1)

    def line_text(self, line: int) -> str:
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""


def is_type_checking_test(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


class _FactCollector(ast.NodeVisitor):
    def __init__(self, facts: FileFacts, columns: LineColumns) -> None:
        self.facts = facts
        self.columns = columns
        self.type_checking = False
        self.function_depth = 0
        self.class_stack: list[str] = []
        self.local_symbols: dict[str, str] = {}
        self.module_bindings: dict[str, str] = {}  # names bound by a plain ``import``

    def visit(self, node: ast.AST) -> None:
        """``NodeVisitor.visit`` with the handler looked up once per node class."""
        handler = _HANDLERS.get(node.__class__)
        if handler is None:
            name = "visit_" + node.__class__.__name__
            handler = _HANDLERS[node.__class__] = vars(_FactCollector).get(
                name, _FactCollector.generic_visit)
        handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in child_nodes(node):  # from the file's index: no re-reading of fields
            if isinstance(child, ast.expr):
                self._expression(child)
            else:
                self.visit(child)

    def _expression(self, expression: ast.expr) -> None:
        """Module references (``x.y.Z`` through ``import x``) in an expression: a flat scan
        of the indexed subtree, since an expression holds no statement. Only the longest
        chain counts (``x.y.Z``, not also ``x.y``). Nothing to find before a plain import."""
        bindings = self.module_bindings
        if not bindings:
            return
        nodes, ends, i = flat(expression)
        stop = ends[i]
        while i < stop:
            node = nodes[i]
            if node.__class__ is ast.Attribute:
                root = node.value  # type: ignore[attr-defined]
                while root.__class__ is ast.Attribute:
                    root = root.value
                if root.__class__ is ast.Name and root.id in bindings:
                    self._module_ref(node, bindings[root.id], root.id)
                    i = ends[i]
                    continue
            i += 1

    def _module_ref(self, node: ast.AST, bound: str, head: str) -> None:
        written = dotted_name(node)  # type: ignore[arg-type]
        assert written is not None  # a chain of attributes down to a Name
        target = bound + written[len(head):]
        self.facts.module_refs.append((target, self.columns.span(node), self.type_checking))

    # imports ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add_import(node, alias.name, None, alias.asname, 0)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            module = resolve_relative(
                self.facts.module, self.facts.is_package_init, node.level, node.module)
        for alias in node.names:
            self._add_import(node, module, alias.name, alias.asname, node.level)

    def _add_import(self, node: ast.stmt, module: str, name: str | None,
                    asname: str | None, level: int) -> None:
        fact = ImportFact(self.columns.span(node), module, name, asname, level,
                          self.type_checking, self.function_depth > 0)
        self.facts.imports.append(fact)
        if name == "*":
            return
        # ``import a.b`` binds ``a``; ``import a.b as c`` binds ``c`` to ``a.b``.
        bound = fact.target if (asname or name is not None) else fact.bound_name
        table = self.facts.symbols if self.function_depth == 0 else self.local_symbols
        table.setdefault(fact.bound_name, bound)
        if name is None:
            self.module_bindings.setdefault(fact.bound_name, bound)

    # scopes ----------------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        """An ``elif`` ladder is walked as a loop, not one recursion per branch (generated
        code has hundreds of branches)."""
        while True:
            if is_type_checking_test(node.test):
                previous, self.type_checking = self.type_checking, True
                for statement in node.body:
                    self.visit(statement)
                self.type_checking = previous
            else:
                self._expression(node.test)
                for statement in node.body:
                    self.visit(statement)
            if len(node.orelse) == 1 and node.orelse[0].__class__ is ast.If:
                node = node.orelse[0]  # type: ignore[assignment]
                continue
            for statement in node.orelse:
                self.visit(statement)
            return

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.function_depth == 0 and not self.class_stack:
            self.facts.symbols[node.name] = f"{self.facts.module}.{node.name}"
        self.function_depth += 1
        self.generic_visit(node)
        self.function_depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qualname = ".".join([self.facts.module, *self.class_stack, node.name])
        if self.function_depth == 0 and not self.class_stack:
            self.facts.symbols[node.name] = qualname
        self.facts.classes.append(ClassFact(
            node.name, qualname, self.columns.header_span(node), tuple(self._bases(node)),
            bool(self.class_stack) or self.function_depth > 0,
            any(is_dataclass_decorator(d) for d in node.decorator_list),
        ))
        self.class_stack.append(node.name)
        self.generic_visit(node)
        self.class_stack.pop()

    def _bases(self, node: ast.ClassDef) -> list[str]:
        names = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            names.append(dotted_name(target) or "")
        return names

    # module-level constants ------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        self._constant(node.targets, node.value, node.lineno)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._constant([node.target], node.value, node.lineno)
        self.generic_visit(node)

    def visit_TypeAlias(self, node: ast.AST) -> None:  # ``type X = ...`` (3.12)
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name) and not self.function_depth and not self.class_stack:
            self.facts.symbols.setdefault(name.id, f"{self.facts.module}.{name.id}")
            self._alias(name.id, getattr(node, "value"))

    def _constant(self, targets: list[ast.expr], value: ast.expr, line: int) -> None:
        if self.function_depth or self.class_stack:
            return
        for target in targets:
            if isinstance(target, ast.Name):
                self.facts.symbols.setdefault(target.id, f"{self.facts.module}.{target.id}")
                if is_string_expression(value):
                    self.facts.constants[target.id] = line
                else:
                    self._alias(target.id, value)

    def _alias(self, name: str, value: ast.expr) -> None:
        """Record what a module-level alias stands for, written (resolved later)."""
        written = alias_parts(value)
        if written:
            self.facts.aliases[name] = written


_HANDLERS: dict[type, Callable[[_FactCollector, Any], None]] = {}


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` as written, or None for anything that is not a Name/Attribute chain."""
    parts: list[str] = []
    while node.__class__ is ast.Attribute:  # parsed trees hold no subclasses of ast nodes
        parts.append(node.attr)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    if node.__class__ is not ast.Name:
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


DATACLASS_DECORATORS = ("dataclass", "define", "frozen", "mutable", "s", "attrs")


def is_dataclass_decorator(node: ast.expr) -> bool:
    """``@dataclass``, ``@dataclasses.dataclass(...)``, ``@attrs.define``, ``@attr.s``."""
    written = dotted_name(node.func if isinstance(node, ast.Call) else node) or ""
    parts = written.split(".")
    if len(parts) == 1:
        return parts[0] in ("dataclass", "define", "frozen")
    return parts[-1] in DATACLASS_DECORATORS and parts[0] in (
        "dataclasses", "attr", "attrs", "pydantic")


def alias_parts(value: ast.expr) -> tuple[str, ...]:
    """The names (as written) a module-level value aliases: ``T``, ``Annotated[T, ...]``'s
    ``T``, ``NewType("X", T)``'s ``T``, ``Optional[T]``, a called factory itself
    (``declarative_base()``). Empty for anything else."""
    if isinstance(value, ast.Call):
        name = dotted_name(value.func) or ""
        if name.rsplit(".", 1)[-1] == "NewType" and len(value.args) == 2:
            return alias_parts(value.args[1])
        return (name,) if name else ()
    if isinstance(value, ast.Subscript):
        head = dotted_name(value.value) or ""
        args = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
        if head.rsplit(".", 1)[-1] == "Annotated":
            return alias_parts(args[0])
        if head.rsplit(".", 1)[-1] in ("Optional", "Union"):
            return tuple(p for a in args for p in alias_parts(a))
        return ()
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr):
        return alias_parts(value.left) + alias_parts(value.right)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        try:
            return alias_parts(ast.parse(value.value, mode="eval").body)
        except SyntaxError:
            return ()
    name = dotted_name(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
    return (name,) if name else ()


def is_string_expression(node: ast.expr) -> bool:
    """A literal string, an f-string, or a concatenation/format built from literals."""
    while True:  # a loop: generated code chains thousands of ``+``
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str)
        if isinstance(node, ast.JoinedStr):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            node = node.left
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "format":
            node = node.func.value
        else:
            return False


class SymbolResolver:
    """Resolves names written in a file to absolute dotted names through its imports."""

    def __init__(self, symbols: dict[str, str], local: dict[str, str] | None = None) -> None:
        self.symbols = symbols
        self.local = local or {}

    def resolve(self, node: ast.expr) -> str | None:
        if node.__class__ is ast.Name:  # the common case, without building a string
            return self.symbols.get(node.id) or self.local.get(node.id)  # type: ignore[attr-defined]
        written = dotted_name(node)
        if written is None:
            return None
        return self.resolve_dotted(written)

    def resolve_dotted(self, written: str) -> str | None:
        head, _, rest = written.partition(".")
        target = self.symbols.get(head) or self.local.get(head)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target


def collect_facts(path: str, tree: ast.Module, columns: LineColumns, source_root: str = "",
                  ) -> tuple[FileFacts, SymbolResolver]:
    module, is_init = module_name_for(path, source_root)
    facts = FileFacts(path=path, module=module, is_package_init=is_init)
    collector = _FactCollector(facts, columns)
    collector.visit(tree)
    resolver = SymbolResolver(facts.symbols, collector.local_symbols)
    facts.classes = [
        ClassFact(c.name, c.qualname, c.span,
                  tuple(resolver.resolve_dotted(b) or b for b in c.bases), c.is_nested,
                  c.is_dataclass)
        for c in facts.classes
    ]
    facts.aliases = {name: tuple(resolver.resolve_dotted(w) or w for w in written)
                     for name, written in facts.aliases.items()}
    return facts, resolver
