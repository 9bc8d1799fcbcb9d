"""The fix records JSON/SARIF show: pinned for every fixable rule on a fixture tree where
one file has several findings of one rule and of several rules (so the fixes of a file
share one parse and its trees), and the faster paths compared with libcst's.

``tests/data/golden/fix_records.json`` (the fixable rules' findings) was written by the
libcst-only fixes (before the shared walks and the AG501/AG301/AG802 text paths); it must
not change.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import libcst as cst
import pytest
from helpers import write_tree

from archguard.cli import main
from archguard.project.config import Config
from archguard.rules.cst_tools import rebuilt, walk
from archguard.rules.errors_fix import hoist_with_libcst
from archguard.rules.errors_fix_text import hoist_on_text
from archguard.rules.fix_trees import plain_ast_or_none
from archguard.rules.fixing import FixRequest
from archguard.rules.schemas_fix import derive_with_libcst
from archguard.rules.schemas_fix_text import derive_on_text
from archguard.rules.style_fix_cst import annotate_with_libcst
from archguard.rules.style_fix_text import annotate_on_text
from archguard.run.runner import check_sources

TREE = Path(__file__).parent / "data" / "fix_records"
GOLDEN = Path(__file__).parent / "data" / "golden" / "fix_records.json"


FIXABLE = {"AG103", "AG201", "AG301", "AG305", "AG501", "AG502", "AG801", "AG802"}


def json_report(root: Path, capsys: pytest.CaptureFixture[str], *options: str) -> list[dict]:
    """The findings of the fixable rules, with their fix records."""
    main(["check", str(root), "--no-semgrep", "--format", "json", "--exit-zero",
          "--unsafe-fixes", *options])
    return [d for d in json.loads(capsys.readouterr().out)["diagnostics"]
            if d["code"] in FIXABLE]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fix_records_of_every_fixable_rule_are_pinned(tmp_path: Path, jobs: str,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      ) -> None:
    monkeypatch.setattr("archguard.fix.parallel.PARALLEL_MIN_GROUPS", 2)  # -j 2: the pool
    monkeypatch.setattr("archguard.fix.parallel.PARALLEL_MIN_CHARS", 0)
    root = tmp_path / "project"
    shutil.copytree(TREE, root)
    found = json_report(root, capsys, "--no-cache", "-j", jobs)
    assert found == json.loads(GOLDEN.read_text(encoding="utf-8"))
    fixed = {d["code"] for d in found if d["fix"] and d["fix"]["edits"]}
    assert fixed == FIXABLE
    service = [d["code"] for d in found if d["path"] == "cpv3/modules/users/service.py"]
    assert service.count("AG501") == 6 and service.count("AG802") == 3 and "AG801" in service
    # the cached records are the same records
    assert json_report(root, capsys, "-j", jobs) == found
    assert json_report(root, capsys, "-j", jobs) == found


SERVICE = "cpv3/modules/users/service.py"
HOIST_SHAPES = {  # name -> source: the shapes AG501's text path takes, and some it leaves
    "usual": '''"""Doc."""

from fastapi import HTTPException

LIMIT = 1


def f(x: int) -> None:
    if x:
        raise HTTPException(status_code=400, detail="Bad value")
    raise ValueError("Bad value")
''',
    "type checking block before": '''from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from x import Y


def f() -> None:
    raise ValueError("Nothing here")
''',
    "type checking block with a trailing comment": '''from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from x import Y
    # the block's own comment

def f() -> None:
    raise ValueError("Nothing here")
''',
    "no blank line after the imports": '''import os
def f() -> None:
    raise ValueError(f"No {os.sep!r:>3} here")
''',
    "existing constant reused": '''import os

ERROR_NO_FILE = "No file"
ERROR_OTHER: str = 'Other'


def f() -> None:
    raise ValueError("No file")
''',
    "a clashing name": '''import os


def f() -> None:
    ERROR_NO_FILE = 1
    raise ValueError("No file")
''',
    "a name only in a comment": '''import os


def f() -> None:  # ERROR_NO_FILE
    raise ValueError("No file")
''',
    "over lines in a block": '''import os


class S:
    def f(self) -> None:
        raise ValueError(
            "First part, "
                "second part"
        )
        raise ValueError(f"A {os.sep} "
                         "b")
''',
    "a triple-quoted message": '''import os


def f() -> None:
    raise ValueError("""Line one
    line two""")
''',
    "its own parentheses": '''import os


def f() -> None:
    raise ValueError(("Wrapped"))
''',
    "its own parentheses in a keyword, over lines": '''from fastapi import HTTPException


def f(x: int) -> None:
    if x:
        raise HTTPException(
            status_code=400,
            detail=(
                "A long message "
                f"on two lines {x}"
            ),
        )
    raise HTTPException(400, ( "Spaced" ))
''',
    "a comment in its own parentheses": '''from fastapi import HTTPException


def f() -> None:
    raise HTTPException(
        status_code=400,
        detail=(  # why
            "Commented"
        ),
    )
''',
    "first argument after a comment": '''import os


def f() -> None:
    raise ValueError(  # why
        "Commented"
    )
''',
    "used above the constants": '''import os

try:
    import x
except ImportError:
    raise RuntimeError("x is required")

from y import z
''',
    "nested f-string field": '''import os


def f(w: int) -> None:
    raise ValueError(f"Width {os.sep:{w}}")
''',
    "an except group without parentheses (PEP 758)": '''import os


def f() -> None:
    try:
        pass
    except ValueError, TypeError:
        raise RuntimeError("Either error")
''',
    "a message on a PEP 758 except line": '''import os


def f() -> None:
    try:
        pass
    except ValueError, TypeError: raise RuntimeError(
        "Same line")
''',
    "crlf": 'import os\r\n\r\n\r\ndef f() -> None:\r\n    raise ValueError("Crlf")\r\n',
    "statements on one line": '''import os; import sys


def f() -> None:
    raise ValueError("Semicolons")
''',
    "nothing after the imports": '''import os

raise ValueError("At the end")
''',
}
LEFT_TO_LIBCST = {"crlf", "statements on one line", "a comment in its own parentheses",
                  "a name only in a comment", "first argument after a comment",
                  "type checking block with a trailing comment"}


@pytest.mark.parametrize("shape", sorted(HOIST_SHAPES))
def test_ag501_text_path_gives_exactly_what_libcst_gives(tmp_path: Path, shape: str) -> None:
    source = HOIST_SHAPES[shape]
    findings = tuple(d for d in check_sources({SERVICE: source}, Config(), select=["AG501"]))
    assert findings, shape
    request = FixRequest(tmp_path, SERVICE, source, findings, Config(), (SERVICE,))
    fast = hoist_on_text(request)
    if shape in LEFT_TO_LIBCST or (shape == "a message on a PEP 758 except line" and
                                   plain_ast_or_none(source) is None):  # the shim's columns
        assert fast is None
        return
    assert fast is not None
    reference = hoist_with_libcst(request)
    assert fast.changes == reference.changes
    assert fast.skipped == reference.skipped


SCHEMAS = "cpv3/modules/users/schemas.py"
SCHEMA_BASE = '''from pydantic import BaseModel


class Schema(BaseModel):
    pass


class Page(Schema):
    pass
'''
DERIVE_SHAPES = {  # name -> source: the shapes AG301's text path takes, and some it leaves
    "usual": '''"""Doc."""

from __future__ import annotations

from pydantic import BaseModel


class UserRead(BaseModel):
    id: int


@decorated
class UserCreate(BaseModel):
    name: str
''',
    "other pydantic names stay": '''from pydantic import (
    BaseModel,
    Field,
)
CONSTANT = 1


class UserRead(BaseModel):
    id: int = Field(1)
''',
    "BaseModel used elsewhere": '''from pydantic import BaseModel, Field


class UserRead(BaseModel):
    id: int = Field(1)


def f(x: object) -> bool:
    return isinstance(x, BaseModel)
''',
    "BaseModel only in a comment and a docstring": '''"""BaseModel subclasses."""
from pydantic import BaseModel  # BaseModel: pydantic's

# the first BaseModel


class UserRead(BaseModel):
    """Not a BaseModel any more: "#" BaseModel."""
''',
    "BaseModel named in an f-string": '''from pydantic import BaseModel


class UserRead(BaseModel):
    id: int


LABEL = f"{BaseModel.__name__} # BaseModel"
''',
    "joins an import of the base's module": '''from pydantic import BaseModel

from cpv3.common.schemas import Page


class UserRead(BaseModel):
    items: list[Page]
''',
    "joins a parenthesized import with a trailing comma": '''from pydantic import BaseModel

from cpv3.common.schemas import (
    Other,
    Page,  # pages
)


class UserRead(BaseModel):
    items: list[Page]
''',
    "already imported under another name": '''from pydantic import BaseModel

from cpv3.common.schemas import Schema as Base


class UserRead(BaseModel):
    id: int


class UserList(Base):
    items: list[UserRead]
''',
    "the name is already bound": '''from pydantic import BaseModel


class UserRead(BaseModel):
    id: int


def Schema() -> None:
    pass
''',
    "the name only in a string": '''from pydantic import BaseModel

NAME = "Schema"


class UserRead(BaseModel):
    id: int
''',
    "dotted base, nested class": '''import pydantic


def build() -> type:
    class UserRead(pydantic.BaseModel):
        id: int

    return UserRead
''',
    "after a type checking block": '''from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from x import Y

X = 1


class UserRead(BaseModel):
    id: int


class Both(BaseModel, Y):
    pass
''',
    "an import statement goes with its comment": '''import os

# models
from pydantic import BaseModel
from sqlalchemy import Column


class UserRead(BaseModel):
    id: int
''',
    "a subscripted base": '''from pydantic import RootModel


class Ids(RootModel[list[int]]):
    pass
''',
    "its own parentheses": '''from pydantic import BaseModel


class UserRead((BaseModel)):
    id: int
''',
    "crlf": ('from pydantic import BaseModel\r\n\r\n\r\nclass UserRead(BaseModel):\r\n'
             '    id: int\r\n'),
    "imported in a block": '''try:
    from pydantic import BaseModel
except ImportError:
    raise


class UserRead(BaseModel):
    id: int
''',
    "after a block with a trailing comment": '''import os

if os.sep:
    from pydantic import BaseModel
    # the end of the block
x = 1


class UserRead(BaseModel):
    id: int
''',
}
DERIVE_LEFT_TO_LIBCST = {"a subscripted base", "its own parentheses", "crlf",
                         "imported in a block", "after a block with a trailing comment"}


@pytest.mark.parametrize("shape", sorted(DERIVE_SHAPES))
def test_ag301_text_path_gives_exactly_what_libcst_gives(tmp_path: Path, shape: str) -> None:
    source = DERIVE_SHAPES[shape]
    base = "cpv3/common/schemas.py"
    sources = {base: SCHEMA_BASE.replace("class Page", "class Other(Schema):\n    pass\n\n\n"
                                         "class Page"), SCHEMAS: source}
    findings = tuple(d for d in check_sources(sources, Config(), select=["AG301"])
                     if d.path == SCHEMAS)
    assert findings, shape
    request = FixRequest(tmp_path, SCHEMAS, source, findings, Config(), (base, SCHEMAS))
    fast = derive_on_text(request)
    if shape in DERIVE_LEFT_TO_LIBCST:
        assert fast is None
        return
    assert fast is not None
    reference = derive_with_libcst(request)
    assert fast.changes == reference.changes
    assert fast.skipped == reference.skipped
    if shape == "the name is already bound":  # the libcst fix's refusal, word for word
        assert not fast.changes and {why for _, why in fast.skipped} == {
            "the name 'Schema' already means something else here"}
    else:
        assert fast.changes


def test_ag301_text_path_needs_the_base_in_the_project(tmp_path: Path) -> None:
    source = DERIVE_SHAPES["usual"]
    findings = tuple(check_sources({SCHEMAS: source}, Config(), select=["AG301"]))
    request = FixRequest(tmp_path, SCHEMAS, source, findings, Config(), (SCHEMAS,))
    fast = derive_on_text(request)
    assert fast is not None and not fast.changes
    assert fast.skipped == derive_with_libcst(request).skipped
    assert {why for _, why in fast.skipped} == {
        "the schema base's module 'cpv3.common.schemas' is not in the project"}


ANNOTATE_SHAPES = {  # name -> source: the shapes AG802's text path takes, and one it leaves
    "usual": '''from __future__ import annotations


def f(x: int) :
    print(x)


async def g(
    x: int = 1,  # a comment (with a parenthesis
    y: str = ")",
) :
    print(x, y)


class C:
    @property
    def h(self, z: dict[str, int] = {"(": 1}):
        def inner(q=(lambda: 1)):
            print(q)

        inner()
''',
    "one line": '''from __future__ import annotations


def f(x: int): print(x)
''',
    "crlf": 'from __future__ import annotations\r\n\r\n\r\ndef f(x: int):\r\n    print(x)\r\n',
}


@pytest.mark.parametrize("shape", sorted(ANNOTATE_SHAPES))
def test_ag802_text_path_gives_exactly_what_libcst_gives(tmp_path: Path, shape: str) -> None:
    source = ANNOTATE_SHAPES[shape]
    findings = tuple(d for d in check_sources({SERVICE: source}, Config(), select=["AG802"]))
    assert findings, shape
    findings = (*findings, dataclasses.replace(findings[0], line=1))  # no def on line 1
    request = FixRequest(tmp_path, SERVICE, source, findings, Config(), (SERVICE,))
    fast = annotate_on_text(request)
    if shape == "crlf":
        assert fast is None
        return
    assert fast is not None
    reference = annotate_with_libcst(request)
    assert fast.changes == reference.changes and fast.changes
    assert fast.skipped == reference.skipped == [(findings[-1],
                                                  "no unannotated function at this line")]


WALKED = '''"""Every kind of node the fixes meet."""
from __future__ import annotations
from . import a as b, c
from .x import *
import os.path as p

@decorate(1, key="v")
async def f(x: int = 1, *args: str, y: "T" = ..., **kw) -> None:
    """Doc."""
    global G
    async with open("f") as h, g() as (i, j):
        async for k in h:
            yield f"{k!r:>{x}} and {k=}" "tail" + b"bytes"
    try:
        pass
    except* (ValueError, TypeError) as error:
        raise RuntimeError("no") from error
    match x:
        case {"a": 1, **rest}: pass
        case Point(x=0, y=[1, *others]) | None: pass
    lambda q, /, r=2: q if r else -r
    return [n async for n in h if n] or {m: m for m in ()} or {*s} or (yield)


class C(Base, metaclass=Meta):
    x: T = 1
    y = z = (1, *w)
    del x[1:2, ::3], x.attr
'''


def test_walk_visits_what_libcst_visits_in_its_order() -> None:
    module = cst.parse_module(WALKED)
    seen: list[cst.CSTNode] = []

    class Record(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            seen.append(node)
            return True

    module.visit(Record())
    walked = list(walk(module))
    assert len(walked) == len(seen) and all(a is b for a, b in zip(walked, seen))
    strings = [n for n in walk(module, (cst.SimpleString, cst.ConcatenatedString,
                                        cst.FormattedString))]
    assert len(strings) < len(walked)
    assert not any(isinstance(n, cst.FormattedStringText) for n in strings)


def test_rebuilt_is_what_a_transformer_makes() -> None:
    module = cst.parse_module(WALKED)
    names = [n for n in walk(module) if isinstance(n, cst.Name) and n.value in ("x", "k")]
    imports = [n for n in walk(module) if isinstance(n, cst.SimpleStatementLine)
               and isinstance(n.body[0], cst.ImportFrom)]
    targets = {id(n) for n in names}

    def rename(updated: cst.CSTNode) -> cst.CSTNode:
        return updated.with_changes(value=updated.value.upper())  # type: ignore[attr-defined]

    class Rename(cst.CSTTransformer):
        def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode,
                     ) -> cst.CSTNode | cst.RemovalSentinel:
            if id(original) in targets:
                return rename(updated)
            if id(original) == id(imports[0]):
                return cst.RemoveFromParent()
            return updated

    changes = {id(n): rename for n in names}
    def remove(_: cst.CSTNode) -> cst.CSTNode:
        return cst.RemoveFromParent()  # type: ignore[return-value]

    changes[id(imports[0])] = remove
    expected = module.visit(Rename()).code
    assert rebuilt(module, changes).code == expected
    assert "async for K in h" in expected and "from __future__" not in expected
    assert rebuilt(module, {}) is module


LONG_BLOCK = "".join(f"    x{n} = {n}\n" for n in range(100))
ANNOTATED = "\n\ndef g(y: int) -> None:\n    pass\n"  # AG801 reports annotated files
AG801_LONG_SHAPES = {  # the first lines are parsed alone: statements that cross the cut
    "long docstring": '"""Doc.\n' + "more\n" * 100 + '"""\nimport os\n'
                      + LONG_BLOCK.replace("    ", ""),
    "first class crosses the cut": "# header\n\n@decorate\nclass A:\n" + LONG_BLOCK + "B = 1\n",
    "else beyond the cut": '"""Doc."""\nif A:\n' + LONG_BLOCK + "else:\n    pass\n",
    "docstring then a long call": '"""Doc."""\nCALL = f(\n' + "    1,\n" * 100 + ")\n",
    "docstring and code on its last line": '"""Doc.\n' + "more\n" * 70 + '"""; import os\n',
}


@pytest.mark.parametrize("shape", sorted(AG801_LONG_SHAPES))
def test_ag801_on_the_first_lines_gives_what_libcst_gives(tmp_path: Path, shape: str) -> None:
    from archguard.rules.style_fix import _future_on_text
    from archguard.rules.style_fix_cst import future_with_libcst

    source = AG801_LONG_SHAPES[shape] + ANNOTATED
    findings = tuple(d for d in check_sources({SERVICE: source}, Config(), select=["AG801"]))
    assert len(findings) == 1, shape
    request = FixRequest(tmp_path, SERVICE, source, findings, Config(), (SERVICE,))
    fast = _future_on_text(request)
    if shape == "docstring and code on its last line":
        assert fast is None
        return
    assert fast is not None
    assert fast.changes == future_with_libcst(request).changes


LIBCST_PROBE = """
import sys
from archguard.cli import main
code = main(["check", sys.argv[1], "--no-semgrep", "--no-cache", "--format", "json",
             "--exit-zero", "--output-file", sys.argv[2]])
print(code, "libcst" in sys.modules)
"""


@pytest.mark.parametrize("source, imported", [
    # AG801, AG802, AG301 and AG201 in their usual shapes: fixed on the text
    ('"""Doc."""\n\nfrom pydantic import BaseModel\n\nfrom .schemas import Base\n\n\n'
     'class UserRead(BaseModel):\n    name: str\n\n\ndef ping():\n    print("x")\n', False),
    # AG501's constants are worded by libcst
    ('from __future__ import annotations\n\nfrom fastapi import HTTPException\n\n\n'
     'def fail() -> None:\n    raise HTTPException(status_code=404, detail="User not found")\n',
     True),
])
def test_fixes_made_on_the_text_do_not_import_libcst(tmp_path: Path, source: str,
                                                     imported: bool) -> None:
    """libcst's import is about 0.1 s, most of a one-file JSON run's fix records."""
    import subprocess
    import sys

    root = write_tree(tmp_path / "project", {
        "pyproject.toml": "[tool.archguard]\n",
        "cpv3/__init__.py": "",
        "cpv3/common/schemas.py": "from pydantic import BaseModel\n\n\nclass Schema(BaseModel):\n"
                                  "    pass\n",
        "cpv3/modules/users/service.py": source,
    })
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", LIBCST_PROBE, str(root), str(report)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", str(imported)]
    fixed = {d["code"] for d in json.loads(report.read_text())["diagnostics"] if d["fix"]}
    assert fixed >= ({"AG501"} if imported else {"AG201", "AG301", "AG801", "AG802"})
