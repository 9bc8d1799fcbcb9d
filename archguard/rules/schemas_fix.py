"""Fix of AG301: ``class X(BaseModel)`` derives from the configured schema base instead,
imported from its module; the ``BaseModel`` import goes when nothing else uses it."""

from __future__ import annotations

import ast

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

from archguard.analysis.facts import module_name_for
from archguard.rules.cst_tools import add_import, parse_or_none
from archguard.rules.fixing import FixOutput, FixRequest


def derive_from_schema(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parse_or_none(request.text)
    if located is None:
        for finding in request.findings:
            output.skip(finding, "libcst cannot parse the file")
        return output
    source, _, base = request.config.schema_base.rpartition(".")
    starts = located.starts(cst.ClassDef, (ast.ClassDef,))
    classes: set[int] = set()
    for finding in request.findings:
        node = starts.get((finding.line, 0))
        if isinstance(node, cst.ClassDef) and len(node.bases) == 1:
            classes.add(id(node))
        else:
            output.skip(finding, "the class does not have BaseModel as its only base")
    if not classes:
        return output
    module = located.module
    local = base
    if module_name_for(request.path)[0] != source:
        added = add_import(module, source, base)
        if added is None:
            for finding in request.findings:
                output.skip(finding, f"the name '{base}' already means something else here")
            return output
        module, local = added
    old_bases: set[str] = set()

    class Rebase(cst.CSTTransformer):
        def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef,
                           ) -> cst.ClassDef:
            if id(original) not in classes:
                return updated
            old_bases.add(cst.Module([]).code_for_node(updated.bases[0].value))
            return updated.with_changes(bases=[updated.bases[0].with_changes(
                value=cst.Name(local))])

    module = module.visit(Rebase())
    context = CodemodContext()
    for written in old_bases:  # BaseModel or pydantic.BaseModel: drop it when unused now
        if "." not in written:
            RemoveImportsVisitor.remove_unused_import(context, "pydantic", written)
    module = RemoveImportsVisitor(context).transform_module(module)
    output.changes[request.path] = module.code
    return output
