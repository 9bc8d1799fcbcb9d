"""``archguard init``: detect the layout, write a config under which the layout rules find
nothing caused by the project's naming; never clobber an existing section without --force.
Also the pre-commit hook definition."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE
from helpers import dedent

from archguard.cli import main
from archguard.project.config import RolesConfig, archguard_table, load_config_table
from archguard.project.init import detect, replace_section

LAYOUT = ("AG101", "AG102", "AG103", "AG104", "AG105")
FUTURE = "from __future__ import annotations\n"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["check", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def layout_findings(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d["code"], d["path"]) for d in data["diagnostics"] if d["code"] in LAYOUT}


def config_of(root: Path) -> Any:
    table = archguard_table(tomllib.loads((root / "pyproject.toml").read_text()))
    assert table is not None
    return load_config_table(table, "test")


def test_init_on_sample_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__",
                                                                ".archguard_cache"))
    original = (copy / "pyproject.toml").read_text()
    _, before = check_json(capsys, str(copy))

    assert main(["init", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "wrote [tool.archguard]" in out and "package      cpv3" in out

    text = (copy / "pyproject.toml").read_text()
    assert text.startswith(original.rstrip("\n"))  # appended, nothing else touched
    config = config_of(copy)
    modules = sorted(p.name for p in (copy / "cpv3" / "modules").iterdir()
                     if p.is_dir() and p.name != "__pycache__")
    assert (config.package, config.modules_dir) == ("cpv3", "cpv3/modules")
    assert config.roles == RolesConfig()  # sample_project follows the rulebook's names
    assert config.module_names == modules
    assert config.schema_base == "cpv3.common.schemas.Schema"

    _, after = check_json(capsys, str(copy))
    assert layout_findings(after) <= layout_findings(before)  # init adds no layout finding
    assert not {c for c, _ in layout_findings(after)} & {"AG104", "AG105"}


def write_shop(root: Path, router_names: dict[str, str]) -> None:
    """A realistic small project whose modules use other file names than the rulebook."""
    package = root / "shop"
    (package / "common").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "common" / "__init__.py").write_text("")
    (package / "common" / "schemas.py").write_text(
        FUTURE + "\nfrom pydantic import BaseModel, ConfigDict\n\n\nclass Schema(BaseModel):\n"
        "    model_config = ConfigDict(from_attributes=True)\n")
    (package / "modules").mkdir()
    (package / "modules" / "__init__.py").write_text("")
    for module, router in router_names.items():
        folder = package / "modules" / module
        folder.mkdir()
        title = module.capitalize()
        files = {
            "__init__.py": "",
            "models.py": FUTURE,
            "schemas.py": FUTURE + "\nfrom shop.common.schemas import Schema\n\n\n"
                          f"class {title}Read(Schema):\n    id: int\n",
            "crud.py": FUTURE,
            "services.py": FUTURE,
            router: FUTURE + "\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n",
        }
        for name, source in files.items():
            (folder / name).write_text(source)
    (root / "tests").mkdir()


def test_init_on_a_project_whose_routers_are_endpoints(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_shop(tmp_path, {"orders": "endpoints.py", "carts": "endpoints.py",
                          "users": "endpoints.py"})
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    (tmp_path / "package-only.toml").write_text(
        'package = "shop"\nmodules-dir = "shop/modules"\nmodule-names = []\n')
    _, before = check_json(capsys, str(tmp_path), "--select", "AG1", "--config",
                              str(tmp_path / "package-only.toml"))
    assert ("AG101", "shop/modules/orders/endpoints.py") in layout_findings(before)
    assert ("AG103", "shop/modules/orders") in layout_findings(before)  # default names

    assert main(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "router = endpoints.py (3/3)" in out
    config = config_of(tmp_path)
    assert (config.package, config.modules_dir) == ("shop", "shop/modules")
    assert config.module_names == ["carts", "orders", "users"]
    assert (config.roles.router, config.roles.repository, config.roles.service) == (
        "endpoints.py", "crud.py", "services.py")
    assert config.schema_base == "shop.common.schemas.Schema"
    assert config.tests_dir == "tests"

    code, after = check_json(capsys, str(tmp_path), "--select", "AG1,AG2,AG3")
    assert (code, after["diagnostics"]) == (0, [])


def test_roles_follow_the_majority(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_shop(tmp_path, {"orders": "endpoints.py", "carts": "endpoints.py",
                          "users": "routes.py"})
    assert main(["init", str(tmp_path)]) == 0  # creates pyproject.toml
    assert config_of(tmp_path).roles.router == "endpoints.py"
    _, data = check_json(capsys, str(tmp_path), "--select", "AG1")
    assert layout_findings(data) == {("AG101", "shop/modules/users/routes.py"),
                                     ("AG103", "shop/modules/users")}


def test_modules_folder_by_another_name(tmp_path: Path) -> None:
    for module in ("billing", "catalog"):
        folder = tmp_path / "app" / "domains" / module
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "views.py").write_text("")
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")  # never the package
    layout = detect(tmp_path)
    assert (layout.package, layout.modules_dir, layout.modules) == (
        "app", "app/domains", ["billing", "catalog"])
    assert layout.roles["router"] == "views.py"
    assert layout.roles["service"] == "service.py"  # not found: the default stays


EXISTING = """\
[project]
name = "shop"

[tool.archguard]
package = "old"
ignore = ["AG503"]

[tool.archguard.roles]
router = "old.py"

# ruff settings below
[tool.ruff]
line-length = 100
"""


def test_existing_section_needs_force(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_shop(tmp_path, {"orders": "endpoints.py", "carts": "endpoints.py"})
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(EXISTING)
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"archguard: error: {pyproject} already has a [tool.archguard] section; "
                   f"run 'archguard init --force' to replace it\n")
    assert pyproject.read_text() == EXISTING

    assert main(["init", str(tmp_path), "--force"]) == 0
    text = pyproject.read_text()
    document = tomllib.loads(text)
    assert document["project"] == {"name": "shop"}
    assert document["tool"]["ruff"] == {"line-length": 100}
    assert document["tool"]["archguard"]["package"] == "shop"
    assert document["tool"]["archguard"]["roles"]["router"] == "endpoints.py"
    assert "AG503" not in text and "old.py" not in text
    assert "# ruff settings below\n[tool.ruff]" in text
    assert text.count("[tool.archguard]") == 1


def test_replace_section_keeps_tables_in_between() -> None:
    text = "[tool.archguard]\npackage = 'a'\n\n[tool.ruff]\nx = 1\n\n[tool.archguard.roles]\n" \
           "router = 'r.py'\n\n[tool.archguard.pagination]\nparameter-sets = [\n" \
           "    [\"limit\", \"offset\"],\n    [\"cursor\"]\n]\n"
    replaced = replace_section(text, "[tool.archguard]\npackage = \"b\"\n")
    assert tomllib.loads(replaced) == {"tool": {"archguard": {"package": "b"},
                                                "ruff": {"x": 1}}}


def test_init_without_a_package_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("archguard: error: no Python package found in")
    assert not (tmp_path / "pyproject.toml").exists()


def test_pre_commit_hook_checks_the_whole_package() -> None:
    yaml = pytest.importorskip("yaml")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "archguard"
    assert hook["entry"] == "archguard check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["require_serial"] is True
    assert hook["types"] == ["python"]


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    write_shop(tmp_path, {"orders": "endpoints.py", "carts": "endpoints.py"})
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(b'[project]\r\nname = "shop"\r\n')
    assert main(["init", str(tmp_path)]) == 0
    data = pyproject.read_bytes()
    assert data.startswith(b'[project]\r\nname = "shop"\r\n\r\n[tool.archguard]\r\n')
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_base_few_models_share_is_no_schema_base(tmp_path: Path) -> None:
    """onyx-shaped: a streaming-event base four models share, beside six plain models;
    the rulebook's place is proposed instead (AG301 then asks for it)."""
    package = tmp_path / "app"
    (package / "server").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    events = "from pydantic import BaseModel\n\n\nclass BaseObj(BaseModel):\n    pass\n"
    events += "".join(f"\n\nclass Event{i}(BaseObj):\n    pass\n" for i in range(4))
    (package / "server" / "streaming.py").write_text(events)
    (package / "server" / "models.py").write_text("from pydantic import BaseModel\n" + "".join(
        f"\n\nclass Thing{i}(BaseModel):\n    pass\n" for i in range(6)))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert main(["init", str(tmp_path)]) == 0
    assert config_of(tmp_path).schema_base == "app.common.schemas.Schema"
    (package / "server" / "models.py").write_text("from pydantic import BaseModel\n")
    assert main(["init", "--force", str(tmp_path)]) == 0
    assert config_of(tmp_path).schema_base == "app.server.streaming.BaseObj"


def test_folders_without_a_role_file_leave_module_names_empty(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """onyx-shaped: some folders of the modules dir are infrastructure (metrics, runtime),
    without a router, service, repository or models file: init lists no module, so the
    layout rules judge only the folders that hold one."""
    write_shop(tmp_path, {"orders": "endpoints.py", "carts": "endpoints.py"})
    metrics = tmp_path / "shop" / "modules" / "metrics"
    metrics.mkdir()
    (metrics / "__init__.py").write_text("")
    (metrics / "prometheus.py").write_text(FUTURE)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    assert main(["init", str(tmp_path)]) == 0
    assert "3 folders, judged where they hold a role file" in capsys.readouterr().out
    assert config_of(tmp_path).module_names == []
    assert config_of(tmp_path).model_mixin == "cpv3.db.base.BaseModelMixin"  # no base found
    code, after = check_json(capsys, str(tmp_path), "--select", "AG1")
    assert (code, after["diagnostics"]) == (0, [])


def test_the_model_mixin_is_written_beside_the_base(tmp_path: Path) -> None:
    """The rulebook's BaseModelMixin where the project defines it; else its place beside the
    declarative base, said to be not found yet (the messages then name a real place)."""
    write_shop(tmp_path, {"orders": "router.py", "carts": "router.py"})
    db = tmp_path / "shop" / "db"
    db.mkdir()
    (db / "__init__.py").write_text("")
    (db / "base.py").write_text(FUTURE + "\nfrom sqlalchemy.orm import DeclarativeBase\n\n\n"
                                "class Base(DeclarativeBase):\n    pass\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert 'model-mixin = "shop.db.base.BaseModelMixin"  # not found yet' in text
    (db / "mixins.py").write_text(FUTURE + "\n\nclass BaseModelMixin:\n    pass\n")
    assert main(["init", "--force", str(tmp_path)]) == 0
    assert config_of(tmp_path).model_mixin == "shop.db.mixins.BaseModelMixin"


def test_a_mixin_under_another_name_is_found_by_its_columns(tmp_path: Path) -> None:
    """letta's CommonSqlalchemyMetaMixins declares created_at, updated_at and is_deleted and
    is a base of other classes: the project's mixin. A model with the same timestamps (a
    table of its own) and a Pydantic schema with those fields are not."""
    write_shop(tmp_path, {"orders": "router.py", "carts": "router.py"})
    db = tmp_path / "shop" / "db"
    db.mkdir()
    (db / "__init__.py").write_text("")
    (db / "base.py").write_text(FUTURE + dedent("""
        from datetime import datetime

        from pydantic import BaseModel
        from sqlalchemy import Boolean, DateTime, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Audit(BaseModel):
            created_at: datetime
            updated_at: datetime
            is_deleted: bool


        class CommonMeta(Base):
            __abstract__ = True
            created_at: Mapped[datetime] = mapped_column(DateTime)
            updated_at: Mapped[datetime] = mapped_column(DateTime)
            is_deleted: Mapped[bool] = mapped_column(Boolean)


        class SqlalchemyBase(CommonMeta):
            __abstract__ = True
            id: Mapped[str] = mapped_column(String, primary_key=True)


        class Event(Base):
            __tablename__ = "events"
            id: Mapped[str] = mapped_column(String, primary_key=True)
            created_at: Mapped[datetime] = mapped_column(DateTime)
            updated_at: Mapped[datetime] = mapped_column(DateTime)
            is_deleted: Mapped[bool] = mapped_column(Boolean)


        class Sub(Event, Audit):
            pass
    """))
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    assert main(["init", str(tmp_path)]) == 0
    assert config_of(tmp_path).model_mixin == "shop.db.base.CommonMeta"


def test_a_business_module_named_settings_is_no_settings_module(tmp_path: Path) -> None:
    """init detects the settings as check does, under the layout it found: the modules'
    own settings folder (a feature) reading the environment stays judged."""
    write_shop(tmp_path, {"orders": "router.py", "settings": "router.py"})
    (tmp_path / "shop" / "modules" / "settings" / "services.py").write_text(
        FUTURE + "\nimport os\n\nFLAG = os.environ['ORG_FEATURE_FLAG']\n")
    (tmp_path / "shop" / "config.py").write_text(
        FUTURE + "\nimport os\n\nDEBUG = os.environ.get('DEBUG')\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    assert main(["init", str(tmp_path)]) == 0
    assert config_of(tmp_path).settings_modules == ["shop/config.py"]
    # letta: the settings module most modules import comes first (the hints name it)
    (tmp_path / "shop" / "settings.py").write_text(
        FUTURE + "\nfrom pydantic_settings import BaseSettings\n\n\n"
                 "class Settings(BaseSettings):\n    debug: bool = False\n")
    for name in ("orders", "settings"):
        (tmp_path / "shop" / "modules" / name / "deps.py").write_text(
            FUTURE + "\nfrom shop.settings import Settings\n")
    assert main(["init", "--force", str(tmp_path)]) == 0
    assert config_of(tmp_path).settings_modules == ["shop/settings.py", "shop/config.py"]
