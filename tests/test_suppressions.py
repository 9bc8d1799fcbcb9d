"""Suppression comments, AG001 unused-suppression and AG000 parse-error."""

from __future__ import annotations

import sys

import pytest

from helpers import dedent, findings, run

PATH = "cpv3/modules/media/service.py"


def test_line_suppression_with_several_codes_and_prefixes() -> None:
    source = dedent("""
        from .schemas import A  # archguard: ignore[AG201]
        from .models import B  # archguard: ignore[AG501, AG201]
        from .router import C  # archguard:ignore[AG2]
        from .other import D  # noqa  # archguard: ignore[AG501]
        X = "from .x import y  # archguard: ignore[AG201]"
    """)
    assert findings({PATH: source}, ["AG201", "AG501", "AG001"]) == [
        ("AG001", PATH, 2), ("AG201", PATH, 4), ("AG001", PATH, 4)]


def test_file_level_suppression() -> None:
    source = dedent("""
        # archguard: ignore-file[AG201]
        from .schemas import A
        from .models import B
    """)
    assert findings({PATH: source}, ["AG201", "AG001"]) == []


def test_bare_and_unknown_suppressions_are_reported() -> None:
    source = dedent("""
        from .schemas import A  # archguard: ignore
        LIMIT = 1  # archguard: ignore[AG999]
    """)
    diagnostics = run({PATH: source}, ["AG201", "AG001"])
    assert [(d.code, d.line, d.message) for d in diagnostics] == [
        ("AG201", 1, "relative import 'from .schemas import A': use "
                     "'from cpv3.modules.media.schemas import A'"),
        ("AG001", 1, "bare '# archguard: ignore' suppresses nothing: name the codes"),
        ("AG001", 2, "unknown rule code 'AG999' in suppression comment"),
    ]


def test_suppressions_of_unselected_codes_are_not_judged() -> None:
    source = "LIMIT = 1  # archguard: ignore[AG601]\n"
    assert findings({PATH: source}, ["AG2", "AG001"]) == []
    assert findings({PATH: source}, ["AG6", "AG001"]) == [("AG001", PATH, 1)]


def test_project_rule_findings_are_suppressible() -> None:
    files = {
        "cpv3/modules/users/repository.py": "class UserRepository:\n    pass\n",
        PATH: "from cpv3.modules.users.repository import UserRepository"
              "  # archguard: ignore[AG202]\n",
    }
    assert findings(files, ["AG202", "AG001"]) == []


def test_syntax_error_is_reported_and_other_files_still_checked() -> None:
    files = {
        PATH: "def broken(:\n    pass\n",
        "cpv3/modules/media/router.py": "from .service import x\n",
    }
    diagnostics = run(files, ["AG000", "AG201"])
    assert [(d.code, d.path, d.line) for d in diagnostics] == [
        ("AG201", "cpv3/modules/media/router.py", 1), ("AG000", PATH, 1)]
    assert diagnostics[1].message.startswith("syntax error: ")


def test_undecodable_and_null_byte_files() -> None:
    files = {
        PATH: b"X = 1\n# caf\xe9\n",
        "cpv3/modules/media/router.py": b"X = 1\x00\n",
        "cpv3/modules/media/models.py": b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n",
        "cpv3/modules/media/schemas.py": b"",
    }
    diagnostics = run(files, ["AG000"])
    assert [(d.path, d.line, d.column) for d in diagnostics] == [
        ("cpv3/modules/media/router.py", 1, 1), (PATH, 2, 6)]
    assert diagnostics[1].message == (
        "cannot decode file as utf-8: byte 0xe9 is not valid utf-8; save it as UTF-8 or "
        "declare its encoding (PEP 263)")


def test_pep758_except_groups_are_read_on_every_python() -> None:
    """``except A, B:`` (3.14) is parsed as ``except(A, B):``: the file is checked, the
    types keep their columns, and strings that look like it are left alone."""
    import ast

    from archguard.analysis.parsing import ParsedSource, parse_source

    source = ('try:\n    pass\nexcept ValueError, mod.Error:  # two\n    pass\n'
              'try:\n    pass\nexcept* (OSError, KeyError) as group:\n    pass\n'
              'doc = """except A, B:"""\n')
    parsed = parse_source(source.encode())
    assert isinstance(parsed, ParsedSource) and parsed.text == source
    handlers = [h for h in ast.walk(parsed.tree) if isinstance(h, ast.ExceptHandler)]
    assert [(h.lineno, [(e.lineno, e.col_offset) for e in h.type.elts]) for h in handlers] \
        == [(3, [(3, 7), (3, 19)]), (7, [(7, 9), (7, 18)])]
    assert run({PATH: source}, ["AG000"]) == []


def test_a_real_error_beside_an_except_group_is_still_reported() -> None:
    source = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\ndef broken(:\n"
    (diagnostic,) = run({PATH: source}, ["AG000"])
    assert (diagnostic.line, "needs Python" in diagnostic.message) == (5, False)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="parses on Python 3.12+")
def test_pep695_syntax_names_python_312() -> None:
    (diagnostic,) = run({PATH: "type Pair = tuple[int, int]\n"}, ["AG000"])
    assert "needs Python 3.12 or newer" in diagnostic.message
