"""The command line: formats, selection, exit codes and one-line errors (no tracebacks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archguard import __version__
from archguard.cli import main
from archguard.rules.registry import find_rule

SERVICE = "from __future__ import annotations\n\nfrom .schemas import MediaRead\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.archguard]\nmodule-names = [\"media\"]\n")
    folder = tmp_path / "cpv3" / "modules" / "media"
    folder.mkdir(parents=True)
    for name in ("__init__.py", "models.py", "schemas.py", "repository.py", "router.py"):
        (folder / name).write_text("")
    (folder / "service.py").write_text(SERVICE)
    return tmp_path


def test_concise_output_and_exit_code_1(project: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)  # text formats print paths relative to the current directory
    assert main(["check", str(project), "--format", "concise"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "cpv3/modules/media/service.py:3:1: AG201 [relative-import] [*] relative import "
        "'from .schemas import MediaRead': use 'from cpv3.modules.media.schemas import "
        "MediaRead'",
        "Found 1 finding in 1 file (6 files checked). 1 fixable with --fix.",
    ]


def test_json_contract(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == __version__
    assert data["summary"] == {"files": 6, "diagnostics": 1, "by_code": {"AG201": 1},
                               "fixable": 1, "unsafe_fixable": 0}
    assert data["diagnostics"] == [{
        "code": "AG201", "rule": "relative-import", "severity": "error",
        "message": "relative import 'from .schemas import MediaRead': use "
                   "'from cpv3.modules.media.schemas import MediaRead'",
        "path": "cpv3/modules/media/service.py", "line": 3, "column": 1, "end_line": 3,
        "end_column": 31, "hint": "always import absolutely from the package root",
        "fix": {"applicability": "safe", "message": find_rule("AG201").fix_title(),
                "edits": [{"path": "cpv3/modules/media/service.py", "line": 3, "column": 6,
                           "end_line": 3, "end_column": 6,
                           "content": "cpv3.modules.media"}]},
    }]


def test_full_format_without_colour_shows_source_caret_and_hint(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project), "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    assert "cpv3/modules/media/service.py\n  3:1  AG201 [relative-import]" in out
    assert "       3 | from .schemas import MediaRead\n" in out
    assert "           ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n" in out
    assert "hint:" not in out  # the rule's hint is printed once, in the footer
    assert "How to fix:\n  AG201 [relative-import] always import absolutely from the package " \
        "root\n" in out


def test_select_ignore_exit_zero_statistics_and_output_file(
        project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(project), "--select", "AG1,AG3"]) == 0
    assert main(["check", str(project), "--ignore", "AG201"]) == 0
    assert main(["check", str(project), "--exit-zero"]) == 0
    capsys.readouterr()
    assert main(["check", str(project), "--statistics", "--format", "concise"]) == 1
    assert capsys.readouterr().out == (
        "count  code   rule               fixable  summary\n"
        "    1  AG201  [relative-import]        1  A relative import anywhere in the package\n"
        "    1  total                           1\n")
    target = tmp_path / "report.json"
    assert main(["check", str(project), "--format", "json", "--output-file", str(target)]) == 1
    assert json.loads(target.read_text())["summary"]["diagnostics"] == 1


def test_path_inside_the_project_limits_the_report(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project / "cpv3" / "modules" / "media" / "router.py")]) == 0
    assert main(["check", str(project / "cpv3" / "modules"), "--format", "concise"]) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["check", "{p}", "--select", "AG999"],
     "unknown rule code or prefix 'AG999' in --select"),
    (["check", "{p}/missing"], "path not found: "),
    (["explain", "AG9999"], "unknown rule 'AG9999'"),
])
def test_usage_errors_exit_2_with_one_line(project: Path, capsys: pytest.CaptureFixture[str],
                                           args: list[str], message: str) -> None:
    assert main([a.replace("{p}", str(project)) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("archguard: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_package_folder_and_invalid_config(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "package folder 'cpv3' not found" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text("[tool.archguard]\nmodule_names = []\n")
    assert main(["check", str(tmp_path)]) == 2
    assert "unknown key 'module_names' in [tool.archguard] (did you mean 'module-names'?)" in \
        capsys.readouterr().err


def test_rules_explain_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"archguard {__version__}\n"
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {"code": "AG201", "rule": "relative-import",
            "summary": "A relative import anywhere in the package", "default": True,
            "engine": "native", "severity": "error"} in rules
    assert main(["explain", "relative-import"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("AG201 relative-import: A relative import anywhere in the package")
    for section in ("Why", "Rulebook", "Bad", "Good", "Configure and suppress"):
        assert f"\n{section}\n" in text
    assert "> Absolute imports" in text


def test_python_dash_m_entry_point(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "archguard", "check", str(project),
                           "--format", "concise", "--select", "AG201"],
                          capture_output=True, text=True, check=False, cwd=project)
    assert done.returncode == 1
    assert done.stdout.startswith("cpv3/modules/media/service.py:3:1: AG201")
    bad = subprocess.run([sys.executable, "-m", "archguard", "check", "--bogus"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
