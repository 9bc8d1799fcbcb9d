"""AG601 complexity: radon grades from the already parsed tree."""

from __future__ import annotations

from archguard.project.config import ComplexityConfig, Config
from helpers import dedent, findings, run

PATH = "cpv3/modules/jobs/service.py"


def branches(name: str, count: int, indent: str = "") -> str:
    body = "".join(f"{indent}    if value == {i}:\n{indent}        return {i}\n"
                   for i in range(count))
    return f"{indent}def {name}(value: int) -> int:\n{body}{indent}    return -1\n"


def test_functions_methods_and_closures_over_the_grade() -> None:
    source = "\n".join([
        branches("simple", 9),  # complexity 10: grade B, allowed
        branches("too_complex", 10),  # 11: grade C
        "class JobService:\n    @staticmethod\n" + branches("method", 12, "    "),
        "def outer() -> None:\n" + branches("inner", 10, "    ") + "    return None\n",
    ])
    diagnostics = run({PATH: source}, ["AG601"])
    assert [(d.code, d.line, d.message) for d in diagnostics] == [
        ("AG601", 22, "'too_complex' is too complex: cyclomatic complexity 11 (grade C, max B)"),
        ("AG601", 47, "'JobService.method' is too complex: cyclomatic complexity 13 "
                      "(grade C, max B)"),
        ("AG601", 75, "'outer.inner' is too complex: cyclomatic complexity 11 (grade C, max B)"),
    ]


def test_configured_grade() -> None:
    source = branches("moderate", 10)
    strict = Config(complexity=ComplexityConfig(max_grade="A"))
    lenient = Config(complexity=ComplexityConfig(max_grade="C"))
    assert findings({PATH: source}, ["AG601"], strict) == [("AG601", PATH, 1)]
    assert findings({PATH: source}, ["AG601"], lenient) == []


def test_decorated_function_is_reported_at_its_def_line() -> None:
    source = dedent("""
        import functools


        @functools.cache
        @other
    """) + branches("cached", 11)
    assert findings({PATH: source}, ["AG601"]) == [("AG601", PATH, 6)]
