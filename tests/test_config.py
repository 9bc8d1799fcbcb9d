"""[tool.archguard] loading: defaults, nested tables, and one-line errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config, load_config_table
from archguard.project.discovery import locate_project


def test_defaults_are_the_rulebook_conventions() -> None:
    config = Config()
    assert config.package == "cpv3"
    assert config.modules_dir == "cpv3/modules"
    assert len(config.module_names) == 11
    assert config.roles.router == "router.py"
    assert config.complexity.max_grade == "B"


def test_kebab_case_keys_and_nested_tables() -> None:
    config = load_config_table({
        "modules-dir": "src/cpv3/modules",
        "module-names": [],
        "roles": {"router": "endpoints.py"},
        "per-file-ignores": {"cpv3/legacy/*": ["AG2"]},
        "complexity": {"max-grade": "C"},
        "pagination": {"parameter-sets": [["cursor"]], "dependencies": ["paginate"]},
    }, "pyproject.toml")
    assert config.modules_dir == "src/cpv3/modules"
    assert config.roles.router == "endpoints.py"
    assert config.roles.service == "service.py"
    assert config.per_file_ignores == {"cpv3/legacy/*": ["AG2"]}
    assert config.pagination.parameter_sets == [["cursor"]]


@pytest.mark.parametrize(("table", "message"), [
    ({"modules_dir": "x"}, "unknown key 'modules_dir' in [tool.archguard] (did you mean "
                           "'modules-dir'?)"),
    ({"roles": {"routers": "r.py"}}, "unknown key 'routers' in [tool.archguard.roles] (did "
                                     "you mean 'router'?)"),
    ({"module-names": "users"}, "'tool.archguard.module-names' must be a list of a string, "
                                "got str"),
    ({"complexity": {"max-grade": "Z"}}, "'tool.archguard.complexity.max-grade' must be one "
                                         "of A-F, got 'Z'"),
    ({"complexity": 3}, "'tool.archguard.complexity' must be a table"),
    ({"exclude": [1]}, "'tool.archguard.exclude' must be a list of a string, got list"),
])
def test_invalid_config_names_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ArchguardError) as error:
        load_config_table(table, "pyproject.toml")
    assert str(error.value) == f"pyproject.toml: {message}"


def test_nearest_pyproject_with_a_table_is_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.archguard]\npackage = \"app\"\n")
    inner = tmp_path / "app" / "modules"
    inner.mkdir(parents=True)
    (tmp_path / "app" / "pyproject.toml").write_text("[project]\nname = \"x\"\n")
    location = locate_project([inner])
    assert location.root == tmp_path
    assert location.config.package == "app"


def test_without_config_the_root_is_where_the_package_lives(tmp_path: Path) -> None:
    (tmp_path / "cpv3" / "modules").mkdir(parents=True)
    assert locate_project([tmp_path / "cpv3" / "modules"]).root == tmp_path


def test_invalid_toml_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.archguard\n")
    with pytest.raises(ArchguardError, match="invalid TOML"):
        locate_project([tmp_path])
