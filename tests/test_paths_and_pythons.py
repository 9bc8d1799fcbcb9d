"""Paths a person and a CI can open (text formats relative to the current directory, JSON
names the root, SARIF/GitLab relative to the git repository), and files that need a newer
Python than archguard runs on (AG000 names the version, one note per run)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from archguard.cli import main
from archguard.run.runner import CheckRequest, run_check

F = "from __future__ import annotations\n"
CONFIG = ('[tool.archguard]\npackage = "app"\nmodules-dir = "app/modules"\nmodule-names = []\n'
          '[tool.archguard.roles]\nrouter = "endpoints_{module}.py"\n'
          'repository = "cruds_{module}.py"\nmodels = []\nschemas = []\nservice = []\n')


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A git repository whose backend lives in server/."""
    (tmp_path / ".git").mkdir()
    root = tmp_path / "server"
    for path, text in {
        "pyproject.toml": CONFIG,
        "app/__init__.py": "",
        "app/modules/booking/__init__.py": "",
        "app/modules/booking/endpoints_booking.py": F,
        "app/modules/booking/cruds_booking.py": F,
        "app/modules/booking/types_booking.py": F,
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_text_paths_are_relative_to_the_current_directory(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(monorepo / "app" / "modules")
    assert main(["check", "booking/types_booking.py", "--format", "concise"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("booking/types_booking.py:1:1: AG101 ")
    assert main(["check", "booking/types_booking.py"]) == 1  # full
    assert capsys.readouterr().out.startswith("booking/types_booking.py\n")
    assert main(["check", "booking", "--format", "github"]) == 1
    assert "file=booking/types_booking.py," in capsys.readouterr().out


def test_outside_the_current_directory_paths_are_absolute(
        monorepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["check", str(monorepo), "--format", "concise"]) == 1
    full = (monorepo / "app/modules/booking/types_booking.py").resolve().as_posix()
    assert capsys.readouterr().out.startswith(f"{full}:1:1: AG101 ")


def test_json_keeps_root_relative_paths_and_names_the_root(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(monorepo / "app")
    assert main(["check", "modules", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["version", "root", "diagnostics", "summary"]
    assert data["root"] == monorepo.resolve().as_posix()
    assert [d["path"] for d in data["diagnostics"]] == ["app/modules/booking/types_booking.py"]


def test_sarif_and_gitlab_are_relative_to_the_repository_root(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(monorepo / "app")
    assert main(["check", "modules", "--format", "sarif"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == monorepo.parent.resolve().as_uri() + "/"
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "server/app/modules/booking/types_booking.py"
    assert main(["check", "modules", "--format", "gitlab"]) == 1
    (issue,) = json.loads(capsys.readouterr().out)
    assert issue["location"]["path"] == "server/app/modules/booking/types_booking.py"


def test_without_a_repository_sarif_is_relative_to_the_project_root(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (monorepo.parent / ".git").rmdir()
    monkeypatch.chdir(monorepo / "app")
    assert main(["check", "modules", "--format", "gitlab"]) == 1
    (issue,) = json.loads(capsys.readouterr().out)
    assert issue["location"]["path"] == "app/modules/booking/types_booking.py"


NEWER = {
    "pep695.py": ("type UserId = int\n", "3.12"),
    "generic.py": ("def first[T](items: list[T]) -> T:\n    return items[0]\n", "3.12"),
    "fstring.py": ('names = {"a": 1}\nx = f"{names["a"]}"\n', "3.12"),
    "backslash.py": ("x = f\"{'\\n'.join(['a'])}\"\n", "3.12"),
    "multiline.py": ('total = 1\nx = f"-{\n    total\n}"\n', "3.12"),
    "tstring.py": ('name = "x"\ngreeting = t"hello {name}"\n', "3.14"),
}


def write_package(root: Path, files: dict[str, str], pyproject: str) -> None:
    (root / "pyproject.toml").write_text(pyproject)
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    for name, text in files.items():
        (root / "app" / name).write_text(text)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="these parse on Python 3.12+")
def test_newer_syntax_names_the_python_it_needs(tmp_path: Path) -> None:
    write_package(tmp_path, {name: text for name, (text, _) in NEWER.items()},
                  '[tool.archguard]\npackage = "app"\n')
    report = run_check(CheckRequest([tmp_path], select=["AG000"], use_cache=False, jobs=1))
    found = {d.path.removeprefix("app/"): d for d in report.diagnostics}
    assert sorted(found) == sorted(NEWER)
    for name, (_, version) in NEWER.items():
        d = found[name]
        assert f"this syntax needs Python {version} or newer" in d.message, name
        assert "fix the syntax" not in d.hint
        assert d.hint == (f"the file is valid Python {version}: run archguard with Python "
                          f"{version} or newer to check it")
    assert report.notes[0] == ("6 files need Python 3.12+ (1 of them 3.14+): run archguard "
                               "with Python 3.14 or newer for complete results")


def test_a_real_syntax_error_is_not_newer_syntax(tmp_path: Path) -> None:
    write_package(tmp_path, {"broken.py": "def broken(:\n    pass\n",
                             "empty.py": 'x = f"{}"\n'},
                  '[tool.archguard]\npackage = "app"\n')
    report = run_check(CheckRequest([tmp_path], select=["AG000"], use_cache=False, jobs=1))
    assert [d.hint for d in report.diagnostics] == ["fix the syntax or save the file as UTF-8"] * 2
    assert all("needs Python" not in d.message for d in report.diagnostics)
    assert not any("need" in note for note in report.notes)


def test_requires_python_newer_than_archguard_softens_the_hint(tmp_path: Path) -> None:
    write_package(tmp_path, {"broken.py": "def broken(:\n    pass\n"},
                  '[project]\nname = "app"\nrequires-python = ">=3.99"\n'
                  '[tool.archguard]\npackage = "app"\n')
    report = run_check(CheckRequest([tmp_path], select=["AG000"], use_cache=False, jobs=1))
    (d,) = report.diagnostics
    running = "%d.%d" % sys.version_info[:2]
    assert d.hint == (f"the project requires Python >=3.99 and archguard runs on {running}: if "
                      f"the file is valid there, run archguard with that Python; otherwise fix "
                      f"the syntax")


def test_minimum_of_requires_python() -> None:
    from archguard.project.pythons import minimum

    assert minimum(">= 3.12, < 3.15") == (3, 12)
    assert minimum("~=3.11") == (3, 11)
    assert minimum(">3.12") == (3, 13)
    assert minimum("<4") is None and minimum(None) is None
