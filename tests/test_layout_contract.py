"""The layout contract: modules-dir as a path or a list, shared folders, role patterns
(``{module}``, ``*``, subfolder paths), layout-ignore; only Python files and folders holding
Python code take part. In-memory trees, exact findings."""

from __future__ import annotations

import pytest
from helpers import findings

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config, RolesConfig, load_config_table

FUTURE = "from __future__ import annotations\n"


def config(**table: object) -> Config:
    return load_config_table({"module-names": [], **table}, "test")


def module(base: str, name: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{base}/{name}/{file.format(module=name)}": source for file, source in files.items()}


HYPERION_FILES = {"__init__.py": "", "endpoints_{module}.py": FUTURE,
                  "cruds_{module}.py": FUTURE, "models_{module}.py": FUTURE,
                  "schemas_{module}.py": FUTURE}
HYPERION = config(**{
    "package": "app", "modules-dir": ["app/modules", "app/core"],
    "shared": ["app/core/utils"],
    "roles": {"router": ["router.py", "endpoints_{module}.py"],
              "repository": ["repository.py", "cruds_{module}.py"],
              "models": ["models.py", "models_{module}.py"],
              "schemas": ["schemas_{module}.py"], "service": []}})


def test_a_string_role_is_a_one_element_list() -> None:
    roles = RolesConfig(router="endpoints.py")
    assert roles.patterns["router"] == ("endpoints.py",)
    assert roles.files["router"] == "endpoints.py"  # the one-name view still works
    assert roles.role_of("endpoints.py") == "router"
    assert roles.role_of("router.py") is None


def test_patterns_with_module_star_and_subfolders() -> None:
    roles = RolesConfig(repository=["cruds_{module}.py", "db/api.py"],
                        router=["routers/*.py"], models=[])
    assert roles.role_of("cruds_loan.py", "loan") == "repository"
    assert roles.role_of("cruds_loan.py", "users") is None  # {module} is the folder's name
    assert roles.role_of("db/api.py", "nodes") == "repository"
    assert roles.role_of("routers/pages.py", "nodes") == "router"
    assert roles.role_of("routers/deep/pages.py", "nodes") is None  # * stays in a segment
    assert roles.patterns["models"] == ()
    assert roles.allows_subfolder("db", "nodes") and not roles.allows_subfolder("dbx", "x")
    assert roles.expected("repository", "loan") == ("cruds_loan.py", "db/api.py")


@pytest.mark.parametrize(("table", "message"), [
    ({"roles": {"router": ["../x.py"]}}, "'tool.archguard.roles.router' has the pattern "
                                         "'../x.py': a pattern is a file path relative to "
                                         "the module folder"),
    ({"roles": {"router": 3}}, "'tool.archguard.roles.router' must be a string or a list of "
                               "a string, got int"),
    ({"modules-dir": []}, "'tool.archguard.modules-dir' must name at least one folder"),
    ({"shared": "app/core/utils"}, "'tool.archguard.shared' must be a list of a string, "
                                   "got str"),
])
def test_bad_layout_values_are_one_line_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ArchguardError) as error:
        load_config_table(table, "pyproject.toml")
    assert str(error.value) == f"pyproject.toml: {message}"


def test_several_modules_dirs_role_patterns_and_shared_folders() -> None:
    files = {
        "app/__init__.py": "",
        "app/modules/__init__.py": "",
        "app/core/utils/__init__.py": "",
        "app/core/utils/config.py": FUTURE + "class Settings:\n    pass\n",
        "app/core/utils/log.py": FUTURE,  # extra files of shared code: no AG101
        **module("app/core", "users", HYPERION_FILES),
        **module("app/modules", "loan", {
            **HYPERION_FILES,
            "endpoints_{module}.py": FUTURE + (
                "from app.core.users import cruds_users\n"
                "from app.core.utils.config import Settings\n"
                "from app.modules.loan.cruds_loan import get_loans\n"),
            "types_{module}.py": FUTURE,
            "README.md": "# loan\n",
        }),
        **module("app/modules", "booking", {
            "__init__.py": "", "endpoints_{module}.py": FUTURE, "models_{module}.py": FUTURE,
            "schemas_{module}.py": FUTURE}),
        "app/modules/booking/logo.svg": "<svg/>",
        "app/modules/assets/fonts/a.ttf": "",  # no Python: not a module
    }
    assert findings(files, ["AG1", "AG202"], HYPERION) == [
        ("AG103", "app/modules/booking", 1),
        ("AG202", "app/modules/loan/endpoints_loan.py", 2),
        ("AG101", "app/modules/loan/types_loan.py", 1),
    ]


def test_messages_name_the_role_and_its_expected_files() -> None:
    from helpers import run

    files = module("app/modules", "loan", {"__init__.py": "", "endpoints_{module}.py": FUTURE,
                                           "models_{module}.py": FUTURE,
                                           "schemas_{module}.py": FUTURE})
    (found,) = run(files, ["AG103"], HYPERION)
    assert found.message == "module 'loan' has no repository (repository.py or cruds_loan.py)"
    assert "[tool.archguard.roles]" in found.hint and "service.py" not in found.hint


PAPERMERGE = config(**{
    "package": "papermerge", "modules-dir": "papermerge/core/features",
    "roles": {"router": "router.py", "repository": "db/api.py", "models": "db/orm.py",
              "schemas": "schema.py", "service": []}})


def papermerge_feature(name: str, **extra: str) -> dict[str, str]:
    return module("papermerge/core/features", name, {
        "__init__.py": "", "router.py": FUTURE, "schema.py": FUTURE, "db/__init__.py": "",
        "db/api.py": FUTURE, "db/orm.py": FUTURE, **extra})


def test_a_role_file_in_a_subfolder() -> None:
    files = {
        "papermerge/core/__init__.py": "",
        **papermerge_feature("nodes", **{"router.py": FUTURE + (
            "from papermerge.core.features.nodes.db import api as nodes_api\n"
            "from papermerge.core.features.tags.db import api as tags_api\n")}),
        **papermerge_feature("tags", **{"db/selectors.py": FUTURE,
                                        "cli/cli.py": FUTURE}),
    }
    assert findings(files, ["AG1", "AG202"], PAPERMERGE) == [
        ("AG202", "papermerge/core/features/nodes/router.py", 3),
        ("AG102", "papermerge/core/features/tags/cli", 1),
    ]
    from helpers import run

    (ag202,) = run(files, ["AG202"], PAPERMERGE)
    assert ag202.message == ("'papermerge.core.features.tags.db.api' belongs to module "
                             "'tags''s repository: module 'tags' has no service to go through")
    assert "service" not in ag202.hint.split("give module 'tags' a service")[0]


POLAR = config(**{"package": "polar", "modules-dir": "polar",
                  "shared": ["polar/kit", "polar/models", "polar/work*"],
                  "roles": {"router": "endpoints.py", "models": []}})


def polar_module(name: str, **extra: str) -> dict[str, str]:
    return module("polar", name, {"__init__.py": "", "endpoints.py": FUTURE,
                                  "repository.py": FUTURE, "service.py": FUTURE,
                                  "schemas.py": FUTURE, **extra})


def test_a_shared_repository_package_is_no_modules_repository() -> None:
    kit_import = "from polar.kit.repository import RepositoryBase\n"
    files = {
        "polar/__init__.py": "",
        "polar/config.py": FUTURE,  # directly in the modules dir: in no module
        "polar/kit/__init__.py": "",
        "polar/kit/repository/__init__.py": FUTURE + "class RepositoryBase:\n    pass\n",
        "polar/kit/utils.py": FUTURE,
        "polar/models/__init__.py": "",
        "polar/models/customer.py": FUTURE,
        "polar/worker/_run.py": FUTURE,
        **polar_module("customer", **{"repository.py": FUTURE + kit_import}),
        **polar_module("order", **{"service.py": FUTURE + kit_import + (
            "from polar.customer.repository import CustomerRepository\n"
            "from polar.models import customer\n")}),
    }
    assert findings(files, ["AG1", "AG2"], POLAR) == [
        ("AG202", "polar/order/service.py", 3)]
    from helpers import run

    (ag202,) = run(files, ["AG202"], POLAR)
    assert ag202.message == ("'polar.customer.repository.CustomerRepository' belongs to "
                             "module 'customer''s repository: go through the customer service")


def test_without_shared_the_kit_is_a_module() -> None:
    """The same tree without ``shared``: kit is a domain module again (so the contract's
    ``shared`` key is what keeps its repository package out)."""
    files = {"polar/kit/__init__.py": "", "polar/kit/repository.py": FUTURE,
             **polar_module("order", **{"service.py": FUTURE + (
                 "from polar.kit.repository import RepositoryBase\n")})}
    assert findings(files, ["AG202"], config(**{"package": "polar", "modules-dir": "polar"})) \
        == [("AG202", "polar/order/service.py", 2)]
    assert findings(files, ["AG202"], config(**{"package": "polar", "modules-dir": "polar",
                                                "shared": ["kit"]})) == []


def test_layout_ignore_and_non_python_files() -> None:
    files = {
        **polar_module("order", **{"constants.py": FUTURE, "generated_pb2.py": FUTURE}),
        "polar/order/templates/mail.html": "<p/>",  # a folder without Python: no AG102
        "polar/order/package.json": "{}",
        "polar/order/helpers/x.py": FUTURE,
    }
    base = {"package": "polar", "modules-dir": "polar", "roles": {"router": "endpoints.py",
                                                                 "models": []}}
    assert findings(files, ["AG1"], config(**base)) == [
        ("AG101", "polar/order/constants.py", 1),
        ("AG101", "polar/order/generated_pb2.py", 1),
        ("AG102", "polar/order/helpers", 1),
    ]
    ignoring = config(**base, **{"layout-ignore": ["*_pb2.py", "polar/order/helpers"]})
    assert findings(files, ["AG1"], ignoring) == [("AG101", "polar/order/constants.py", 1)]


def test_graph_has_no_shared_nodes() -> None:
    from archguard.analysis.project_view import Project
    from archguard.engine.analyze import analyze_file
    from archguard.graph.modules import build_module_graph

    files = {
        "polar/kit/__init__.py": "",
        "polar/kit/db.py": FUTURE + "from polar.order.service import x\n",
        **polar_module("order", **{"service.py": FUTURE + "from polar.kit.db import y\n"
                                   "from polar.customer.service import z\n"}),
        **polar_module("customer"),
    }
    results = [analyze_file(p, s.encode(), POLAR) for p, s in files.items()]
    project = Project(POLAR, {r.path: r.facts for r in results})
    graph = build_module_graph(project)
    assert graph.modules == ["customer", "order"]
    assert list(graph.module_edges) == [("order", "customer")]
