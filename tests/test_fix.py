"""``check --fix``, ``--unsafe-fixes``, ``--diff``, ``--show-fixes``, the fixes in JSON and
SARIF, ``fixable``/``unfixable``, and ``archguard scaffold``: on real files, through the CLI.

Per rule, ``tests/data/fixes/<CODE>/before`` is fixed and compared byte for byte with
``after`` (hand-reviewed: only the fixed lines change), then fixed again: nothing changes.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from archguard.cli import main

FIXTURES = Path(__file__).parent / "data" / "fixes"
CODES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
SAMPLE = Path(__file__).parent.parent / "sample_project"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def tree_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".archguard_cache" not in p.parts}


def fix(root: Path, *options: str) -> int:
    return main(["check", str(root), "--no-semgrep", "--format", "concise", *options])


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(source, target)
    return target


def test_every_fixable_rule_has_a_fixture() -> None:
    from archguard.rules.registry import all_rules

    assert CODES == sorted(r.code for r in all_rules() if r.fix_summary)
    assert CODES == ["AG103", "AG201", "AG301", "AG305", "AG501", "AG502", "AG801", "AG802"]


@pytest.mark.parametrize("code", CODES)
def test_fix_turns_before_into_after_and_is_idempotent(code: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       ) -> None:
    root = copy(FIXTURES / code / "before", tmp_path)
    fix(root, "--fix", "--unsafe-fixes", "--select", code)
    assert tree_files(root) == tree_files(FIXTURES / code / "after")
    capsys.readouterr()
    assert fix(root, "--diff", "--unsafe-fixes", "--select", code) == 0  # nothing left to do
    assert capsys.readouterr().out == ""
    fix(root, "--fix", "--unsafe-fixes", "--select", code)
    assert tree_files(root) == tree_files(FIXTURES / code / "after")


@pytest.mark.parametrize("code", CODES)
def test_every_fixed_file_compiles(code: str) -> None:
    for path in (FIXTURES / code / "after").rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_formatting_outside_the_fix_is_kept() -> None:
    """Only the lines a fix is about change: every other line of ``before`` is in ``after``
    unchanged and in order (the byte-exact comparison above pins the rest)."""
    import difflib

    for code in CODES:
        for before in (FIXTURES / code / "before").rglob("*.py"):
            after = FIXTURES / code / "after" / before.relative_to(FIXTURES / code / "before")
            old = before.read_text().splitlines()
            new = after.read_text().splitlines()
            matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
            changed = sum(i2 - i1 for tag, i1, i2, _, _ in matcher.get_opcodes()
                          if tag in ("replace", "delete"))
            assert changed <= 12, (code, before)  # the fixes, never a reformat


def test_fix_reports_what_remains_and_exits_by_it(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = copy(FIXTURES / "AG201" / "before", tmp_path)
    assert fix(root, "--fix", "--select", "AG201", "--show-fixes") == 1  # one cannot be fixed
    out = capsys.readouterr().out
    assert out.startswith("Fixed 4 findings:\n")
    assert "service.py:13:1: AG201 [relative-import] relative import 'from .... import " \
        "outside' reaches above the package root\n" in out
    assert out.rstrip().endswith("(2 files checked; 4 fixed; semgrep rules off: --no-semgrep).")
    root = copy(FIXTURES / "AG801" / "before", tmp_path / "b")
    assert fix(root, "--fix", "--select", "AG801") == 0  # everything fixed: exit 0


def test_unsafe_fixes_need_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy(FIXTURES / "AG305" / "before", tmp_path)
    before = tree_files(root)
    assert fix(root, "--select", "AG305") == 1
    out = capsys.readouterr().out
    # as in ruff, [*] marks what this run's --fix would fix: an unsafe fix only with the flag
    assert "AG305 [implicit-column-type] mapped_column()" in out and "[*]" not in out
    assert out.rstrip().endswith("0 fixable with --fix (6 more with --unsafe-fixes).")
    assert fix(root, "--unsafe-fixes", "--select", "AG305") == 1
    assert "AG305 [implicit-column-type] [*] mapped_column()" in capsys.readouterr().out
    assert fix(root, "--fix", "--select", "AG305") == 1
    assert tree_files(root) == before  # unsafe: nothing applied without --unsafe-fixes


def test_diff_writes_nothing_and_exits_1(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = copy(FIXTURES / "AG802" / "before", tmp_path)
    before = tree_files(root)
    assert fix(root, "--diff", "--select", "AG802") == 1
    out = capsys.readouterr().out
    assert tree_files(root) == before
    assert out.startswith("--- a/cpv3/modules/media/service.py\n"
                          "+++ b/cpv3/modules/media/service.py\n")
    assert "-def log(message: str):  # no value returned: -> None\n" \
           "+def log(message: str) -> None:  # no value returned: -> None\n" in out


def test_unfixable_and_fixable_config(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = copy(FIXTURES / "AG801" / "before", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'unfixable = ["AG8"]\n')
    sources = {p: t for p, t in tree_files(root).items() if p.endswith(".py")}

    def unchanged() -> bool:
        return {p: t for p, t in tree_files(root).items() if p.endswith(".py")} == sources

    assert fix(root, "--fix", "--select", "AG801") == 1
    assert unchanged()
    assert "[*]" not in capsys.readouterr().out
    pyproject.write_text(pyproject.read_text().replace('unfixable = ["AG8"]',
                                                       'fixable = ["AG2"]'))
    assert fix(root, "--fix", "--select", "AG801") == 1
    assert unchanged()
    pyproject.write_text(pyproject.read_text().replace('fixable = ["AG2"]',
                                                       'fixable = ["AG9"]'))
    capsys.readouterr()
    assert fix(root, "--fix") == 2  # an unknown code is a config error
    assert "unknown rule code or prefix 'AG9' in [tool.archguard] fixable" in \
        capsys.readouterr().err


def test_a_result_that_does_not_compile_is_never_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from archguard.rules import style_fix
    from archguard.rules.fixing import FixOutput, FixRequest

    def broken(request: FixRequest) -> FixOutput:
        return FixOutput(changes={request.path: request.text + "def (:\n"})

    monkeypatch.setattr(style_fix, "add_future_import", broken)
    root = copy(FIXTURES / "AG801" / "before", tmp_path)
    before = tree_files(root)
    assert fix(root, "--fix", "--select", "AG801", "-j", "1") == 1
    assert tree_files(root) == before
    assert "AG801 fix dropped: its result does not compile" in capsys.readouterr().err


def test_several_rules_fix_one_file_together(tmp_path: Path) -> None:
    """AG801, AG201, AG501 and AG802 edit one file; their edits do not overlap."""
    root = tmp_path / "project"
    (root / "cpv3" / "modules" / "media").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.archguard]\nmodule-names = ["media"]\n')
    (root / "cpv3" / "__init__.py").write_text("")
    service = root / "cpv3" / "modules" / "media" / "service.py"
    service.write_text('from .schemas import MediaRead\n\n\n'
                       'def get(media: MediaRead):\n'
                       '    print(media)\n'
                       '    raise ValueError("Media not found")\n')
    assert fix(root, "--fix", "--select", "AG201,AG501,AG801,AG802") == 0
    assert service.read_text() == (
        "from __future__ import annotations\n\n"
        "from cpv3.modules.media.schemas import MediaRead\n\n"
        'ERROR_MEDIA_NOT_FOUND = "Media not found"\n\n\n'
        "def get(media: MediaRead) -> None:\n"
        "    print(media)\n"
        "    raise ValueError(ERROR_MEDIA_NOT_FOUND)\n")


def test_overlapping_edits_conflict_and_the_rest_apply_together() -> None:
    from archguard.fix.edits import Change, apply_changes, changes_between

    insert, other_insert = Change(5, 5, "a"), Change(5, 5, "b")
    replace, inside = Change(3, 8, "x"), Change(6, 6, "y")
    assert insert.conflicts(other_insert)  # two insertions at one place: order unknown
    assert replace.conflicts(inside) and inside.conflicts(replace)
    assert not Change(3, 5, "x").conflicts(insert)  # touching ends do not overlap
    assert not Change(0, 0, "head ").conflicts(Change(6, 7, "X"))
    text = "from .x import y\n"
    assert apply_changes(text, [Change(0, 0, "# top\n"), *changes_between(
        text, "from a.x import y\n")]) == "# top\nfrom a.x import y\n"
    assert changes_between(text, "from a.x import y\n") == [Change(5, 5, "a")]


def test_json_carries_each_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy(FIXTURES / "AG502" / "before", tmp_path)
    assert main(["check", str(root), "--no-semgrep", "--format", "json",
                 "--select", "AG502,AG103"]) == 1
    data = json.loads(capsys.readouterr().out)
    # safe: the private constant; unsafe: three uses of the public one, and the two module
    # folders missing role files (one finding per folder, 8 files in all)
    assert data["summary"]["fixable"] == 1 and data["summary"]["unsafe_fixable"] == 5
    by_line = {(d["code"], d["path"], d["line"]): d["fix"] for d in data["diagnostics"]}
    private = by_line[("AG502", "cpv3/modules/users/service.py", 13)]
    assert private["applicability"] == "safe"
    assert private["edits"] == [
        {"path": "cpv3/modules/users/service.py", "line": 7, "column": 1, "end_line": 7,
         "end_column": 1, "content": "ERROR"},  # _NO_EMAIL -> ERROR_NO_EMAIL
        {"path": "cpv3/modules/users/service.py", "line": 13, "column": 49, "end_line": 13,
         "end_column": 49, "content": "ERROR"}]
    public = by_line[("AG502", "cpv3/modules/users/service.py", 12)]
    assert public["applicability"] == "unsafe"
    assert sorted({e["path"] for e in public["edits"]}) == [
        "cpv3/modules/media/router.py", "cpv3/modules/media/service.py",
        "cpv3/modules/users/__init__.py",
        "cpv3/modules/users/errors.py", "cpv3/modules/users/service.py"]
    created = sorted(e["path"] for d in data["diagnostics"] if d["code"] == "AG103"
                     for e in d["fix"]["edits"])
    assert len(created) == 8 and "cpv3/modules/users/router.py" in created  # one a finding
    media = next(d for d in data["diagnostics"]
                 if d["code"] == "AG103" and d["message"].startswith("module 'media' has no"))
    repository = next(e for e in media["fix"]["edits"]
                      if e["path"] == "cpv3/modules/media/repository.py")
    assert repository["content"].startswith('"""Data access of the media module')


def test_sarif_fixes_are_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    root = copy(FIXTURES / "AG201" / "before", tmp_path)
    assert main(["check", str(root), "--no-semgrep", "--format", "sarif",
                 "--select", "AG201"]) == 1
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(SCHEMA.read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))
    assert errors == []
    results = log["runs"][0]["results"]
    fixes = [r.get("fixes") for r in results]
    assert sum(1 for f in fixes if f) == 4 and fixes.count(None) == 1  # the climbing one
    change = next(f for f in fixes if f)[0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"].endswith("cpv3/modules/media/service.py")
    assert change["replacements"][0]["insertedContent"]["text"] == "cpv3.modules.media"


def test_sample_project_end_to_end(tmp_path: Path) -> None:
    """--fix --unsafe-fixes, then check: every fixable finding gone, no new code, every
    file that compiled still compiles, and a second --fix changes nothing."""
    from archguard.run.runner import CheckRequest, run_check

    root = copy(SAMPLE, tmp_path)
    request = CheckRequest(paths=[root], semgrep=False, use_cache=False)
    before = run_check(request).diagnostics
    compiled = {p for p in root.rglob("*.py") if _compiles(p)}
    assert main(["check", str(root), "--no-semgrep", "--fix", "--unsafe-fixes", "-o",
                 str(tmp_path / "out.txt")]) == 1
    after = run_check(request).diagnostics
    assert [d for d in after if d.fix] == []
    assert {d.code for d in after} <= {d.code for d in before}
    # exactly the fixable ones (a route's missing return type is AG505 alone, which --fix
    # leaves to a person: one finding per problem)
    assert len(before) - len(after) == sum(1 for d in before if d.fix)
    assert all(_compiles(p) for p in compiled)
    snapshot = tree_files(root)
    assert main(["check", str(root), "--no-semgrep", "--fix", "--unsafe-fixes", "-o",
                 str(tmp_path / "out.txt")]) == 1
    assert tree_files(root) == snapshot


def _compiles(path: Path) -> bool:
    try:
        compile(path.read_bytes(), str(path), "exec")
        return True
    except (SyntaxError, ValueError):
        return False


def test_scaffold_writes_six_files_that_pass_every_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy(FIXTURES / "AG103" / "before", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"users"]', '"users", "billing"]'))
    shutil.copytree(FIXTURES / "AG301" / "before" / "cpv3" / "common", root / "cpv3" / "common")
    assert main(["scaffold", "billing", str(root)]) == 0
    assert "created 6 files in cpv3/modules/billing/" in capsys.readouterr().out
    folder = root / "cpv3" / "modules" / "billing"
    assert sorted(p.name for p in folder.iterdir()) == [
        "__init__.py", "models.py", "repository.py", "router.py", "schemas.py", "service.py"]
    assert "class BillingRead(Schema):" in (folder / "schemas.py").read_text()
    assert main(["check", str(folder), "--select", "ALL", "--format", "concise"]) == 0
    assert main(["scaffold", "billing", str(root)]) == 2  # exists: refused
    assert "already exists" in capsys.readouterr().err
    assert main(["scaffold", "Bad-Name", str(root)]) == 2


def test_no_fix_imports_a_schema_base_the_project_lacks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """AG301's fix and the schemas template import the configured base only when it is a
    class of the project (an unsafe fix must not add a broken import)."""
    root = copy(FIXTURES / "AG301" / "before", tmp_path)
    shutil.rmtree(root / "cpv3" / "common")
    assert fix(root, "--fix", "--unsafe-fixes", "--select", "AG301") == 1
    assert "[*]" not in capsys.readouterr().out
    assert main(["scaffold", "billing", str(root)]) == 0
    schemas = (root / "cpv3" / "modules" / "billing" / "schemas.py").read_text()
    assert "import" not in schemas.replace("from __future__ import annotations", "")


def test_warm_text_run_without_fix_does_not_import_libcst(tmp_path: Path) -> None:
    import subprocess

    root = copy(FIXTURES / "AG801" / "before", tmp_path)
    code = ("import sys; from archguard.cli import main; "
            f"main(['check', {str(root)!r}, '--no-semgrep', '-o', '/dev/null']); "
            "print('libcst' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def regenerate() -> None:
    """Rewrite every ``after/`` tree from its ``before/`` (review the diff afterwards)."""
    import tempfile

    for code in CODES:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "project"
            shutil.copytree(FIXTURES / code / "before", root)
            fix(root, "--fix", "--unsafe-fixes", "--select", code, "--no-cache")
            shutil.rmtree(FIXTURES / code / "after", ignore_errors=True)
            shutil.copytree(root, FIXTURES / code / "after",
                            ignore=shutil.ignore_patterns(".archguard_cache"))


def test_docs_fixes_table_is_in_sync() -> None:
    """docs/fixes.md's table is generated from the rule classes (like the README's):
    ``python -m archguard.rules.docs docs/fixes.md fixes-table`` rewrites it."""
    from archguard.rules.docs import fixes_table

    page = (Path(__file__).parent.parent / "docs" / "fixes.md").read_text()
    assert f"<!-- fixes-table:start -->\n{fixes_table()}\n<!-- fixes-table:end -->" in page


def test_explain_shows_the_autofix() -> None:
    from archguard.rules.docs import explain_text
    from archguard.rules.registry import find_rule

    assert "Autofix\n    safe (`archguard check --fix`): adds `-> None`" in explain_text(
        find_rule("AG802"))
    assert "Autofix\n    unsafe (`archguard check --fix --unsafe-fixes`): passes the SQL " \
        "type" in explain_text(find_rule("AG305"))
    assert "Autofix" not in explain_text(find_rule("AG202"))


def test_crlf_newlines_and_permissions_are_kept(tmp_path: Path) -> None:
    root = copy(FIXTURES / "AG201" / "before", tmp_path)
    service = root / "cpv3" / "modules" / "media" / "service.py"
    service.write_bytes(b"from .schemas import MediaRead\r\n\r\nX: type = MediaRead\r\n")
    service.chmod(0o640)
    assert fix(root, "--fix", "--select", "AG201,AG801") == 0
    assert service.read_bytes() == (b"from __future__ import annotations\r\n\r\n"
                                    b"from cpv3.modules.media.schemas import MediaRead\r\n"
                                    b"\r\nX: type = MediaRead\r\n")
    assert service.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in service.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_atomic_write_leaves_the_old_file_when_writing_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from archguard.fix import atomic

    target = tmp_path / "module.py"
    target.write_text("old\n")

    def failing_replace(source: str, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        atomic.atomic_write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]  # no temporary left


def test_missing_role_files_follow_role_patterns_in_any_modules_dir(tmp_path: Path) -> None:
    """A Hyperion-shaped layout: two modules dirs, role files named after the module. The
    AG103 fix creates each missing role's first file name, in the finding's own folder; a
    role whose first name is a glob gets no file (there is no name to give it)."""
    root = tmp_path / "proj"
    files = {
        "pyproject.toml": (
            '[tool.archguard]\npackage = "app"\nmodules-dir = ["app/modules", "app/core"]\n'
            'module-names = []\n[tool.archguard.roles]\nrouter = "endpoints_{module}.py"\n'
            'repository = "cruds_{module}.py"\nmodels = "models_{module}.py"\n'
            'schemas = "schemas_{module}.py"\nservice = ["*_service.py"]\n'),
        "app/__init__.py": "",
        "app/modules/loan/__init__.py": "",
        "app/modules/loan/endpoints_loan.py": '"""Routes."""\n\nfrom __future__ import '
                                              "annotations\n",
        "app/core/users/__init__.py": "",
        "app/core/users/cruds_users.py": '"""Data."""\n\nfrom __future__ import annotations\n',
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    assert main(["check", str(root), "--no-semgrep", "--select", "AG103", "--fix",
                 "--unsafe-fixes", "-o", str(tmp_path / "out.txt")]) in (0, 1)
    created = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if p.relative_to(root).as_posix() not in files)
    assert created == [
        "app/core/users/endpoints_users.py", "app/core/users/models_users.py",
        "app/core/users/schemas_users.py",
        "app/modules/loan/cruds_loan.py", "app/modules/loan/models_loan.py",
        "app/modules/loan/schemas_loan.py"]


def _annotated(source: str) -> str:
    """``source`` with one annotation at the end: AG801 passes over a file without any."""
    return source + ("LIMIT: int = 1\r\n" if "\r\n" in source else "LIMIT: int = 1\n")


FAST_PATH_SOURCES = [(path, _annotated(source)) for path, source in [
    # (path, source): the shapes the text paths handle, and some they leave
    ("cpv3/modules/media/service.py", '"""Doc."""\n\nfrom .models import Media\n'),
    ("cpv3/modules/media/service.py", '"""Doc.\n\nMore.\n"""\nfrom . import models\n'),
    ("cpv3/modules/media/service.py", "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"
                                      "# a comment\n\nfrom ..users.service import (\n"
                                      "    UserService as Users,\n)\n"),
    ("cpv3/modules/media/service.py", "# header\n@decorate\ndef f():\n    from .x import y\n"),
    ("cpv3/modules/media/service.py", '"""Doc."""\r\nimport os\r\nfrom .models  import  M\r\n'),
    ("cpv3/modules/media/service.py", "from . . models import Media\n"),  # libcst's
    ("cpv3/modules/media/service.py", '"""Doc."""; import os\nfrom .models import M\n'),
    ("cpv3/modules/media/service.py", "from .... import too_far\n"),  # above the root
]]


@pytest.mark.parametrize("path,source", FAST_PATH_SOURCES)
def test_the_text_fixes_give_exactly_what_libcst_gives(tmp_path: Path, path: str,
                                                       source: str) -> None:
    """AG201 and AG801 are fixed on the text where the spelling is the usual one (libcst
    parsing was most of a cold JSON report); the result is libcst's, byte for byte."""
    from archguard.project.config import Config
    from archguard.rules.fixing import FixRequest
    from archguard.rules.imports_fix import _on_text
    from archguard.rules.imports_fix_cst import absolute_with_libcst
    from archguard.rules.style_fix import _future_on_text
    from archguard.rules.style_fix_cst import future_with_libcst
    from archguard.run.runner import check_sources

    found = check_sources({path: source}, Config(), select=["AG201", "AG801"])
    for code, fast, slow in (("AG201", _on_text, absolute_with_libcst),
                             ("AG801", _future_on_text, future_with_libcst)):
        findings = tuple(d for d in found if d.code == code)
        if not findings:
            continue
        request = FixRequest(tmp_path, path, source, findings, Config(), (path,))
        text_fix = fast(request)
        if text_fix is None:  # a spelling the text path leaves to libcst
            continue
        reference = slow(request)
        assert text_fix.changes == reference.changes
        assert [why for _, why in text_fix.skipped] == [why for _, why in reference.skipped]


def test_the_text_paths_leave_unusual_spellings_to_libcst(tmp_path: Path) -> None:
    from archguard.project.config import Config
    from archguard.rules.fixing import FixRequest
    from archguard.rules.imports_fix import _on_text
    from archguard.rules.style_fix import _future_on_text
    from archguard.run.runner import check_sources

    path = "cpv3/modules/media/service.py"
    for source, fast in (("from . . models import Media\n", _on_text),
                         ('"""Doc."""; import os\nX: int = 1\n', _future_on_text)):
        findings = tuple(check_sources({path: source}, Config(), select=["AG201", "AG801"]))
        assert findings
        assert fast(FixRequest(tmp_path, path, source, findings, Config(), (path,))) is None


@pytest.mark.parametrize("first_line", ['"""Doc."""; import os', "'Doc.'; import os"])
def test_a_docstring_sharing_its_line_is_not_moved_below_the_import(
        tmp_path: Path, first_line: str) -> None:
    """Above ``from __future__ import annotations`` the docstring would stop being one: the
    fix is skipped and says why; the finding stays."""
    from archguard.project.config import Config
    from archguard.rules.fixing import FixRequest
    from archguard.rules.style_fix import add_future_import
    from archguard.run.runner import check_sources

    path = "cpv3/modules/media/service.py"
    source = f"{first_line}\n\n\ndef pid() -> int:\n    return os.getpid()\n"
    findings = tuple(check_sources({path: source}, Config(), select=["AG801"]))
    assert [(d.code, d.line) for d in findings] == [("AG801", 1)]
    output = add_future_import(FixRequest(tmp_path, path, source, findings, Config(), (path,)))
    assert output.changes == {}
    assert [why for _, why in output.skipped] == [
        "the module docstring shares its line with a statement"]


def test_json_fix_records_are_kept_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit, only the edited file's fixes are computed again (an agent's loop of
    edit, then check --format json, must not parse the whole project with libcst)."""
    from archguard.fix import records

    root = tmp_path / "proj"
    for name in ("a", "b"):
        path = root / "cpv3" / "modules" / name / "service.py"
        path.parent.mkdir(parents=True)
        path.write_text('"""Service."""\n\nVALUE: int = 1\n')
    (root / "pyproject.toml").write_text('[tool.archguard]\nmodule-names = ["a", "b"]\n')
    computed: list[list[str]] = []
    real = records.fixes_of

    def recording(findings, location, files, texts=None, jobs=0):  # type: ignore[no-untyped-def]
        computed.append(sorted(d.path for d in findings))
        return real(findings, location, files, texts, jobs)

    monkeypatch.setattr(records, "fixes_of", recording)
    args = ["check", str(root), "--no-semgrep", "--select", "AG801", "--format", "json"]
    assert main(args) == 1
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 1
    assert json.loads(capsys.readouterr().out) == first  # from the cache, nothing computed
    (root / "cpv3/modules/b/service.py").write_text('"""Service."""\n\nVALUE: int = 2\n')
    assert main(args) == 1
    edits = {d["path"]: [{k: v for k, v in e.items() if k != "path"} for e in d["fix"]["edits"]]
             for d in json.loads(capsys.readouterr().out)["diagnostics"]}
    assert computed == [["cpv3/modules/a/service.py", "cpv3/modules/b/service.py"],
                        ["cpv3/modules/b/service.py"]]
    assert edits["cpv3/modules/a/service.py"] == edits["cpv3/modules/b/service.py"] != []



def _two_services(root: Path) -> None:
    for name in ("a", "b"):
        path = root / "cpv3" / "modules" / name / "service.py"
        path.parent.mkdir(parents=True)
        path.write_text('"""Service."""\n\nVALUE: int = 1\n')
    (root / "pyproject.toml").write_text('[tool.archguard]\nmodule-names = ["a", "b"]\n')


def test_warm_json_fix_records_read_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The fix records are keyed by the content digests the check itself read: a warm run
    with fixable findings reads no file for them."""
    from archguard.fix import records

    root = tmp_path / "proj"
    _two_services(root)
    args = ["check", str(root), "--no-semgrep", "--select", "AG801", "--format", "json"]
    assert main(args) == 1
    first = capsys.readouterr().out

    def refuse(*args: object) -> None:
        raise AssertionError("a file was read for the fix records")

    monkeypatch.setattr(records, "_read", refuse)
    monkeypatch.setattr(records, "_digest_on_disk", refuse)
    assert main(args) == 1
    assert capsys.readouterr().out == first


def test_fixes_of_a_file_changed_since_the_check_are_not_kept(tmp_path: Path) -> None:
    """A file edited between the check and its fix records: the fixes computed from the
    new text are not stored under the key of the text the check read, so restoring that
    text later gives its own fixes, not the edited text's."""
    from archguard.fix.records import attach_fixes
    from archguard.report.emitters import EmitOptions, get_emitter
    from archguard.report.fixable import FixSettings
    from archguard.run.runner import CheckRequest, run_check

    root = tmp_path / "proj"
    _two_services(root)
    service = root / "cpv3/modules/b/service.py"
    original = service.read_text()

    def check(**options: object) -> str:
        request = CheckRequest(paths=[root], select=["AG801"], semgrep=False, **options)
        report = run_check(request)
        report.fix_settings = FixSettings.build(report.config, False)
        attach_fixes(report, request)
        stream = io.StringIO()
        get_emitter("json")(report, stream, EmitOptions())
        return stream.getvalue()

    expected = check(use_cache=False)
    request = CheckRequest(paths=[root], select=["AG801"], semgrep=False)
    report = run_check(request)
    report.fix_settings = FixSettings.build(report.config, False)
    service.write_text("VALUE = 1\n")  # edited after the check, before its fix records
    attach_fixes(report, request)
    service.write_text(original)
    assert check() == expected



def amounts_project(tmp_path: Path, source: str) -> Path:
    """A package of one file, ``cpv3/amounts.py``, layout rules off."""
    root = tmp_path / "project"
    (root / "cpv3").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.archguard]\nignore = ["AG1"]\n')
    (root / "cpv3" / "__init__.py").write_text("")
    (root / "cpv3" / "amounts.py").write_text(source)
    return root


def test_fixes_in_a_file_with_except_groups(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """PEP 758 syntax (3.14) is read on every Python: the JSON fix records and --fix parse
    such a file again without failing (polar's shape: a 4,000-line endpoints file)."""
    root = amounts_project(tmp_path, (
        "def parse(value: str) -> int:\n"
        "    try:\n"
        "        return int(value)\n"
        "    except ValueError, TypeError:\n"
        '        raise ValueError("not an amount") from None\n'))
    assert main(["check", str(root), "--no-semgrep", "--no-cache", "--format", "json",
                 "--select", "AG000,AG501,AG801"]) == 1
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["code"], d["line"], d["fix"] is not None) for d in found] == [
        ("AG801", 1, True), ("AG501", 5, True)]
    assert fix(root, "--select", "AG501,AG801", "--unsafe-fixes", "--fix") == 0
    text = (root / "cpv3" / "amounts.py").read_text()
    assert "except ValueError, TypeError:" in text and "from __future__" in text


def test_a_form_feed_does_not_shift_the_lines_a_fix_looks_at(tmp_path: Path) -> None:
    """Python counts lines at \\n, \\r\\n and \\r only; a form feed (old page breaks) is not a
    line break for it, so the fixers must not split there either."""
    root = amounts_project(tmp_path, (
        "from __future__ import annotations\n# page one\f page two\n\n\n"
        "def parse(value: str) -> int:\n"
        "    if not value:\n"
        '        raise ValueError("empty amount")\n'
        "    return int(value)\n"))
    assert fix(root, "--select", "AG501", "--unsafe-fixes", "--fix") == 0
    text = (root / "cpv3" / "amounts.py").read_text()
    assert 'raise ValueError(ERROR_EMPTY_AMOUNT)' in text


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    regenerate()
