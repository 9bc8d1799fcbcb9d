"""``archguard init`` then ``archguard check`` on small trees shaped like five public FastAPI
backends (their folder and file shapes, not their code): Hyperion (two modules dirs,
``cruds_{module}.py``), papermerge (a namespace package, ``db/api.py``), polar (shared code
inside the modules dir), dispatch (src layout, built assets) and tracecat. Each time the
config init writes lets check report the cross-module repository imports and no layout
finding for assets, shared folders or non-Python files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from archguard.cli import main

F = "from __future__ import annotations\n"
ROUTER = F + "from fastapi import APIRouter\n\nrouter = APIRouter()\n"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def init(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, Any]]:
    capsys.readouterr()
    assert main(["init", str(root)]) == 0
    out = capsys.readouterr().out
    document = tomllib.loads((root / "pyproject.toml").read_text())
    return out, document["tool"]["archguard"]


def check(root: Path, capsys: pytest.CaptureFixture[str], select: str = "AG1,AG202",
          ) -> list[tuple[str, str, int]]:
    capsys.readouterr()
    main(["check", str(root), "--format", "json", "--select", select, "--no-semgrep"])
    data = json.loads(capsys.readouterr().out)
    return [(d["code"], d["path"], d["line"]) for d in data["diagnostics"]]


def hyperion_module(base: str, name: str, endpoints: str = ROUTER) -> dict[str, str]:
    return {f"{base}/{name}/__init__.py": "",
            f"{base}/{name}/endpoints_{name}.py": endpoints,
            f"{base}/{name}/cruds_{name}.py": F,
            f"{base}/{name}/models_{name}.py": F,
            f"{base}/{name}/schemas_{name}.py": F}


UTILS = "from app.core.utils.config import Settings\n"


def test_hyperion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "hyperion"\nrequires-python = ">= 3.11"\n',
        "app/__init__.py": "", "app/modules/__init__.py": "", "app/core/__init__.py": "",
        "app/core/utils/__init__.py": "",
        "app/core/utils/config.py": F + "from pydantic_settings import BaseSettings\n\n\n"
                                    "class Settings(BaseSettings):\n    x: int = 1\n",
        "app/core/utils/security.py": F,
        "app/types/sqlalchemy.py": F + "from sqlalchemy.orm import DeclarativeBase\n\n\n"
                                   "class Base(DeclarativeBase):\n    pass\n",
        "app/utils/state.py": F + "from sqlalchemy.ext.asyncio import create_async_engine, "
                              "async_sessionmaker\nengine = create_async_engine('x')\n"
                              "factory = async_sessionmaker(engine)\n",
        **hyperion_module("app/core", "users", F + UTILS),
        **hyperion_module("app/core", "groups", F + UTILS),
        **hyperion_module("app/modules", "loan", F + UTILS + "from app.core.users import "
                          "cruds_users\nfrom app.modules.loan import cruds_loan\n"),
        **hyperion_module("app/modules", "booking", F + UTILS),
        "app/modules/booking/types_booking.py": F,
        "app/modules/booking/README.md": "# booking\n",
        "assets/images/logo.png": "",
        "app/modules/static/index.html": "<html/>",  # no Python: not a module
    })
    out, table = init(tmp_path, capsys)
    assert table["modules-dir"] == ["app/core", "app/modules"]
    assert table["shared"] == ["app/core/utils"]
    assert table["module-names"] == ["booking", "groups", "loan", "users"]
    assert table["roles"]["repository"] == "cruds_{module}.py"
    assert table["roles"]["router"] == "endpoints_{module}.py"
    assert table["settings-module"] == "app/core/utils/config.py"
    assert table["model-base"] == "app.types.sqlalchemy.Base"
    assert "database     app/utils/state.py" in out
    assert "repository = cruds_{module}.py (4/4)" in out
    assert ("warning: role 'service' (service.py) matched 0 of 4 modules" in out)
    assert check(tmp_path, capsys, "AG101,AG102,AG202") == [
        ("AG101", "app/modules/booking/types_booking.py", 1),
        ("AG202", "app/modules/loan/endpoints_loan.py", 3),
    ]


def papermerge_feature(name: str, router: str = ROUTER, api: str = F) -> dict[str, str]:
    base = f"papermerge/core/features/{name}"
    return {f"{base}/__init__.py": "", f"{base}/router.py": router, f"{base}/schema.py": F,
            f"{base}/db/__init__.py": "", f"{base}/db/api.py": api, f"{base}/db/orm.py": F}


def test_papermerge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ownership = "from papermerge.core.features.ownership.db import api as ownership_api\n"
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "papermerge"\n',
        "papermerge/core/__init__.py": "",  # papermerge/ itself has no __init__.py
        "papermerge/core/db/engine.py": F + "from sqlalchemy import create_engine\n"
                                        "from sqlalchemy.orm import sessionmaker\n"
                                        "engine = create_engine('x')\n"
                                        "Session = sessionmaker(engine)\n",
        **papermerge_feature("nodes"),
        **papermerge_feature("tags", api=F + ownership),
        **papermerge_feature("users", router=ROUTER + ownership),
        **papermerge_feature("ownership"),
        "papermerge/core/features/tags/tests/test_tags.py": F + ownership,
        "papermerge/core/features/tags/conftest.py": F,
        "frontend/src/app.ts": "",
    })
    capsys.readouterr()
    assert main(["init", str(tmp_path / "papermerge")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"archguard: error: {tmp_path / 'papermerge'} is a source folder of "
                          f"the project at {tmp_path}")
    assert not (tmp_path / "papermerge" / "pyproject.toml").exists()

    out, table = init(tmp_path, capsys)
    assert (table["package"], table["modules-dir"]) == ("papermerge", "papermerge/core/features")
    assert table["roles"]["repository"] == "db/api.py"
    assert table["roles"]["models"] == "db/orm.py"
    assert table["exclude"] == ["papermerge/core/features/*/tests",
                                "papermerge/core/features/*/conftest.py"]
    assert "repository = db/api.py (4/4)" in out
    assert check(tmp_path, capsys) == [
        ("AG103", "papermerge/core/features/nodes", 1),
        ("AG103", "papermerge/core/features/ownership", 1),
        ("AG103", "papermerge/core/features/tags", 1),
        ("AG202", "papermerge/core/features/tags/db/api.py", 2),
        ("AG103", "papermerge/core/features/users", 1),
        ("AG202", "papermerge/core/features/users/router.py", 5),
    ]  # AG103: no service.py, the role init warned about


def polar_module(name: str, service: str = F) -> dict[str, str]:
    return {f"polar/{name}/__init__.py": "", f"polar/{name}/endpoints.py": ROUTER,
            f"polar/{name}/repository.py": F + "from polar.kit.repository import "
                                             "RepositoryBase\n",
            f"polar/{name}/service.py": service, f"polar/{name}/schemas.py": F}


def test_polar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = tmp_path / "server"
    write(server, {
        "pyproject.toml": '[project]\nname = "polar"\nrequires-python = ">=3.14"\n',
        "polar/__init__.py": "", "polar/config.py": F,
        "polar/kit/__init__.py": "",
        "polar/kit/repository/__init__.py": F + "class RepositoryBase:\n    pass\n",
        "polar/kit/utils.py": F,
        "polar/kit/schemas.py": F + "from pydantic import BaseModel\n\n\n"
                                "class Schema(BaseModel):\n    pass\n",
        "polar/models/__init__.py": "", "polar/models/customer.py": F,
        "polar/worker/__init__.py": "", "polar/worker/_run.py": F,
        "polar/postgres.py": F,
        **polar_module("customer"),
        **polar_module("order", F + "from polar.customer.repository import "
                       "CustomerRepository\nfrom polar.models import customer\n"),
        **polar_module("product"),
        **{f"polar/{m}/schemas.py": F + "from polar.kit.schemas import Schema\n\n\n"
           f"class {m.title()}Read(Schema):\n    id: int\n" for m in ("customer", "product")},
        "polar/order/schemas.py": F + "from polar.kit.schemas import Schema\n\n\n"
                                  "class OrderRead(Schema):\n    id: int\n",
        "polar/product/sorting.py": F,
        "polar/customer/types.py": "type CustomerID = int\n",  # Python 3.12 syntax
    })
    out, table = init(server, capsys)
    assert table["modules-dir"] == "polar"
    assert table["shared"] == ["polar/kit", "polar/models", "polar/worker"]
    assert table["module-names"] == ["customer", "order", "product"]
    assert table["roles"]["router"] == "endpoints.py"
    assert table["schema-base"] == "polar.kit.schemas.Schema"
    assert "warning: role 'models' (models.py) matched 0 of 3 modules" in out
    assert check(server, capsys, "AG0,AG101,AG102,AG104,AG202") == [
        ("AG101", "polar/customer/types.py", 1),
        ("AG000", "polar/customer/types.py", 1),
        ("AG202", "polar/order/service.py", 2),
        ("AG101", "polar/product/sorting.py", 1),
    ]


def test_dispatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def dispatch_module(name: str, service: str = F) -> dict[str, str]:
        base = f"src/dispatch/{name}"
        return {f"{base}/__init__.py": "", f"{base}/models.py": F, f"{base}/service.py": service,
                f"{base}/views.py": ROUTER}

    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "dispatch"\n',
        "src/dispatch/__init__.py": "",
        "src/dispatch/database/__init__.py": "",
        "src/dispatch/database/core.py": F + "from sqlalchemy import create_engine\n"
                                          "from sqlalchemy.orm import sessionmaker\n"
                                          "engine = create_engine('x')\n"
                                          "SessionLocal = sessionmaker(bind=engine)\n",
        "src/dispatch/config.py": F + "import os\n\nDATABASE_HOSTNAME = os.getenv('DB_HOST')\n",
        "src/dispatch/core/settings.py": F + "from pydantic_settings import BaseSettings\n\n\n"
                                            "class PluginSettings(BaseSettings):\n    x: int = 1\n",
        "src/dispatch/api_deps.py": F + "async def get_db():\n    yield None\n",
        **dispatch_module("incident", F + "from dispatch.case.service import get\n"
                          "from dispatch.database.core import SessionLocal\n"),
        **dispatch_module("case"),
        **dispatch_module("tag"),
        "src/dispatch/incident/flows.py": F,
        "src/dispatch/incident/README.md": "notes",
        "src/dispatch/incident/package.json": "{}",
        "src/dispatch/incident/icon.svg": "<svg/>",
        "src/dispatch/static/dispatch/dist/app.js": "",
        "src/dispatch/static/dispatch/index.html": "",
        "src/dispatch/tag/templates/mail.html": "",
    })
    capsys.readouterr()
    assert main(["init", str(tmp_path / "src")]) == 2
    assert "is a source folder" in capsys.readouterr().err
    out, table = init(tmp_path, capsys)
    assert (table["package"], table["source-root"], table["modules-dir"]) == (
        "dispatch", "src", "src/dispatch")
    assert table["module-names"] == ["case", "incident", "tag"]
    assert table["roles"]["router"] == "views.py"
    # found as check finds them: every settings file, the database folder and get_db's file
    assert table["settings-module"] == ["src/dispatch/config.py",
                                        "src/dispatch/core/settings.py"]
    assert "database     src/dispatch/api_deps.py, src/dispatch/database/core.py" in out
    found = check(tmp_path, capsys, "AG101,AG102,AG104,AG2")
    assert found == [("AG101", "src/dispatch/incident/flows.py", 1)]


def test_tracecat(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def tracecat_module(name: str, service: str = F) -> dict[str, str]:
        base = f"tracecat/{name}"
        return {f"{base}/__init__.py": "", f"{base}/router.py": ROUTER,
                f"{base}/service.py": service, f"{base}/schemas.py": F}

    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "tracecat"\n',
        "tracecat/__init__.py": "",
        "tracecat/db/__init__.py": "", "tracecat/db/models.py": F,
        "tracecat/core/__init__.py": "", "tracecat/core/schemas.py": F,
        **tracecat_module("cases", F + "from tracecat.tags.service import TagsService\n"),
        **tracecat_module("tags"),
        **tracecat_module("workflows"),
        "frontend/node_modules/x/setup.py": "",
    })
    out, table = init(tmp_path, capsys)
    assert (table["package"], table["modules-dir"]) == ("tracecat", "tracecat")
    assert table["shared"] == ["tracecat/core", "tracecat/db"]
    assert check(tmp_path, capsys, "AG101,AG102,AG104,AG2") == []


def test_onyx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """onyx's server/: routers beside folders of feature packages (features/*, manage/*,
    each with api.py and models.py; features/build/* one level further down), and a
    third-party library copied into the package with its own LICENSE. The feature folders
    are modules dirs of their own (not shared code, not nested packages of one module); the
    copy is excluded, but a licensed folder that imports the package, absolutely or
    relatively (an enterprise edition), is the project's code, and so is a module named
    license.py."""
    def feature(base: str, name: str) -> dict[str, str]:
        return {f"{base}/{name}/__init__.py": "", f"{base}/{name}/api.py": ROUTER,
                f"{base}/{name}/models.py": F}

    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "onyx"\n',
        "onyx/__init__.py": "",
        "onyx/server/__init__.py": "",
        **feature("onyx/server", "documents"), **feature("onyx/server", "query"),
        **{k: v for n in ("persona", "mcp", "tool", "usage")
           for k, v in feature("onyx/server/features", n).items()},
        # a namespace package (no __init__.py) named build, itself a folder of modules
        "onyx/server/features/build/api.py": ROUTER,
        **{k: v for n in ("approvals", "session", "user_library")
           for k, v in feature("onyx/server/features/build", n).items()},
        "onyx/server/features/__init__.py": "",
        **{k: v for n in ("llm", "voice", "embedding") for k, v in feature(
            "onyx/server/manage", n).items()},
        "onyx/server/manage/__init__.py": "", "onyx/server/manage/models.py": F,
        "onyx/server/manage/users.py": ROUTER,
        "onyx/server/manage/helpers/__init__.py": "",
        "onyx/utils/__init__.py": "",
        "onyx/utils/jsonriver/LICENSE": "BSD-3-Clause\n",
        "onyx/utils/jsonriver/__init__.py": "from .parse import parse\n",
        "onyx/utils/jsonriver/parse.py": "def parse(text: str) -> str:\n    return text\n",
        "onyx/legal/__init__.py": "", "onyx/legal/license.py": F,  # a module, no licence
        "onyx/enterprise/LICENSE.md": "Enterprise\n",  # imports the package relatively
        "onyx/enterprise/__init__.py": "",
        "onyx/enterprise/seats.py": F + "from ..utils import jsonriver\n",
        "onyx/ee/LICENSE.txt": "Enterprise\n",
        "onyx/ee/__init__.py": "",
        "onyx/ee/billing.py": "import onyx.utils\n\n\ndef total(x: int) -> int:\n    return x\n",
    })
    out, table = init(tmp_path, capsys)
    assert table["modules-dir"] == ["onyx/server", "onyx/server/features",
                                    "onyx/server/manage", "onyx/server/features/build"]
    assert table.get("shared", []) == []
    assert table["exclude"] == ["onyx/utils/jsonriver/*"]
    assert "excluded     onyx/utils/jsonriver/*" in out
    # the licensed folder that imports the package relatively is checked
    assert check(tmp_path, capsys, "AG102,AG2") == [("AG201", "onyx/enterprise/seats.py", 2)]
    # the copy's relative import and missing future import are not judged; the licensed
    # enterprise folder is
    assert check(tmp_path, capsys, "AG201,AG801") == [
        ("AG801", "onyx/ee/billing.py", 1), ("AG201", "onyx/enterprise/seats.py", 2)]


def test_a_module_with_sub_modules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """dispatch's case/: a module of its own (views, service, models) and three sub-modules
    beside (case_cost/, case_type/, severity/). case/ is written as a modules dir too; its
    own files stay the module 'case' (a cross-module repository import from its service is
    still reported), its sub-modules are modules, not nested packages."""
    def module(base: str, service: str = F) -> dict[str, str]:
        return {f"{base}/__init__.py": "", f"{base}/models.py": F,
                f"{base}/service.py": service, f"{base}/views.py": ROUTER,
                f"{base}/repository.py": F}

    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\n',
        "app/__init__.py": "",
        **module("app/case", F + "from app.tag.repository import TagRepository\n"),
        **module("app/case/case_cost"), **module("app/case/case_type"),
        **module("app/case/severity"),
        **module("app/tag"), **module("app/incident"),
    })
    out, table = init(tmp_path, capsys)
    assert table["modules-dir"] == ["app", "app/case"]
    assert check(tmp_path, capsys, "AG102,AG202") == [("AG202", "app/case/service.py", 2)]
