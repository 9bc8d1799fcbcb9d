"""The project's oldest Python (``python-version``, else ``[project] requires-python``) and
AG801: from 3.14 annotations are deferred (PEP 649), so the import is not asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archguard.cli import main

ANNOTATED = "def f(x: int) -> int:\n    return x\n"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))


def ag801(root: Path, pyproject: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "core.py").write_text(ANNOTATED)
    (root / "pyproject.toml").write_text(pyproject + '\n[tool.archguard]\npackage = "app"\n'
                                         'modules-dir = "app"\nmodule-names = []\n'
                                         + ("python-version = \"3.14\"\n"
                                            if "explicit" in pyproject else ""))
    capsys.readouterr()
    main(["check", str(root), "--select", "AG801", "--format", "json", "--no-semgrep"])
    return [d["path"] for d in json.loads(capsys.readouterr().out)["diagnostics"]]


@pytest.mark.parametrize(("pyproject", "reported"), [
    ('[project]\nrequires-python = ">=3.14"', False),  # polar
    ('[project]\nrequires-python = ">=3.14,<4.0"', False),  # full-stack-fastapi-template
    ('[project]\nrequires-python = ">= 3.12, < 3.15"', True),  # Hyperion: 3.12 is allowed
    ('[project]\nrequires-python = ">=3.11"', True),
    ("[project]\nname = \"x\"", True),  # unknown: the rulebook's 3.11+
    ('# explicit\n[project]\nrequires-python = ">=3.11"', False),  # python-version wins
])
def test_ag801_follows_the_oldest_python(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         pyproject: str, reported: bool) -> None:
    assert ag801(tmp_path, pyproject, capsys) == (["app/core.py"] if reported else [])


def test_a_malformed_python_version_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archguard]\npackage = "app"\npython-version = "3"\n')
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--no-semgrep"]) == 2
    err = capsys.readouterr().err.strip()
    assert "python-version' must look like \"3.12\", got '3'" in err and "\n" not in err
