"""Fixes of AG501 (hoist an inline message into an ``ERROR_*`` constant) and AG502 (rename a
constant to its ``ERROR_`` name in every project file that uses it), with libcst."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from archguard.analysis.facts import module_name_for, resolve_relative
from archguard.diagnostics import Diagnostic
from archguard.rules.cst_tools import (
    Located,
    after_imports,
    bound_names,
    dotted,
    insert_statements,
    is_constant,
    parse_or_none,
    parsed_or_skipped,
    rebuilt,
    string_starts,
    walk,
)
from archguard.rules.errors import ERROR_PREFIX, error_constant_name
from archguard.rules.fix_trees import ast_or_none
from archguard.rules.fixing import FixOutput, FixRequest, module_path

STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
MAX_WORDS = 8


# --- AG501 -------------------------------------------------------------------------------

@dataclass
class Hoisted:
    name: str
    value: str  # the constant's source text
    is_new: bool


def hoist_messages(request: FixRequest) -> FixOutput:
    """Each message becomes ``ERROR_<WORDS> = "..."`` after the imports and the existing
    constants (a message already held by an ``ERROR_*`` constant reuses it; one constant
    per distinct message; a new name never clashes with a name of the file)."""
    from archguard.rules.errors_fix_text import hoist_on_text

    return hoist_on_text(request) or hoist_with_libcst(request)


def hoist_with_libcst(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parsed_or_skipped(request, output)
    if located is None:
        return output
    body = list(located.module.body)
    index = after_imports(body)
    while index < len(body) and is_constant(body[index]):
        index += 1
    first_deferred_line = _first_line(located, index)
    existing = _existing_constants(located.module)
    taken = bound_names(located.module)
    hoisted: dict[str, Hoisted] = {}
    replacements: dict[int, cst.BaseExpression] = {}
    strings = string_starts(located)
    functions = _function_lines(located) if request.findings else []
    for finding in request.findings:
        node = strings.get((finding.line, finding.column))
        if node is None:
            output.skip(finding, "the message is not a string literal libcst can find")
            continue
        if finding.line < first_deferred_line and not any(
                start < finding.line <= end for start, end in functions):
            output.skip(finding, "the message is used above where the constants go")
            continue
        converted = constant_text(located.module, node)
        if converted is None:
            output.skip(finding, "the f-string has nested or self-documenting fields")
            continue
        value, arguments, words = converted
        constant = constant_for(value, words, hoisted, existing, taken)
        replacement: cst.BaseExpression = cst.Name(constant.name)
        if arguments:
            replacement = cst.parse_expression(f"{constant.name}.format({', '.join(arguments)})")
        replacements[id(node)] = replacement
    if not replacements:
        return output

    module = rebuilt(located.module, {key: (lambda _, new=new: new)
                                      for key, new in replacements.items()})
    new = [cst.parse_statement(f"{h.name} = {h.value}\n") for h in hoisted.values() if h.is_new]
    body = insert_statements(list(module.body), index, new)  # type: ignore[arg-type]
    output.changes[request.path] = module.with_changes(body=body).code
    return output


def _first_line(located: Located, index: int) -> int:
    """The first line of the ``index``-th top-level statement (where the constants go; a
    decorator's line for a decorated def); above it, a module-level use would run before
    the constants exist."""
    module = located.module
    if index >= len(module.body):
        return 10**9
    before = "".join(module.code_for_node(s) for s in module.body[:index])
    return 1 + len(module.header) + before.count("\n") + len(module.body[index].leading_lines)


def _function_lines(located: Located) -> list[tuple[int, int]]:
    """(def line, last line) of every function, whose body runs later than the module;
    none when ``ast`` cannot read what libcst did (newer syntax): nothing is moved then."""
    tree = ast_or_none(located.text)
    return [] if tree is None else function_lines(tree)


def function_lines(tree: ast.AST) -> list[tuple[int, int]]:
    """(def line, last line) of every function and lambda of ``tree``."""
    return [(node.lineno, node.end_lineno or node.lineno) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]


def constant_text(module: cst.Module, node: cst.BaseExpression,
                   ) -> tuple[str, list[str], list[str]] | None:
    """(the constant's source, the ``.format`` arguments, the words to name it by); None
    for an f-string with nested or self-documenting (``{x=}``) fields."""
    if isinstance(node, cst.SimpleString):
        return node.value, [], _words(str(node.evaluated_value))
    parts = _parts(node)
    formatted = any(isinstance(part, cst.FormattedString) for part in parts)
    if not formatted:  # a plain implicit concatenation: kept as written, in parentheses
        code = module.code_for_node(node.with_changes(lpar=(), rpar=()))
        value = code if "\n" not in code else f"({code})"
        return value, [], _words(str(node.evaluated_value))  # type: ignore[attr-defined]
    literals: list[str] = []
    arguments: list[str] = []
    words: list[str] = []
    for part in parts:
        if isinstance(part, cst.SimpleString):  # its braces become literal braces of .format
            inner = part.raw_value.replace("{", "{{").replace("}", "}}")
            literals.append(f"{part.prefix}{part.quote}{inner}{part.quote}")
            words.append(str(part.evaluated_value))
            continue
        assert isinstance(part, cst.FormattedString)
        converted = _format_string(module, part)
        if converted is None:
            return None
        literals.append(converted[0])
        arguments.extend(converted[1])
        words.append(" ".join(p.value for p in part.parts
                              if isinstance(p, cst.FormattedStringText)))
    value = literals[0] if len(literals) == 1 else "(" + " ".join(literals) + ")"
    return value, arguments, _words(" ".join(words))


def _format_string(module: cst.Module, node: cst.FormattedString,
                   ) -> tuple[str, list[str]] | None:
    """``f"a {x!r:>5}"`` -> (``"a {!r:>5}"``, [``x``])."""
    pieces: list[str] = []
    arguments: list[str] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            pieces.append(part.value)
            continue
        assert isinstance(part, cst.FormattedStringExpression)
        if part.equal is not None or (part.format_spec and any(
                isinstance(p, cst.FormattedStringExpression) for p in part.format_spec)):
            return None
        spec = "".join(p.value for p in part.format_spec or ()
                       if isinstance(p, cst.FormattedStringText))
        conversion = f"!{part.conversion}" if part.conversion else ""
        pieces.append("{" + conversion + (f":{spec}" if part.format_spec else "") + "}")
        arguments.append(module.code_for_node(part.expression))
    prefix = node.prefix.replace("f", "").replace("F", "")
    return f"{prefix}{node.start[len(node.prefix):]}{''.join(pieces)}{node.end}", arguments


def _parts(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return [*_parts(node.left), *_parts(node.right)]
    return [node]


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text, re.ASCII)[:MAX_WORDS]


def constant_for(value: str, words: list[str], hoisted: dict[str, Hoisted],
                 existing: dict[str, str], taken: set[str]) -> Hoisted:
    """The constant a message becomes: one already hoisted in this fix, an existing
    ``ERROR_*`` constant with that value, or a new name (recorded in ``hoisted``/``taken``)."""
    constant = hoisted.get(value)
    if constant is None:
        name = existing.get(value) or new_name(words, taken)
        constant = hoisted[value] = Hoisted(name, value, value not in existing)
        taken.add(name)
    return constant


def new_name(words: list[str], taken: set[str]) -> str:
    base = ERROR_PREFIX + ("_".join(w.upper() for w in words) or "MESSAGE")
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def _existing_constants(module: cst.Module) -> dict[str, str]:
    """Source text of a string constant -> its ``ERROR_*`` name (top level)."""
    found: dict[str, str] = {}
    for statement in module.body:
        if not is_constant(statement):
            continue
        small = statement.body[0]  # type: ignore[attr-defined]
        target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
        if isinstance(small.value, cst.SimpleString) and target.value.startswith(ERROR_PREFIX):
            found.setdefault(small.value.value, target.value)
    return found


# --- AG502 -------------------------------------------------------------------------------

def rename_constants(request: FixRequest) -> FixOutput:
    """Rename each constant where it is defined, in every project file that imports it by
    name (following re-exports), including ``__all__`` entries. Not made when the new name
    is taken in one of those files or the constant is reached as a module attribute."""
    output = FixOutput()
    texts: dict[str, str] = {}
    renamed: dict[str, str | None] = {}  # name -> why not (None: renamed) for each name once
    for finding in request.findings:
        name = _constant_in(finding)
        if name is None:
            output.skip(finding, "cannot tell which constant the finding names")
            continue
        if name in renamed:  # another use of a constant already handled
            if renamed[name] is not None:
                output.skip(finding, renamed[name])  # type: ignore[arg-type]
            continue
        planned = _plan_rename(request, finding, name, texts)
        renamed[name] = planned if isinstance(planned, str) else None
        if isinstance(planned, str):
            output.skip(finding, planned)
            continue
        texts.update(planned)
    output.changes.update({path: text for path, text in texts.items()
                           if text != request.read(path)})
    return output


def _constant_in(finding: Diagnostic) -> str | None:
    match = re.search(r"constant '([A-Za-z_][A-Za-z0-9_]*)'", finding.message)
    return match[1] if match else None


def _plan_rename(request: FixRequest, finding: Diagnostic, name: str,
                 texts: dict[str, str]) -> dict[str, str] | str:
    """path -> new text for every file the rename touches, or why it cannot be made."""
    new_name = error_constant_name(name)

    def current(path: str) -> str | None:
        return texts.get(path, request.read(path))

    defining = _defining_module(request, finding.path, name, current(finding.path) or "")
    if defining is None:
        return f"'{name}' is not defined in a file of the project"
    definers = {defining}
    users: dict[str, bool] = {}  # path -> renames every use (False: only the import alias)
    candidates = [p for p in request.project_files if p.endswith(".py")]
    changed = True
    while changed:  # follow re-exports: a file importing it unaliased defines it again
        changed = False
        for path in candidates:
            text = current(path)
            if path in users or not text or name not in text:
                continue
            module, is_init = module_name_for(path)
            if module in definers:
                users[path] = True
                continue
            binding = _imports_name(text, module, is_init, name, definers)
            if binding is not None:
                users[path] = binding
                if binding:
                    definers.add(module)
                    changed = True
    result: dict[str, str] = {}
    for path in candidates:
        text = current(path)
        if not text or name not in text:
            continue
        located = parse_or_none(text)
        if located is None:
            return f"libcst cannot parse {path}"
        if path not in users:
            if _attribute_use(located.module, name):
                return f"'{name}' is used as a module attribute in {path}"
            continue
        if users[path] and new_name in bound_names(located.module):
            return f"'{new_name}' already exists in {path}"
        result[path] = located.module.visit(_Rename(name, new_name, users[path], definers)).code
    return result


def _defining_module(request: FixRequest, path: str, name: str, text: str) -> str | None:
    module, is_init = module_name_for(path)
    located = parse_or_none(text)
    if located is None:
        return None
    for statement in located.module.body:
        if is_constant(statement):
            small = statement.body[0]  # type: ignore[attr-defined]
            target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
            if target.value == name:
                return module
    source = _import_source(located.module, module, is_init, name)
    if source is None or module_path(source, request.project_files) is None:
        return None
    origin_path = module_path(source, request.project_files)
    assert origin_path is not None
    return _defining_module(request, origin_path, name, request.read(origin_path) or "") \
        if origin_path != path else None


def _import_source(module_node: cst.Module, module: str, is_init: bool, name: str,
                   ) -> str | None:
    for node in _from_imports(module_node):
        if isinstance(node.names, cst.ImportStar):
            continue
        if any(dotted(alias.name) == name for alias in node.names):
            return _absolute(node, module, is_init)
    return None


def _imports_name(text: str, module: str, is_init: bool, name: str, definers: set[str],
                  ) -> bool | None:
    """None: the file does not import ``name`` from a definer; True: unaliased (every use
    is renamed); False: ``import NAME as other`` (only the imported name is)."""
    located = parse_or_none(text)
    if located is None:
        return None
    for node in _from_imports(located.module):
        if isinstance(node.names, cst.ImportStar) or _absolute(node, module, is_init) \
                not in definers:
            continue
        for alias in node.names:
            if dotted(alias.name) == name:
                return alias.asname is None
    return None


def _from_imports(module: cst.Module) -> list[cst.ImportFrom]:
    return [node for node in walk(module) if isinstance(node, cst.ImportFrom)]


def _absolute(node: cst.ImportFrom, module: str, is_init: bool) -> str:
    target = dotted(node.module) if node.module is not None else None
    if node.relative:
        return resolve_relative(module, is_init, len(node.relative), target)
    return target or ""


def _attribute_use(module: cst.Module, name: str) -> bool:
    return any(isinstance(node, cst.Attribute) and node.attr.value == name
               for node in walk(module))


class _Rename(cst.CSTTransformer):
    def __init__(self, old: str, new: str, every_use: bool, definers: set[str]) -> None:
        self.old, self.new, self.every_use = old, new, every_use
        self.in_import = 0
        self.in_all = 0
        self.not_names: set[int] = set()  # attribute names and keyword argument names

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.not_names.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.not_names.add(id(node.keyword))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        self.in_import += 1

    def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias,
                          ) -> cst.ImportAlias:
        self.in_import -= 1
        if dotted(original.name) == self.old:
            return updated.with_changes(name=cst.Name(self.new))
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if self.every_use and not self.in_import and original.value == self.old and \
                id(original) not in self.not_names:
            return updated.with_changes(value=self.new)
        return updated

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(isinstance(t.target, cst.Name) and t.target.value == "__all__"
               for t in node.targets):
            self.in_all += 1

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if any(isinstance(t.target, cst.Name) and t.target.value == "__all__"
               for t in original.targets):
            self.in_all -= 1
        return updated

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString,
                           ) -> cst.SimpleString:
        if self.in_all and self.every_use and original.evaluated_value == self.old:
            quote = original.value[-1]
            return updated.with_changes(value=f"{quote}{self.new}{quote}")
        return updated
