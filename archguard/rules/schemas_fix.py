"""Fix of AG301 with libcst: ``class X(BaseModel)`` derives from the configured schema base
instead, imported from its module; the ``BaseModel`` import goes when nothing else uses it.
``schemas_fix_text.derive_from_schema`` comes here for the shapes the text does not show."""

from __future__ import annotations

import ast

import libcst as cst

from archguard.analysis.facts import module_name_for
from archguard.rules.cst_tools import add_import, dotted, parsed_or_skipped, rebuilt, walk
from archguard.rules.fixing import FixOutput, FixRequest, module_path


def derive_with_libcst(request: FixRequest) -> FixOutput:
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

    def rebase(updated: cst.ClassDef) -> cst.ClassDef:
        old_bases.add(cst.Module([]).code_for_node(updated.bases[0].value))
        return updated.with_changes(bases=[updated.bases[0].with_changes(
            value=cst.Name(local))])

    module = rebuilt(module, dict.fromkeys(classes, rebase))  # type: ignore[arg-type]
    for written in old_bases:  # BaseModel (not pydantic.BaseModel): drop it when unused now
        if "." not in written and written not in used_names(module):
            module = _drop_imported_name(module, "pydantic", written)
    output.changes[request.path] = module.code
    return output


def used_names(module: cst.Module) -> set[str]:
    """Names read or written anywhere but in import statements."""
    return {node.value for node in walk(module, (cst.Import, cst.ImportFrom))
            if isinstance(node, cst.Name)}


def _drop_imported_name(module: cst.Module, source: str, name: str) -> cst.Module:
    """``from source import a, name, b`` -> ``from source import a, b`` (the statement goes
    when ``name`` was its only name), wherever it is."""

    def drop(updated: cst.CSTNode) -> cst.CSTNode | cst.RemovalSentinel:
        assert isinstance(updated, cst.SimpleStatementLine)
        node = updated.body[0]
        assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
        kept = [a for a in node.names if not (dotted(a.name) == name and a.asname is None)]
        if not kept:
            return cst.RemoveFromParent()
        kept[-1] = kept[-1].with_changes(comma=node.names[-1].comma)
        return updated.with_changes(body=[node.with_changes(names=kept)])

    def imports_name(node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1 or \
                not isinstance(node.body[0], cst.ImportFrom):
            return False
        small = node.body[0]
        return not small.relative and small.module is not None and \
            dotted(small.module) == source and not isinstance(small.names, cst.ImportStar) \
            and any(dotted(a.name) == name and a.asname is None for a in small.names)

    return rebuilt(module, {id(node): drop for node in walk(module)  # type: ignore[misc]
                            if imports_name(node)})
