"""AG6xx (complexity): radon's cyclomatic complexity, computed from the tree already parsed."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from archguard.analysis.astindex import enclosed
from archguard.analysis.context import FileContext
from archguard.diagnostics import Diagnostic
from archguard.rules.registry import FileRule, register

GRADES = "ABCDEF"
MAX_SCORE = {"A": 5, "B": 10, "C": 20, "D": 30, "E": 40}  # radon's cc_rank boundaries
_PLUS_ONE = (ast.If, ast.IfExp, ast.Assert)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_TRY = (ast.Try, ast.TryStar)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@register
class Complexity(FileRule):
    """Functions stay simple: early returns over deep nesting. A function, method or nested
    function whose radon cyclomatic complexity grade is worse than `max-grade` (default B,
    i.e. a score above 10) is reported at its `def` line with its score and grade. Radon is
    fed the tree archguard already parsed; it never re-reads the file. Test code (test
    files and `conftest.py`, also inside the package) is not checked: radon counts every
    `assert` as a branch, so a straight-line test scores like a tangle."""

    code = "AG601"
    checks_tests = False
    ruff = ("C901",)
    ruff_overlap = (
        "ruff's C901 measures the same McCabe complexity (`lint.mccabe.max-complexity`, "
        'default 10, is grade B)')
    name = "complexity"
    summary = "A function whose cyclomatic complexity grade is worse than the maximum"
    rulebook = ("Grade C or worse = too complex, recommend extraction.")
    hint = "extract helpers and use early returns to bring the grade back to B or better"
    configuration = "`[tool.archguard.complexity] max-grade = \"B\"` (A to F)."
    bad = ("from __future__ import annotations\n\n\n"
           "def grade(score: int) -> str:\n"
           + "".join(f"    if score == {i}:\n        return \"{i}\"\n" for i in range(11))
           + "    return \"?\"\n")
    good = ("from __future__ import annotations\n\nGRADES = {0: \"0\", 1: \"1\"}\n\n\n"
            "def grade(score: int) -> str:\n    return GRADES.get(score, \"?\")\n")

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        suspects = suspect_defs(ctx.tree, ctx.config.complexity.max_grade)
        if not suspects:
            return
        from radon.complexity import cc_rank  # heavy: imported only when a file is analysed
        from radon.visitors import ComplexityVisitor

        limit = GRADES.index(ctx.config.complexity.max_grade)
        blocks = []
        for function, prefix in suspects:  # radon scores only the defs that may exceed
            blocks += _blocks(ComplexityVisitor.from_ast(function).functions, [], prefix)
        for name, block in blocks:
            grade = cc_rank(block.complexity)
            if GRADES.index(grade) > limit:
                yield self.report(
                    ctx, ctx.columns.header_span(_Header(block.lineno, block.col_offset)),
                    f"'{name}' is too complex: cyclomatic complexity {block.complexity} "
                    f"(grade {grade}, max {ctx.config.complexity.max_grade})")


def suspect_defs(tree: ast.Module, max_grade: str) -> list[tuple[ast.AST, str]]:
    """The outermost defs that could score worse than ``max_grade``, each with the prefix
    radon names it by (its enclosing classes: ``Outer.Inner.``): a cheap upper bound that
    counts every decision point under a def at least as much as radon does (radon then
    computes the real scores of these only). Most files have none and skip radon.

    Only the outermost defs are scored (each node is counted once): a def's bound counts
    everything nested in it, so it is never below the bound of a def inside it."""
    limit = MAX_SCORE.get(max_grade)
    if limit is None:
        return []  # grade F: nothing is worse
    # Only the decision points and the defs are looked at (the index groups nodes by class):
    # each decision point counts for the outermost def around it.
    bounds: dict[int, int] = {}
    defs: list[ast.AST] = []
    for node, enclosing in enclosed(tree, (*_FUNCTIONS, *_COUNTED)):
        outermost = next((outer for outer in enclosing if outer.__class__ in _FUNCTIONS), None)
        if outermost is not None:
            if node.__class__ not in _FUNCTIONS:
                bounds[id(outermost)] += _points(node)
        elif node.__class__ in _FUNCTIONS:
            defs.append(node)
            bounds[id(node)] = 1
    wanted = {id(function) for function in defs if bounds[id(function)] > limit}
    if not wanted:
        return []
    return [(node, "".join(f"{outer.name}." for outer in enclosing))  # type: ignore[attr-defined]
            for node, enclosing in enclosed(tree, (ast.ClassDef, *_FUNCTIONS))
            if id(node) in wanted and not any(id(outer) in wanted for outer in enclosing)]


_COUNTED = (*_PLUS_ONE, *_LOOPS, ast.BoolOp, ast.comprehension, *_TRY, ast.Match)


def _points(node: ast.AST) -> int:
    """What a decision point adds to the bound (at least what radon counts for it)."""
    kind = node.__class__
    if kind in _PLUS_ONE:
        return 1
    if kind in _LOOPS:
        return 2  # the loop and its possible else block
    if kind is ast.BoolOp:
        return len(node.values) - 1  # type: ignore[attr-defined]
    if kind is ast.comprehension:
        return 1 + len(node.ifs)  # type: ignore[attr-defined]
    if kind in _TRY:
        return len(node.handlers) + 1  # type: ignore[attr-defined]
    return len(node.cases)  # type: ignore[attr-defined]  (ast.Match)


class _Header:
    """The position radon reports, shaped like an ast node for ``header_span``."""

    def __init__(self, lineno: int, col_offset: int) -> None:
        self.lineno = lineno
        self.col_offset = col_offset


def _blocks(functions: list[Any], classes: list[Any], prefix: str,
            ) -> Iterator[tuple[str, Any]]:
    for function in functions:
        name = f"{prefix}{function.name}"
        yield name, function
        yield from _blocks(function.closures, [], f"{name}.")
    for cls in classes:
        yield from _blocks(cls.methods, cls.inner_classes, f"{prefix}{cls.name}.")
