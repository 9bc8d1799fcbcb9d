"""AG301's fix (``derive_from_schema``) made on the text, for the usual shape of
a file: parsing the whole file with libcst was most of a cold JSON/SARIF report's time.

The file's structure (the classes, the imports, the names taken and used) comes from
``ast``; the edits are spliced at its positions. Any shape whose libcst result is not
evident from that (a line ending other than ``\\n``, statements sharing a line, a base in
parentheses or with a comment before it, an import to drop that is not a top-level
statement of its own, a name of the file that ``ast`` does not show...) returns None and
libcst decides, for the whole file. tests/test_fix_records.py compares the two.
"""

from __future__ import annotations

import ast
import bisect
import re

from archguard.analysis.facts import module_name_for
from archguard.rules.fix_trees import plain_ast_or_none
from archguard.rules.fixing import FixOutput, FixRequest, module_path
from archguard.rules.text_fix_tools import (
    Source,
    Unsure,
    after_imports,
    check_insertion_point,
    check_one_statement_a_line,
    check_plain_text,
    definitions_on,
    first_line,
    identifiers,
    is_compound,
    on_text,
)

_DOTTED = re.compile(r"\w+(?:\.\w+)*")
_IMPORT_KINDS = (ast.Import, ast.ImportFrom)


def _derive(request: FixRequest) -> FixOutput:
    text = request.text
    check_plain_text(text)
    tree = plain_ast_or_none(text)
    if tree is None or not tree.body:
        raise Unsure
    output = FixOutput()
    source_module, _, base = request.config.schema_base.rpartition(".")
    if module_path(source_module, request.project_files) is None:
        for finding in request.findings:
            output.skip(finding, f"the schema base's module '{source_module}' is not in "
                                 "the project")
        return output
    source = Source(text)
    body = tree.body
    check_one_statement_a_line(body)
    classes = _classes_on(tree, {finding.line for finding in request.findings})
    rebased: dict[int, ast.ClassDef] = {}
    for finding in request.findings:
        node = classes.get(finding.line)
        if node is not None and len(node.bases) == 1:
            rebased[id(node)] = node
        else:
            output.skip(finding, "the class does not have BaseModel as its only base")
    if not rebased:
        return output
    names = _Names(tree, source)
    edits: list[tuple[int, int, str]] = []
    local = base
    if module_name_for(request.path)[0] != source_module:
        bound = _imported_as(body, source_module, base)
        if bound is not None:
            local = bound
        elif names.bound(base):
            for finding in request.findings:
                output.skip(finding, f"the name '{base}' already means something else here")
            return output
        else:
            edits.append(_import_edit(body, source, source_module, base))
    written: dict[str, int] = {}  # each old base as written -> how many classes had it
    for node in rebased.values():
        start, end = _base_span(node, source)
        written[text[start:end]] = written.get(text[start:end], 0) + 1
        edits.append((start, end, local))
    unused = set()  # BaseModel (not pydantic.BaseModel): its import goes when unused now
    for old, count in written.items():
        if "." in old:
            continue
        if old == local:
            raise Unsure
        if not names.used_outside_imports(old, count):
            unused.add(old)
    if unused:
        edits.extend(_drop_edits(tree, source, "pydantic", unused))
    result = text
    for start, end, content in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        result = result[:start] + content + result[end:]
    output.changes[request.path] = result
    return output


def _classes_on(tree: ast.Module, lines: set[int]) -> dict[int, ast.ClassDef]:
    """``class`` line -> the class, for the classes on ``lines``."""
    return definitions_on(tree, lines, (ast.ClassDef,))  # type: ignore[return-value]


def _base_span(node: ast.ClassDef, source: Source) -> tuple[int, int]:
    """Where the only base is written: a plain (dotted) name right after ``class Name(``,
    the whole of libcst's ``Arg.value`` (no parentheses or comment of its own)."""
    base = node.bases[0]
    start, end = source.span(base)
    if not isinstance(base, (ast.Name, ast.Attribute)) or \
            not _DOTTED.fullmatch(source.text, start, end):
        raise Unsure
    header = re.compile(rf"class[ \t]+{re.escape(node.name)}[ \t]*\(\s*")
    match = header.match(source.text, source.offset(node.lineno, node.col_offset))
    if match is None or match.end() != start:
        raise Unsure
    return start, end


def _imported_as(body: list[ast.stmt], module: str, name: str) -> str | None:
    """``cst_tools.imported_as``: the local name of ``from module import name``."""
    for statement in body:
        if isinstance(statement, ast.ImportFrom) and statement.level == 0 and \
                statement.module == module:
            for alias in statement.names:
                if alias.name == name:
                    return alias.asname or name
    return None


def _import_edit(body: list[ast.stmt], source: Source, module: str, name: str,
                 ) -> tuple[int, int, str]:
    """``cst_tools.add_import``'s edit when ``name`` is not bound: the name joins the first
    ``from module import ...``, else the import goes after the imports."""
    for statement in body:
        if isinstance(statement, ast.ImportFrom) and statement.level == 0 and \
                statement.module == module and statement.names[0].name != "*":
            return _joined(statement, source, name)
    index = after_imports(body, source)
    check_insertion_point(body, index, source)
    before = body[index - 1]
    block = f"from {module} import {name}\n"  # insert_statements' blank lines
    if not isinstance(before, _IMPORT_KINDS):
        block = "\n" + block
    if index < len(body) and not isinstance(body[index], _IMPORT_KINDS) and \
            first_line(body[index]) == (before.end_lineno or 0) + 1:
        block += "\n"
    at = source.line_starts[before.end_lineno or 0]
    return at, at, block


def _joined(statement: ast.ImportFrom, source: Source, name: str) -> tuple[int, int, str]:
    """``, name`` after the last name; with a trailing comma, ``name`` takes the last
    name's place in the style of the name before it (libcst moves the commas so)."""
    names = statement.names
    last_end = source.span(names[-1])[1]
    rest = source.text[last_end:source.span(statement)[1]]
    if not rest.lstrip(" \t").startswith(","):
        if rest.strip(" \t\n()"):
            raise Unsure  # a comment or continuation between the name and the parenthesis
        return last_end, last_end, f", {name}"
    if len(names) < 2:
        raise Unsure
    comma = source.text[source.span(names[-2])[1]:source.span(names[-1])[0]]
    return last_end, last_end, f"{comma}{name}"


def _drop_edits(tree: ast.Module, source: Source, module: str, dropped: set[str],
                ) -> list[tuple[int, int, str]]:
    """``schemas_fix._drop_imported_name`` for each name of ``dropped``: out of every
    ``from module import`` (the statement goes when it was its only name, with the lines
    above it that it owns)."""
    body = tree.body
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level != 0 or node.module != module \
                or not any(a.name in dropped and a.asname is None for a in node.names):
            continue
        if not any(statement is node for statement in body):
            raise Unsure  # nested: its own block's layout
        index = next(i for i, statement in enumerate(body) if statement is node)
        kept = [a for a in node.names if not (a.name in dropped and a.asname is None)]
        if kept:
            edits.append(_names_without(node, kept, source))
            continue
        if index == 0:
            if node.lineno != 1:
                raise Unsure  # comments above it are the module header's
            edits.append((0, source.line_starts[node.end_lineno or 0], ""))
            continue
        before = body[index - 1]
        if is_compound(before) and any(line.strip() for line in source.lines[
                (before.end_lineno or 0):node.lineno - 1]):
            raise Unsure  # a block's trailing comments are its own for libcst
        edits.append((source.line_starts[before.end_lineno or 0],
                      source.line_starts[node.end_lineno or 0], ""))
    return edits


def _names_without(node: ast.ImportFrom, kept: list[ast.alias], source: Source,
                   ) -> tuple[int, int, str]:
    """The names of ``node`` but ``kept`` only: each kept name with the comma after it,
    the last kept one with the last name's comma (what follows the last name stays)."""
    spans = [source.span(alias) for alias in node.names]
    commas = {id(alias): source.text[spans[i][1]:spans[i + 1][0]]
              for i, alias in enumerate(node.names[:-1])}
    text = "".join(source.text[slice(*spans[node.names.index(alias)])] + (
        commas[id(alias)] if alias is not kept[-1] else "") for alias in kept)
    return spans[0][0], spans[-1][1], text


class _Names:
    """libcst's ``Name`` nodes of the file as ``ast`` shows them, checked against the text:
    a word of the text that is no identifier ``ast`` shows must sit in a string or a
    comment, or the text path does not decide. Only the statements on the lines where the
    word occurs are read."""

    def __init__(self, tree: ast.Module, source: Source) -> None:
        self.tree = tree
        self.source = source

    def bound(self, name: str) -> bool:
        """``name in cst_tools.bound_names``: a ``Name`` anywhere."""
        words = _Words(self.tree, self.source, name)
        if words.everywhere:
            return True
        words.check(known=0, skipped=[])
        return False

    def used_outside_imports(self, name: str, rebased: int) -> bool:
        """``name in schemas_fix.used_names`` once ``rebased`` classes no longer name it."""
        words = _Words(self.tree, self.source, name)
        if words.outside_imports > rebased:
            return True
        words.check(known=words.outside_imports, skipped=sorted(words.import_spans))
        return False


class _Words:
    """The occurrences of one word in the text, and what ``ast`` shows there: how many
    identifiers (all, and outside import statements), the import statements and strings."""

    def __init__(self, tree: ast.Module, source: Source, name: str) -> None:
        self.source = source
        self.at = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)",
                                                  source.text)]
        lines = {bisect.bisect_right(source.line_starts, at) for at in self.at}
        self.everywhere = self.outside_imports = 0
        self.import_spans: list[tuple[int, int]] = []
        strings: list[tuple[int, int]] = []
        # (node, in an import statement, in an f-string: positions there may be its own)
        todo: list[tuple[ast.AST, bool, bool]] = [(tree, False, False)] if lines else []
        while todo:
            node, in_import, in_fstring = todo.pop()
            end = getattr(node, "end_lineno", None)
            if not in_fstring and end is not None and not any(
                    first_line(node) <= line <= end for line in lines):
                continue
            if not in_fstring and (isinstance(node, ast.JoinedStr) or (
                    isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))):
                strings.append(source.span(node))  # an f-string's fields are read on
                in_fstring = True
            if isinstance(node, _IMPORT_KINDS):
                in_import = True
                self.import_spans.append(source.span(node))
            count = identifiers(node).count(name)
            self.everywhere += count
            self.outside_imports += 0 if in_import else count
            todo.extend((child, in_import, in_fstring) for child in ast.iter_child_nodes(node))
        self.strings = sorted(strings)

    def check(self, known: int, skipped: list[tuple[int, int]]) -> None:
        """Every occurrence but ``known`` ones (the identifiers ``ast`` counted) and those
        in ``skipped`` is in a string or a comment."""
        for at in self.at:
            if _inside(at, skipped) or _inside(at, self.strings) or self._in_comment(at):
                continue
            if known:
                known -= 1
                continue
            raise Unsure

    def _in_comment(self, at: int) -> bool:
        text = self.source.text
        hash_at = text.find("#", text.rfind("\n", 0, at) + 1, at)
        while hash_at != -1:
            if not _inside(hash_at, self.strings):
                return True
            hash_at = text.find("#", hash_at + 1, at)
        return False


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    """``at`` within one of the sorted, non-nested ``spans``."""
    index = bisect.bisect_right(spans, (at, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= at < spans[index][1]


derive_on_text = on_text(_derive)


def derive_from_schema(request: FixRequest) -> FixOutput:
    """AG301's fix: on the text when its shape is simple, else with libcst
    (``schemas_fix``), imported only then (about 0.1 s)."""
    found = derive_on_text(request)
    if found is not None:
        return found
    from archguard.rules.schemas_fix import derive_with_libcst

    return derive_with_libcst(request)
