"""AG805's one cross-file judgement: a session mock that no test of its suite receives.

semgrep sees one file at a time. A ``conftest.py`` fixture that yields ``AsyncMock(spec=
AsyncSession)`` is a fake database for the tests that request it, and a placeholder when none
does: polar's CLI and event-stream suites override the global ``session`` fixture so that the
parent conftest's setup does not reach Postgres, and no test of the suite takes ``session``.
A finding is dropped when the mock is the value a fixture of a ``conftest.py`` returns or
yields and no function of that conftest's folder (tests, fixtures, helpers, nested folders
included) has a parameter of the fixture's name, names it in ``usefixtures(...)`` or
``getfixturevalue(...)``. A file of the suite that cannot be read or parsed keeps the finding.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from archguard.analysis.facts import dotted_name
from archguard.diagnostics import Diagnostic
from archguard.semgrep.trees import Trees

CODE = "AG805"
_BY_NAME = frozenset({"usefixtures", "getfixturevalue"})


def drop_placeholder_mocks(trees: Trees, diagnostics: list[Diagnostic], files: list[str],
                           ) -> list[Diagnostic]:
    """``diagnostics`` without the AG805 findings of session mocks no test receives."""
    candidates = [d for d in diagnostics
                  if d.code == CODE and PurePosixPath(d.path).name == "conftest.py"]
    if not candidates:
        return diagnostics
    dropped: set[int] = set()
    for diagnostic in candidates:
        tree = trees.get(diagnostic.path)
        name = _fixture_yielding(tree, diagnostic.line) if tree is not None else None
        if name is None:
            continue
        folder = PurePosixPath(diagnostic.path).parent
        suite = [path for path in files if PurePosixPath(path).is_relative_to(folder)]
        if not any(_requests(trees.get(path), name) for path in suite):
            dropped.add(id(diagnostic))
    return [d for d in diagnostics if id(d) not in dropped]


def _fixture_yielding(tree: ast.Module, line: int) -> str | None:
    """The name of the module-level fixture whose ``return``/``yield`` value is the call on
    ``line``, else None."""
    for function in tree.body:
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        name = _fixture_name(function)
        if name is None:
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Return, ast.Yield)) and isinstance(node.value, ast.Call) \
                    and node.value.lineno == line:
                return name
    return None


def _fixture_name(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The fixture name of a ``@pytest.fixture``/``@pytest_asyncio.fixture`` (any call form,
    ``name=`` honoured), else None."""
    for decorator in function.decorator_list:
        called = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (dotted_name(called) or "").rpartition(".")[2] != "fixture":
            continue
        given = next((k.value for k in decorator.keywords if k.arg == "name"), None) \
            if isinstance(decorator, ast.Call) else None
        if isinstance(given, ast.Constant) and isinstance(given.value, str):
            return given.value
        return function.name
    return None


def _requests(tree: ast.Module | None, name: str) -> bool:
    """Does a function of ``tree`` receive fixture ``name`` (a fixture wrapping its parent
    of the same name included)? An unreadable file might."""
    if tree is None:
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            if any(a.arg == name for a in (*arguments.posonlyargs, *arguments.args,
                                           *arguments.kwonlyargs)):
                return True
        elif isinstance(node, ast.Call) and \
                (dotted_name(node.func) or "").rpartition(".")[2] in _BY_NAME and \
                any(isinstance(a, ast.Constant) and a.value == name for a in node.args):
            return True
    return False
