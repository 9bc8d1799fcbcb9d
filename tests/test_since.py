"""``check --since REV`` in temporary git repositories: only changed files are reported,
cross-file rules still see the whole package, clear errors outside git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from archguard.cli import main
from archguard.project.since import changed_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MODULE_FILES = ("__init__.py", "models.py", "schemas.py", "repository.py", "router.py",
                "service.py")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))  # no user git config
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


def commit_all(repo: Path, message: str = "commit") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message)


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    return path


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def findings(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d["code"], d["path"]) for d in data["diagnostics"]}


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "repo")
    shutil.copytree(SAMPLE, repo / "backend", ignore=shutil.ignore_patterns(
        "__pycache__", ".archguard_cache", "*.pyc"))
    commit_all(repo)
    return repo


def test_since_reports_only_files_changed_in_a_copy_of_sample_project(
        sample_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backend = sample_repo / "backend"  # the project root lies below the git toplevel
    code, everything = check_json(capsys, str(backend))
    assert code == 1 and everything["diagnostics"]
    code, data = check_json(capsys, str(backend), "--since", "HEAD")
    assert (code, data["diagnostics"], data["summary"]["files"]) == (0, [], 0)

    users = backend / "cpv3" / "modules" / "users" / "service.py"
    users.write_text(users.read_text(encoding="utf-8") + "\nfrom .schemas import UserRead\n",
                     encoding="utf-8")
    code, data = check_json(capsys, str(backend), "--since", "HEAD")
    assert code == 1
    assert {d["path"] for d in data["diagnostics"]} == {"cpv3/modules/users/service.py"}
    assert ("AG201", "cpv3/modules/users/service.py") in findings(data)
    unchanged = {p for _, p in findings(everything)} - {"cpv3/modules/users/service.py"}
    assert unchanged, "sample_project has findings in other files"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small conforming project with two modules, committed twice."""
    repo = new_repo(tmp_path / "project")
    (repo / "pyproject.toml").write_text(
        '[tool.archguard]\nmodule-names = ["media", "users"]\nselect = ["AG1", "AG2"]\n')
    for module in ("media", "users"):
        folder = repo / "cpv3" / "modules" / module
        folder.mkdir(parents=True)
        for name in MODULE_FILES:
            (folder / name).write_text("")
    (repo / ".gitignore").write_text("ignored.py\n")
    commit_all(repo, "first")
    (repo / "cpv3" / "modules" / "media" / "models.py").write_text("from .schemas import X\n")
    commit_all(repo, "second: a relative import in media/models.py")
    return repo


def media(repo: Path, name: str) -> Path:
    return repo / "cpv3" / "modules" / "media" / name


def test_committed_staged_unstaged_and_untracked_changes_count(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    media(project, "schemas.py").write_text("from .models import Y\n")  # unstaged
    media(project, "router.py").write_text("from .service import Z\n")
    git(project, "add", "cpv3/modules/media/router.py")  # staged
    media(project, "helpers.py").write_text("from .service import W\n")  # untracked
    media(project, "ignored.py").write_text("from .service import V\n")  # ignored
    code, data = check_json(capsys, str(project), "--since", "HEAD~1")
    assert code == 1
    assert findings(data) == {
        ("AG201", "cpv3/modules/media/models.py"),  # committed since HEAD~1
        ("AG201", "cpv3/modules/media/schemas.py"),
        ("AG201", "cpv3/modules/media/router.py"),
        ("AG201", "cpv3/modules/media/helpers.py"),
        ("AG101", "cpv3/modules/media/helpers.py"),
    }
    code, data = check_json(capsys, str(project), "--since", "HEAD")
    assert ("AG201", "cpv3/modules/media/models.py") not in findings(data)


def test_cross_file_rules_still_see_the_whole_package(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """users/__init__.py (unchanged) re-exports the repository; the changed media service
    imports it from there: AG202 needs the unchanged file to see it."""
    (project / "cpv3" / "modules" / "users" / "repository.py").write_text(
        "class UserRepository:\n    pass\n")
    (project / "cpv3" / "modules" / "users" / "__init__.py").write_text(
        "from cpv3.modules.users.repository import UserRepository\n")
    commit_all(project)
    media(project, "service.py").write_text("from cpv3.modules.users import UserRepository\n")
    code, data = check_json(capsys, str(project), "--since", "HEAD")
    assert (code, findings(data)) == (1, {("AG202", "cpv3/modules/media/service.py")})


def test_folder_findings_count_when_something_under_the_folder_changed(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    media(project, "service.py").unlink()  # a deletion: AG103 on the folder
    code, data = check_json(capsys, str(project), "--since", "HEAD")
    assert (code, findings(data)) == (1, {("AG103", "cpv3/modules/media")})


def test_since_intersects_with_the_paths_given(project: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    media(project, "schemas.py").write_text("from .models import Y\n")
    users = project / "cpv3" / "modules" / "users"
    (users / "schemas.py").write_text("from .models import Y\n")
    _, data = check_json(capsys, str(users), "--since", "HEAD")
    assert findings(data) == {("AG201", "cpv3/modules/users/schemas.py")}


def test_changed_files_are_relative_to_a_root_below_the_toplevel(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "mono")
    (repo / "backend" / "cpv3").mkdir(parents=True)
    (repo / "backend" / "cpv3" / "a.py").write_text("")
    (repo / "frontend.py").write_text("")
    commit_all(repo)
    (repo / "backend" / "cpv3" / "a.py").write_text("x = 1\n")
    (repo / "backend" / "cpv3" / "new file.py").write_text("")
    (repo / "frontend.py").write_text("y = 1\n")
    assert changed_files(repo / "backend", "HEAD") == {"cpv3/a.py", "cpv3/new file.py"}


def test_outside_a_git_repository_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "plain"
    (root / "cpv3" / "modules").mkdir(parents=True)
    (root / "cpv3" / "__init__.py").write_text("")
    assert main(["check", str(root), "--since", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert err == (f"archguard: error: --since needs a git repository: {root.resolve()} is "
                   f"not inside one\n")


def test_unknown_revision_is_a_one_line_error(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project), "--since", "no-such-branch"]) == 2
    assert capsys.readouterr().err == (
        "archguard: error: --since: unknown git revision 'no-such-branch'\n")
    assert main(["check", str(project), "--since", "--output=x"]) == 2
