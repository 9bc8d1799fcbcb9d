"""AG101-AG105: module folder layout, on real folders (discovery included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.project.config import DEFAULT_MODULES
from archguard.run.runner import CheckRequest, run_check

ROLE_FILES = ("__init__.py", "models.py", "schemas.py", "repository.py", "service.py",
              "router.py")


def make_module(root: Path, name: str, files: tuple[str, ...] = ROLE_FILES) -> Path:
    folder = root / "cpv3" / "modules" / name
    folder.mkdir(parents=True, exist_ok=True)
    for file_name in files:
        (folder / file_name).write_text("from __future__ import annotations\n")
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "cpv3").mkdir()
    (tmp_path / "cpv3" / "__init__.py").write_text("")
    for name in DEFAULT_MODULES:
        make_module(tmp_path, name)
    return tmp_path


def layout(root: Path) -> list[tuple[str, str, int, str]]:
    report = run_check(CheckRequest(paths=[root], select=["AG1"]))
    return [(d.code, d.path, d.line, d.message) for d in report.diagnostics]


def test_conforming_layout_is_clean(project: Path) -> None:
    (project / "cpv3/modules/users/__pycache__").mkdir()
    (project / "cpv3/modules/users/__pycache__/service.cpython-311.pyc").write_bytes(b"\0")
    (project / "cpv3/modules/users/.DS_Store").write_text("")
    (project / "cpv3/modules/users/.mypy_cache").mkdir()
    (project / "cpv3/modules/README.md").write_text("modules")
    assert layout(project) == []


def test_extra_file_subdirectory_and_missing_file(project: Path) -> None:
    (project / "cpv3/modules/media/utils.py").write_text("")
    (project / "cpv3/modules/media/constants.py").write_text("")
    (project / "cpv3/modules/jobs/helpers").mkdir()
    (project / "cpv3/modules/jobs/helpers/retry.py").write_text("")
    (project / "cpv3/modules/webhooks/repository.py").unlink()
    assert layout(project) == [
        ("AG102", "cpv3/modules/jobs/helpers", 1,
         "module 'jobs' has a subdirectory 'helpers/': modules are flat"),
        ("AG101", "cpv3/modules/media/constants.py", 1,
         "'constants.py' is not one of the six module files of module 'media'"),
        ("AG101", "cpv3/modules/media/utils.py", 1,
         "'utils.py' is not one of the six module files of module 'media'"),
        ("AG103", "cpv3/modules/webhooks", 1,
         "module 'webhooks' has no repository (repository.py)"),
    ]


def test_unexpected_and_missing_modules(project: Path) -> None:
    make_module(project, "billing")
    for path in sorted((project / "cpv3/modules/system").iterdir()):
        path.unlink()
    (project / "cpv3/modules/system").rmdir()
    assert layout(project) == [
        ("AG105", "cpv3/modules", 1, "configured module 'system' has no folder in cpv3/modules"),
        ("AG104", "cpv3/modules/billing", 1,
         "module 'billing' is not one of the configured modules"),
    ]


def test_any_module_accepted_with_empty_module_names_and_custom_roles(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.archguard]\nmodule-names = []\n[tool.archguard.roles]\nrouter = \"endpoints.py\"\n")
    make_module(project, "billing")
    for folder in (project / "cpv3/modules").iterdir():
        (folder / "router.py").rename(folder / "endpoints.py")
    assert layout(project) == []


def test_folder_findings_can_be_silenced_with_per_file_ignores(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.archguard.per-file-ignores]\n\"cpv3/modules/media/*\" = [\"AG101\"]\n")
    (project / "cpv3/modules/media/utils.py").write_text("")
    (project / "cpv3/modules/users/utils.py").write_text("")
    assert [(c, p) for c, p, _, _ in layout(project)] == [
        ("AG101", "cpv3/modules/users/utils.py")]
