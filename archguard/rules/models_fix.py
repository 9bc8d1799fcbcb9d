"""Fix of AG305: the SQL type the ``Mapped[...]`` annotation implies, passed first (after a
string column name) and imported from sqlalchemy, with libcst."""

from __future__ import annotations

import ast
import functools

import libcst as cst

from archguard.rules.cst_tools import add_import, parse_or_none, rebuilt
from archguard.rules.fix_trees import ast_or_none
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.models import implied_sql_type, mapped_annotations


def add_column_types(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parse_or_none(request.text)
    tree = ast_or_none(request.text)
    if located is None or tree is None:
        for finding in request.findings:
            output.skip(finding, "the file does not parse")
        return output
    types: dict[tuple[int, int], str] = {}
    annotations = mapped_annotations(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) in annotations:
            implied = implied_sql_type(annotations[id(node)])
            if implied:
                line = node.lineno
                column = len(request.text.splitlines()[line - 1].encode()[
                    :node.col_offset].decode(errors="replace")) + 1
                types[(line, column)] = implied
    module = located.module
    wanted: dict[int, str] = {}
    calls = located.starts(cst.Call, (ast.Call,))
    for finding in request.findings:
        sql_type = types.get((finding.line, finding.column))
        call = calls.get((finding.line, finding.column))
        if sql_type is None or call is None:
            output.skip(finding, "the annotation does not say which SQL type to use")
            continue
        wanted[id(call)] = sql_type
    names: dict[str, str] = {}
    for sql_type in sorted(set(wanted.values())):  # the calls keep their identity
        added = add_import(module, "sqlalchemy", sql_type)
        if added is None:
            for finding in request.findings:
                output.skip(finding, f"the name '{sql_type}' already means something else here")
            return output
        module, names[sql_type] = added

    def add_type(sql_type: str, updated: cst.Call) -> cst.Call:
        args = list(updated.args)
        at = 1 if args and args[0].keyword is None and isinstance(
            args[0].value, (cst.SimpleString, cst.ConcatenatedString)) else 0
        arg = cst.Arg(cst.Name(names[sql_type]))
        if at < len(args):
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif args and isinstance(args[-1].comma, cst.MaybeSentinel):
            args[-1] = args[-1].with_changes(comma=cst.Comma(
                whitespace_after=cst.SimpleWhitespace(" ")))
        args.insert(at, arg)
        return updated.with_changes(args=args)

    output.changes[request.path] = rebuilt(module, {
        key: functools.partial(add_type, sql_type)  # type: ignore[misc]
        for key, sql_type in wanted.items()}).code
    return output
