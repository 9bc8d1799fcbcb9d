"""The shared node index (archguard.analysis.astindex) and the speed-ups built on it: the same nodes
as ``ast.walk``, per-file memos that never leak between files, and a complexity pre-check
that never hides a finding radon would make."""

from __future__ import annotations

import ast
import pickle
import sys
import textwrap
from pathlib import Path

import pytest
from radon.visitors import ComplexityVisitor

from archguard.analysis.astindex import child_nodes, enclosed, indexed, nodes_of, per_file, walk
from archguard.analysis.facts import ClassFact, ImportFact, Span
from archguard.diagnostics import Diagnostic
from archguard.report.suppressions import Suppression
from archguard.rules.complexity import MAX_SCORE, suspect_defs

CONTEXTS = (ast.Load, ast.Store, ast.Del)
SOURCE = textwrap.dedent('''
    from __future__ import annotations
    import os.path as p

    class Outer(Base[int]):
        x: int = 1
        class Inner:
            def method(self, a, *b, c=1, **d):
                def local():
                    class Hidden: ...
                return [y for y in a if y] or {k: v for k, v in d.items()}

    async def run(value):
        match value:
            case {"a": 1} | [1, *_]:
                return f"{value!r:>10}"
            case _:
                pass
        try:
            del value
        except (ValueError, TypeError) as error:
            raise RuntimeError from error
        else:
            global counter
        finally:
            lambda q: q
''')


def own_walk(node: ast.AST) -> list[int]:
    return sorted(id(n) for n in ast.walk(node) if not isinstance(n, CONTEXTS))


def test_walk_and_children_match_the_stdlib() -> None:
    tree = ast.parse(SOURCE)
    with indexed(tree):
        for node in ast.walk(tree):
            if isinstance(node, CONTEXTS):
                continue
            assert sorted(map(id, walk(node))) == own_walk(node)
            assert walk(node)[0] is node  # pre-order: the node first
            assert [id(c) for c in child_nodes(node)] == [
                id(c) for c in ast.iter_child_nodes(node) if not isinstance(c, CONTEXTS)]
    # outside an indexed analysis: the same answers, computed directly
    assert sorted(map(id, walk(tree))) == own_walk(tree)


def test_pre_order_is_source_order() -> None:
    tree = ast.parse("a = 1\nif b:\n    c = 2\nd = 3\n")
    with indexed(tree):
        names = [n.id for n in walk(tree) if isinstance(n, ast.Name)]
        assert names == ["a", "b", "c", "d"]  # ast.walk gives a, b, d, c
        assert [type(n).__name__ for n in nodes_of(tree, ast.Assign)] == ["Assign"] * 3


def test_nodes_of_and_enclosed() -> None:
    tree = ast.parse(SOURCE)
    with indexed(tree):
        classes = [(c.name, [o.name for o in chain])  # type: ignore[attr-defined]
                   for c, chain in enclosed(tree, (ast.ClassDef,))]
        functions = [f.name for f in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)]
    assert classes == [("Outer", []), ("Inner", ["Outer"]), ("Hidden", ["Outer", "Inner"])]
    assert functions == ["method", "local", "run"]
    unindexed = [c.name for c, _ in enclosed(tree, (ast.ClassDef,))]  # type: ignore[attr-defined]
    assert unindexed == ["Outer", "Inner", "Hidden"]


def test_a_node_of_another_tree_is_walked_directly() -> None:
    tree = ast.parse(SOURCE)
    other = ast.parse("x = [1, 2]")
    with indexed(tree):
        assert sorted(map(id, walk(other))) == own_walk(other)


def test_per_file_memo_is_per_file() -> None:
    calls: list[str] = []

    def compute(name: str) -> str:
        calls.append(name)
        return name

    first, second = ast.parse("a = 1"), ast.parse("b = 2")
    with indexed(first):
        assert per_file("key", lambda: compute("first")) == "first"
        assert per_file("key", lambda: compute("again")) == "first"
    with indexed(second):
        assert per_file("key", lambda: compute("second")) == "second"
    assert per_file("key", lambda: compute("none")) == "none"  # no index: no memo
    assert calls == ["first", "second", "none"]


def test_index_is_per_thread_of_control() -> None:
    import threading

    seen: list[bool] = []
    tree = ast.parse("a = 1")
    with indexed(tree):
        thread = threading.Thread(target=lambda: seen.append(
            per_file("k", lambda: object()) is per_file("k", lambda: object())))
        thread.start()
        thread.join()
    assert seen == [False]  # the other thread saw no index, so nothing was memoised


def radon_worst(source: str) -> int:
    visitor = ComplexityVisitor.from_ast(ast.parse(source))
    scores = [0]
    pending = list(visitor.functions) + [m for c in visitor.classes for m in c.methods]
    while pending:
        block = pending.pop()
        scores.append(block.complexity)
        pending.extend(block.closures)
    return max(scores)


def may_exceed(tree: ast.Module, grade: str) -> bool:
    """Whether any function could score worse than ``grade`` (the bound the rule uses)."""
    return bool(suspect_defs(tree, grade))


def bounded(source: str, grade: str) -> bool:
    tree = ast.parse(source)
    with indexed(tree):
        return may_exceed(tree, grade)


CONSTRUCTS = [
    "if a:\n    pass\nelif b:\n    pass\nelse:\n    pass\n",
    "x = a if b else c\n",
    "for i in x:\n    pass\nelse:\n    pass\n",
    "async for i in x:\n    pass\n",
    "while a:\n    break\nelse:\n    pass\n",
    "try:\n    pass\nexcept A:\n    pass\nexcept B:\n    pass\nelse:\n    pass\n",
    "x = a and b and c or d\n",
    "x = [i for i in y if i if not i for j in i]\n",
    "assert a, b\n",
    "match a:\n    case 1:\n        pass\n    case [x, *_]:\n        pass\n    case _:\n        pass\n",
    "with a as b, c:\n    pass\n",
    "f = lambda q: q if q else 0\n",
]


@pytest.mark.parametrize("construct", CONSTRUCTS)
@pytest.mark.parametrize("copies", [1, 3, 7])
def test_complexity_bound_never_hides_a_finding(construct: str, copies: int) -> None:
    body = textwrap.indent(construct * copies, "    ")
    source = (f"def f(a, b, c, d, x, y):\n{body}\n"
              f"class K:\n    def m(self):\n        def inner():\n"
              f"{textwrap.indent(construct * copies, '            ')}\n        return 1\n")
    worst = radon_worst(source)
    for grade, limit in MAX_SCORE.items():
        if worst > limit:
            assert bounded(source, grade), (grade, worst)


def test_complexity_bound_skips_simple_files() -> None:
    assert not bounded("def f(a):\n    if a:\n        return 1\n    return 2\n", "B")
    assert not bounded("x = 1\n", "A")
    assert not bounded("def f(a):\n" + "    if a:\n        pass\n" * 50, "F")  # F: never


def test_complexity_bound_on_real_trees() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "perf"))
    import synth

    sources = list(synth.render_core().values())
    plans = [synth.plan_module(i, 6) for i in range(40)]
    synth.assign_plants(plans, 6)
    for plan in plans:
        sources += list(synth.render_module(plan).values())
    sources += [p.read_text() for p in Path(__file__).resolve().parent.parent.joinpath(
        "archguard").rglob("*.py")]
    complex_sources = [s for s in sources if radon_worst(s) > MAX_SCORE["B"]]
    assert complex_sources  # the planted complex functions at least
    assert all(bounded(source, "B") for source in complex_sources)
    skipped = [s for s in sources if not bounded(s, "B")]
    assert len(skipped) > len(sources) // 2  # and radon is skipped for most files


def test_fact_and_diagnostic_pickles_round_trip() -> None:
    span = Span(1, 2, 3, 4)
    values = [span, ImportFact(span, "a.b", "C", "D", 1, True, False),
              ClassFact("K", "m.K", span, ("m.Base",), False),
              Diagnostic("p.py", 1, 2, "AG201", "relative-import", "m", 1, 3, "h"),
              Suppression(1, 2, 3, ("AG2",), True)]
    assert pickle.loads(pickle.dumps(values)) == values


def test_complexity_bound_scores_every_def_outside_an_indexed_analysis() -> None:
    source = "def a():\n    pass\n\n\ndef b(x):\n" + "    if x:\n        pass\n" * 12
    assert may_exceed(ast.parse(source), "B")  # b follows a: both are scored
    assert bounded(source, "B")
    assert not bounded(source.replace("    if x:\n        pass\n" * 12, "    pass\n"), "B")
