"""Baselines: record today's findings, report only new ones, survive unrelated edits, name
stale entries, prune them."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from archguard.cli import main
from archguard.diagnostics import Diagnostic
from archguard.report.baseline import fingerprints

MODULE_FILES = ("__init__.py", "models.py", "schemas.py", "repository.py", "router.py")
RELATIVE = "from .schemas import MediaRead\n"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE, copy, ignore=shutil.ignore_patterns(
        "__pycache__", ".archguard_cache", "*.pyc"))
    return copy


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """One conforming module whose service is written by each test."""
    root = tmp_path / "small"
    (root / "cpv3" / "modules" / "media").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.archguard]\nmodule-names = ["media"]\n'
                                         'select = ["AG2"]\n')
    for name in MODULE_FILES:
        (root / "cpv3" / "modules" / "media" / name).write_text("")
    return root


def service(root: Path) -> Path:
    return root / "cpv3" / "modules" / "media" / "service.py"


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def record(capsys: pytest.CaptureFixture[str], root: Path, baseline: Path) -> str:
    capsys.readouterr()
    assert main(["baseline", str(root), "-o", str(baseline)]) == 0
    return capsys.readouterr().out


# --- editing a copy of sample_project ---------------------------------------------------

def _insert_above_findings(root: Path, diagnostics: list[dict[str, Any]]) -> list[str]:
    """Insert lines before the first top-level statement that precedes each file's first
    finding; returns the files edited."""
    first: dict[str, int] = {}
    for d in diagnostics:
        if d["path"].endswith(".py") and d["line"] > 1:
            first[d["path"]] = min(first.get(d["path"], d["line"]), d["line"])
    edited = []
    for rel, line in sorted(first.items()):
        path = root / rel
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue  # the AG000 file stays as it is
        starts = [_start(node) for node in tree.body if _start(node) <= line]
        if not starts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = max(starts) - 1
        lines[at:at] = ["# inserted by the baseline test\n", "\n", "\n"]
        path.write_text("".join(lines), encoding="utf-8")
        edited.append(rel)
    return edited


def _start(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _move_a_function(root: Path, diagnostics: list[dict[str, Any]]) -> str:
    """Move the last top-level def/class of the file with most findings to before its first
    one; returns that file."""
    counts: dict[str, int] = {}
    for d in diagnostics:
        counts[d["path"]] = counts.get(d["path"], 0) + 1
    for rel in sorted(counts, key=lambda p: (-counts[p], p)):
        path = root / rel
        if not rel.endswith(".py"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        defs = [n for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        if len(defs) < 2:
            continue
        lines = text.splitlines(keepends=True)
        last = defs[-1]
        block = lines[_start(last) - 1:last.end_lineno]
        del lines[_start(last) - 1:last.end_lineno]
        at = _start(defs[0]) - 1
        lines[at:at] = [*block, "\n", "\n"]
        path.write_text("".join(lines), encoding="utf-8")
        return rel
    pytest.fail("no file with findings and two top-level definitions in sample_project")


def _positions(data: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(d["code"], d["path"], d["line"]) for d in data["diagnostics"]}


def test_baseline_survives_moves_and_reports_only_the_new_violation(
        sample_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "baseline.json"
    _, before = check_json(capsys, str(sample_copy))
    assert before["diagnostics"], "sample_project has planted violations"
    assert "recorded" in record(capsys, sample_copy, baseline)
    entries = json.loads(baseline.read_text())["findings"]
    assert len(entries) == len(before["diagnostics"])
    assert set(entries[0]) == {"code", "path", "fingerprint", "line", "message"}

    edited = _insert_above_findings(sample_copy, before["diagnostics"])
    moved = _move_a_function(sample_copy, before["diagnostics"])
    assert edited
    _, shifted = check_json(capsys, str(sample_copy))  # without the baseline
    assert len(shifted["diagnostics"]) == len(before["diagnostics"])
    assert _positions(shifted) != _positions(before), "the edits moved findings"
    assert any(d["path"] == moved for d in shifted["diagnostics"])

    code, data = check_json(capsys, str(sample_copy), "--baseline", str(baseline))
    assert (code, data["diagnostics"]) == (0, [])
    assert data["summary"]["baseline"] == {"matched": len(entries), "stale": 0,
                                           "stale_entries": []}

    target = sample_copy / moved
    target.write_text(target.read_text(encoding="utf-8") + "\n" + RELATIVE, encoding="utf-8")
    new_line = len(target.read_text(encoding="utf-8").splitlines())
    code, data = check_json(capsys, str(sample_copy), "--baseline", str(baseline))
    assert code == 1
    assert {(d["path"], d["line"]) for d in data["diagnostics"]} == {(moved, new_line)}
    assert "AG201" in {d["code"] for d in data["diagnostics"]}


def _single_line_statement(root: Path, entries: list[dict[str, Any]]) -> dict[str, Any]:
    for entry in entries:
        path = root / entry["path"]
        if not entry["path"].endswith(".py") or entry["line"] <= 1:
            continue
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        if any(isinstance(n, ast.stmt) and n.lineno == n.end_lineno == entry["line"]
               and not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               for n in ast.walk(tree)):
            return entry
    pytest.fail("no single-line statement finding in sample_project")


def test_stale_entries_are_named_and_pruned(sample_copy: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "baseline.json"
    record(capsys, sample_copy, baseline)
    entries = json.loads(baseline.read_text())["findings"]
    fixed = _single_line_statement(sample_copy, entries)
    path = sample_copy / fixed["path"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    codes = sorted({e["code"] for e in entries if (e["path"], e["line"]) == (
        fixed["path"], fixed["line"])})
    lines[fixed["line"] - 1] = (lines[fixed["line"] - 1].rstrip("\n")
                                + f"  # archguard: ignore[{','.join(codes)}]\n")
    path.write_text("".join(lines), encoding="utf-8")

    code, data = check_json(capsys, str(sample_copy), "--baseline", str(baseline))
    gone = [e for e in entries if (e["path"], e["line"]) == (fixed["path"], fixed["line"])]
    assert (code, data["diagnostics"]) == (0, [])
    status = data["summary"]["baseline"]
    assert (status["matched"], status["stale"]) == (len(entries) - len(gone), len(gone))
    assert [(e["code"], e["path"]) for e in status["stale_entries"]] == [
        (e["code"], e["path"]) for e in gone]

    assert main(["check", str(sample_copy), "--baseline", str(baseline),
                 "--format", "concise"]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    assert f"{fixed['code']} {fixed['path']}:{fixed['line']}" in summary
    assert f"archguard baseline --prune {baseline}" in summary

    assert main(["baseline", str(sample_copy), "--prune", str(baseline)]) == 0
    assert f"pruned {len(gone)} stale entr" in capsys.readouterr().out
    assert len(json.loads(baseline.read_text())["findings"]) == len(entries) - len(gone)
    code, data = check_json(capsys, str(sample_copy), "--baseline", str(baseline))
    assert data["summary"]["baseline"]["stale"] == 0


# --- fingerprints on a small project ---------------------------------------------------

def test_identical_lines_are_counted_not_positioned(small: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "b.json"
    service(small).write_text("import os\n" + RELATIVE + "x = 1\n" + RELATIVE)
    record(capsys, small, baseline)
    service(small).write_text(RELATIVE + "\n\n" + RELATIVE + "y = 2\n" + RELATIVE)
    code, data = check_json(capsys, str(small), "--baseline", str(baseline))
    assert code == 1
    assert len(data["diagnostics"]) == 1  # one more of the same line: one new finding
    assert data["summary"]["baseline"]["matched"] == 2


def test_editing_the_flagged_line_makes_a_new_finding(small: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      ) -> None:
    baseline = tmp_path / "b.json"
    service(small).write_text(RELATIVE)
    record(capsys, small, baseline)
    service(small).write_text("   from  .schemas import   MediaRead   \n".strip() + "\n")
    assert main(["check", str(small), "--baseline", str(baseline)]) == 0  # whitespace only
    service(small).write_text("from .schemas import MediaRead, MediaCreate\n")
    code, data = check_json(capsys, str(small), "--baseline", str(baseline))
    assert (code, len(data["diagnostics"])) == (1, 1)
    assert data["summary"]["baseline"]["stale"] == 1


def test_folder_findings_are_fingerprinted_by_message(tmp_path: Path) -> None:
    folder = Diagnostic("cpv3/modules/billing", 1, 1, "AG104", "unexpected-module",
                        "module 'billing' is not one of the configured modules", 1, 1)
    other = Diagnostic("cpv3/modules/extra", 1, 1, "AG104", "unexpected-module",
                       "module 'extra' is not one of the configured modules", 1, 1)
    first, second = fingerprints([folder, other], tmp_path)
    assert first != second
    assert fingerprints([folder], tmp_path) == [first]


def test_stale_entries_only_count_where_the_run_looked(small: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       ) -> None:
    baseline = tmp_path / "b.json"
    service(small).write_text(RELATIVE)
    record(capsys, small, baseline)
    router = small / "cpv3" / "modules" / "media" / "router.py"
    code, data = check_json(capsys, str(router), "--baseline", str(baseline))
    assert (code, data["summary"]["baseline"]["stale"]) == (0, 0)
    code, data = check_json(capsys, str(small), "--select", "AG202", "--baseline",
                            str(baseline))
    assert (code, data["summary"]["baseline"]["stale"]) == (0, 0)


@pytest.mark.parametrize("content, message", [
    (None, "baseline file not found"),
    ("{not json", "not a valid baseline file"),
    ('{"version": 99, "findings": []}', "not an archguard baseline"),
    ('{"version": 1, "findings": [{"code": "AG201"}]}', "malformed baseline entry"),
])
def test_bad_baseline_file_is_a_one_line_error(small: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               content: str | None, message: str) -> None:
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content)
    assert main(["check", str(small), "--baseline", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_python_dash_m_exit_codes(small: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    service(small).write_text(RELATIVE)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "archguard", *args], capture_output=True,
                              text=True, check=False)

    assert run("check", str(small)).returncode == 1
    assert run("baseline", str(small), "-o", str(baseline)).returncode == 0
    assert run("check", str(small), "--baseline", str(baseline)).returncode == 0
    service(small).write_text(RELATIVE + "from .models import Media\n")
    assert run("check", str(small), "--baseline", str(baseline)).returncode == 1
    missing = run("check", str(small), "--baseline", str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert missing.stderr.startswith("archguard: error: baseline file not found")
    assert "Traceback" not in missing.stderr
