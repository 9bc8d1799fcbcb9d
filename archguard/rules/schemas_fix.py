"""Fix of AG301: ``class X(BaseModel)`` derives from the configured schema base instead,
imported from its module; the ``BaseModel`` import goes when nothing else uses it."""

from __future__ import annotations

import ast

import libcst as cst

from archguard.analysis.facts import module_name_for
from archguard.rules.cst_tools import add_import, dotted, parsed_or_skipped
from archguard.rules.fixing import FixOutput, FixRequest, module_path


def derive_from_schema(request: FixRequest) -> FixOutput:
    output = FixOutput()
    located = parsed_or_skipped(request, output)
    if located is None:
        return output
    source, _, base = request.config.schema_base.rpartition(".")
    if module_path(source, request.project_files) is None:
        for finding in request.findings:
            output.skip(finding, f"the schema base's module '{source}' is not in the project")
        return output
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
    for written in old_bases:  # BaseModel (not pydantic.BaseModel): drop it when unused now
        if "." not in written and written not in used_names(module):
            module = module.visit(_DropImportedName("pydantic", written))
    output.changes[request.path] = module.code
    return output


def used_names(module: cst.Module) -> set[str]:
    """Names read or written anywhere but in import statements."""
    names: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    module.visit(Collect())
    return names


class _DropImportedName(cst.CSTTransformer):
    """``from source import a, name, b`` -> ``from source import a, b`` (the statement goes
    when ``name`` was its only name)."""

    def __init__(self, source: str, name: str) -> None:
        self.source, self.name = source, name

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine,
                                  ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if len(updated.body) != 1 or not isinstance(updated.body[0], cst.ImportFrom):
            return updated
        node = updated.body[0]
        if node.relative or node.module is None or dotted(node.module) != self.source or \
                isinstance(node.names, cst.ImportStar):
            return updated
        kept = [a for a in node.names if not (dotted(a.name) == self.name and a.asname is None)]
        if len(kept) == len(node.names):
            return updated
        if not kept:
            return cst.RemoveFromParent()
        kept[-1] = kept[-1].with_changes(comma=node.names[-1].comma)
        return updated.with_changes(body=[node.with_changes(names=kept)])
