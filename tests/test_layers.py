"""AG203 router-repository-access, AG204 layer-direction, AG205 module-cycle."""

from __future__ import annotations

import textwrap

import pytest

from archguard.diagnostics import ArchguardError
from archguard.project.config import Config, LayersConfig, load_config_table
from helpers import findings, run

M = "cpv3/modules"
FUTURE = "from __future__ import annotations\n"


def py(body: str) -> str:
    """A module of the package: the future import, then ``body`` from line 2."""
    return FUTURE + textwrap.dedent(body).lstrip("\n")


REPO = py("""

class UserRepository:
    pass
""")


# AG203 router-repository-access -------------------------------------------------------------
def test_router_importing_its_own_repository() -> None:
    files = {
        f"{M}/users/repository.py": REPO,
        f"{M}/users/router.py": py("""
            from cpv3.modules.users.repository import UserRepository
            """),
    }
    assert findings(files, ["AG203"]) == [("AG203", f"{M}/users/router.py", 2)]


def test_router_importing_another_modules_repository_message() -> None:
    files = {
        f"{M}/users/repository.py": REPO,
        f"{M}/projects/router.py": py("""
            from fastapi import APIRouter

            from cpv3.modules.users.repository import UserRepository, UserRepository as R
            """),
    }
    found = run(files, ["AG203"])
    assert [(d.code, d.path, d.line) for d in found] == [
        ("AG203", f"{M}/projects/router.py", 4)]
    assert found[0].message == (
        "router imports 'cpv3.modules.users.repository.UserRepository' of the users "
        "repository: routers call services, never repositories")


def test_module_alias_and_instantiation_is_one_finding_at_the_import() -> None:
    files = {
        f"{M}/users/repository.py": REPO,
        f"{M}/users/router.py": py("""
            import cpv3.modules.users.repository as r


            async def list_users(db):
                return await r.UserRepository(db).list()
            """),
    }
    assert findings(files, ["AG203"]) == [("AG203", f"{M}/users/router.py", 2)]


def test_reexport_through_the_module_init() -> None:
    files = {
        f"{M}/users/__init__.py": py("""
            from cpv3.modules.users.repository import UserRepository
            """),
        f"{M}/users/repository.py": REPO,
        f"{M}/users/router.py": py("""
            from cpv3.modules.users import UserRepository
            """),
    }
    found = run(files, ["AG203"])
    assert [(d.code, d.path, d.line) for d in found] == [("AG203", f"{M}/users/router.py", 2)]
    assert "(re-exported as 'cpv3.modules.users.UserRepository')" in found[0].message


def test_instantiation_through_an_imported_package() -> None:
    files = {
        f"{M}/users/__init__.py": py("""
            from cpv3.modules.users.repository import UserRepository
            from cpv3.modules.users.service import UserService
            """),
        f"{M}/users/repository.py": REPO,
        f"{M}/users/service.py": f"{FUTURE}\n\nclass UserService:\n    pass\n",
        f"{M}/projects/router.py": py("""
            from cpv3.modules import users


            async def owner(db):
                service = users.UserService(db)
                return await users.UserRepository(db).get(service.current_id())
            """),
    }
    found = run(files, ["AG203"])
    assert [(d.code, d.path, d.line, d.column) for d in found] == [
        ("AG203", f"{M}/projects/router.py", 7, 18)]
    assert found[0].message.startswith(
        "router calls 'cpv3.modules.users.repository.UserRepository' of the users repository")


def test_repository_module_import_and_lazy_import() -> None:
    files = {
        f"{M}/users/repository.py": REPO,
        f"{M}/users/router.py": py("""
            from cpv3.modules.users import repository


            def handler():
                from cpv3.modules.users.repository import UserRepository
                return UserRepository, repository
            """),
    }
    assert findings(files, ["AG203"]) == [
        ("AG203", f"{M}/users/router.py", 2), ("AG203", f"{M}/users/router.py", 6)]


def test_repository_named_by_an_import_but_absent_from_the_tree() -> None:
    files = {f"{M}/users/router.py": py("""
        from cpv3.modules.media.repository import MediaRepository
        """)}
    assert findings(files, ["AG203"]) == [("AG203", f"{M}/users/router.py", 2)]


def test_router_importing_a_service_is_fine() -> None:
    files = {
        f"{M}/users/service.py": f"{FUTURE}\n\nclass UserService:\n    pass\n",
        f"{M}/users/router.py": py("""
            from cpv3.modules.users.service import UserService
            """),
    }
    assert findings(files, ["AG203"]) == []


ROUTER_TYPE_CHECKING = py("""
    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        import cpv3.modules.users.repository as r
        from cpv3.modules.users.repository import UserRepository


    def describe(repo: r.UserRepository, other: UserRepository) -> str:
        return str(repo)
    """)


def test_type_checking_imports_are_not_access() -> None:
    files = {f"{M}/users/repository.py": REPO, f"{M}/users/router.py": ROUTER_TYPE_CHECKING}
    assert findings(files, ["AG203"]) == []
    counted = Config(type_checking_imports=True)
    assert findings(files, ["AG203"], counted) == [
        ("AG203", f"{M}/users/router.py", 5), ("AG203", f"{M}/users/router.py", 6)]


def test_names_merely_called_repository() -> None:
    files = {
        "cpv3/infrastructure/repository.py": f"{FUTURE}\n\ndef connect():\n    pass\n",
        f"{M}/users/service.py": f"{FUTURE}\n\nclass UserService:\n    repository = None\n",
        f"{M}/users/router.py": py("""
            from cpv3.infrastructure import repository
            from cpv3.modules.users.service import UserService


            async def handler(db):
                repository.connect()
                repository_ = UserService(db).repository
                return repository_
            """),
    }
    assert findings(files, ["AG203"]) == []


def test_only_routers_are_judged() -> None:
    files = {
        f"{M}/users/repository.py": REPO,
        f"{M}/users/service.py": py("""
            from cpv3.modules.users.repository import UserRepository
            """),
    }
    assert findings(files, ["AG203"]) == []


# AG204 layer-direction -----------------------------------------------------------------------
@pytest.mark.parametrize(("source", "target", "name"), [
    ("repository", "service", "UserService"),
    ("service", "router", "router"),
    ("models", "repository", "UserRepository"),
    ("models", "service", "UserService"),
    ("schemas", "repository", "UserRepository"),
    ("schemas", "service", "UserService"),
    ("repository", "router", "router"),
])
def test_upward_imports_are_reported(source: str, target: str, name: str) -> None:
    files = {f"{M}/users/{source}.py": py(f"""
        from cpv3.modules.users.{target} import {name}
        """)}
    assert findings(files, ["AG204"]) == [("AG204", f"{M}/users/{source}.py", 2)]


@pytest.mark.parametrize(("source", "target"), [
    ("router", "service"), ("router", "schemas"), ("router", "models"),
    ("service", "repository"), ("service", "models"), ("service", "schemas"),
    ("repository", "models"), ("repository", "schemas"), ("models", "schemas"),
    ("schemas", "models"), ("router", "repository"),
])
def test_downward_and_level_imports_are_fine(source: str, target: str) -> None:
    files = {f"{M}/users/{source}.py": py(f"""
        from cpv3.modules.users.{target} import Thing
        """)}
    assert findings(files, ["AG204"]) == []


def test_cross_module_direction() -> None:
    files = {
        f"{M}/projects/service.py": py("""
            from cpv3.modules.users.router import router
            from cpv3.modules.users.service import UserService
            """),
        f"{M}/projects/repository.py": py("""
            from cpv3.modules.users import UserService
            """),
        f"{M}/users/__init__.py": py("""
            from cpv3.modules.users.router import router
            from cpv3.modules.users.service import UserService
            """),
        f"{M}/users/service.py": f"{FUTURE}\n\nclass UserService:\n    pass\n",
        f"{M}/users/router.py": f"{FUTURE}\n\nrouter = object()\n",
        "cpv3/api/v1/router.py": py("""
            from cpv3.modules.users.router import router
            """),
    }
    found = run(files, ["AG204"])
    assert [(d.code, d.path, d.line) for d in found] == [
        ("AG204", f"{M}/projects/repository.py", 2),
        ("AG204", f"{M}/projects/service.py", 2),
    ]
    assert found[0].message == (
        "repository imports 'cpv3.modules.users.service.UserService' from the users service "
        "(re-exported as 'cpv3.modules.users.UserService'): layers depend downward only "
        "(router -> service -> repository -> models/schemas)")


def test_own_module_message_and_attribute_use() -> None:
    files = {f"{M}/users/repository.py": py("""
        import cpv3
        from sqlalchemy import select


        def helper():
            return cpv3.modules.users.service.UserService


        def statement():
            return select(cpv3.modules.users.models.User)
        """)}
    found = run(files, ["AG204"])
    assert [(d.line, d.column) for d in found] == [(7, 12)]
    assert found[0].message.startswith(
        "repository uses 'cpv3.modules.users.service.UserService' from its own module's "
        "service:")


def test_type_checking_imports_do_not_count_unless_configured() -> None:
    files = {f"{M}/users/repository.py": py("""
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from cpv3.modules.users.service import UserService
        """)}
    assert findings(files, ["AG204"]) == []
    assert findings(files, ["AG204"], Config(type_checking_imports=True)) == [
        ("AG204", f"{M}/users/repository.py", 5)]


def test_configured_ranks() -> None:
    files = {
        f"{M}/users/repository.py": py("""
            from cpv3.modules.users.schemas import UserRead
            from cpv3.modules.users.service import UserService
            """),
    }
    config = Config(layers=LayersConfig(schemas=3, service=0))
    found = run(files, ["AG204"], config)
    assert [(d.line, d.message.split(":")[-1].strip()) for d in found] == [
        (2, "layers depend downward only (router -> schemas -> repository -> models)")]


def test_layers_config_is_validated() -> None:
    table = {"layers": {"service": 5, "router": 6}, "max-cycles": 3}
    config = load_config_table(table, "pyproject.toml")
    assert (config.layers.rank("service"), config.layers.rank("init"), config.max_cycles) == (
        5, 0, 3)
    with pytest.raises(ArchguardError, match="unknown key 'servce' in \\[tool.archguard.layers\\] "
                       "\\(did you mean 'service'\\?\\)"):
        load_config_table({"layers": {"servce": 3}}, "pyproject.toml")
    with pytest.raises(ArchguardError, match="'tool.archguard.layers.router' must be 0"):
        load_config_table({"layers": {"router": -1}}, "pyproject.toml")
    with pytest.raises(ArchguardError, match="'tool.archguard.max-cycles' must be at least 1"):
        load_config_table({"max-cycles": 0}, "pyproject.toml")


# AG205 module-cycle --------------------------------------------------------------------------
def _service(*imports: str) -> str:
    lines = [f"from cpv3.modules.{module}.service import {module.title()}Service"
             for module in imports]
    return FUTURE + "\n" + "\n".join(lines) + "\n"


def test_two_module_cycle() -> None:
    files = {
        f"{M}/users/service.py": _service("projects"),
        f"{M}/projects/service.py": FUTURE + "\n\ndef helper():\n"
                                    "    from cpv3.modules.users.service import UsersService\n",
    }
    found = run(files, ["AG205"])
    assert [(d.code, d.path, d.line) for d in found] == [
        ("AG205", f"{M}/projects/service.py", 5)]
    assert found[0].message == (
        "module cycle projects -> users -> projects: "
        f"{M}/projects/service.py:5 imports 'cpv3.modules.users.service.UsersService'; "
        f"{M}/users/service.py:3 imports 'cpv3.modules.projects.service.ProjectsService'")


def test_three_module_cycle_through_another_module() -> None:
    files = {
        f"{M}/media/service.py": _service("users"),
        f"{M}/users/service.py": _service("jobs"),
        f"{M}/jobs/service.py": _service("media"),
    }
    found = run(files, ["AG205"])
    assert [(d.code, d.path, d.line) for d in found] == [("AG205", f"{M}/jobs/service.py", 3)]
    assert found[0].message.startswith("module cycle jobs -> media -> users -> jobs: ")


def test_distinct_cycles_in_sorted_order() -> None:
    files = {
        f"{M}/zeta/service.py": _service("alpha"),
        f"{M}/alpha/service.py": _service("zeta"),
        f"{M}/media/router.py": FUTURE + "\nfrom cpv3.modules.jobs.schemas import JobRead\n",
        f"{M}/jobs/service.py": _service("media"),
        f"{M}/beta/service.py": _service("alpha", "media"),
    }
    found = run(files, ["AG205"])
    assert [d.message.split(":")[0] for d in found] == [
        "module cycle alpha -> zeta -> alpha", "module cycle jobs -> media -> jobs"]
    assert [(d.path, d.line) for d in found] == [
        (f"{M}/alpha/service.py", 3), (f"{M}/jobs/service.py", 3)]


def test_a_cycle_cluster_is_reported_once_with_its_shortest_cycle() -> None:
    files = {
        f"{M}/a/service.py": _service("b"),
        f"{M}/b/service.py": _service("c"),
        f"{M}/c/service.py": _service("a", "d"),
        f"{M}/d/service.py": _service("b"),
    }  # a -> b -> c -> a and b -> c -> d -> b: one cluster, no two-module cycle
    found = run(files, ["AG205"])
    assert [d.message.split(":")[0] for d in found] == [
        "module cycle cluster of 4 modules (a, b, c, d); shortest cycle a -> b -> c -> a"]
    assert found[0].message.endswith(
        f"{M}/a/service.py:3 imports 'cpv3.modules.b.service.BService'; "
        f"{M}/b/service.py:3 imports 'cpv3.modules.c.service.CService'; "
        f"{M}/c/service.py:3 imports 'cpv3.modules.a.service.AService'")
    assert run(files, ["AG205"]) == found  # deterministic


def test_every_two_module_cycle_of_a_cluster_is_reported() -> None:
    files = {
        f"{M}/a/service.py": _service("b"),
        f"{M}/b/service.py": _service("a", "c"),
        f"{M}/c/service.py": _service("a", "b"),
    }  # a <-> b and b <-> c, and a -> b -> c -> a in the same cluster
    found = run(files, ["AG205"])
    assert [d.message.split(":")[0] for d in found] == [
        "module cycle cluster of 3 modules (a, b, c); shortest cycle a -> b -> a",
        "module cycle b -> c -> b"]


def test_test_files_are_not_part_of_the_module_graph() -> None:
    files = {
        f"{M}/a/service.py": _service("b"),
        f"{M}/b/tests/test_service.py": FUTURE + "\nfrom cpv3.modules.a.service import S\n",
        f"{M}/b/conftest.py": FUTURE + "\nfrom cpv3.modules.a.service import S\n",
        f"{M}/b/service.py": FUTURE + "\nX = 1\n",
    }
    assert findings(files, ["AG205"]) == []


def test_no_cycle_for_one_way_imports_or_inside_a_module() -> None:
    files = {
        f"{M}/users/service.py": _service("projects") + (
            "from cpv3.modules.users.repository import UserRepository\n"),
        f"{M}/users/repository.py": FUTURE + "\nfrom cpv3.modules.users.models import User\n",
        f"{M}/users/models.py": FUTURE + "\nfrom cpv3.modules.users.schemas import UserRead\n",
        f"{M}/users/schemas.py": FUTURE + "\nfrom cpv3.modules.users.models import User\n",
        f"{M}/projects/service.py": FUTURE + "\nfrom cpv3.modules.projects.models import P\n",
    }
    assert findings(files, ["AG205"]) == []


def test_type_checking_imports_do_not_close_a_cycle() -> None:
    files = {
        f"{M}/users/service.py": _service("projects"),
        f"{M}/projects/service.py": FUTURE + (
            "from typing import TYPE_CHECKING\n\n"
            "if TYPE_CHECKING:\n"
            "    from cpv3.modules.users.service import UsersService\n"),
    }
    assert findings(files, ["AG205"]) == []
    assert findings(files, ["AG205"], Config(type_checking_imports=True)) == [
        ("AG205", f"{M}/projects/service.py", 5)]


def test_the_number_of_cycles_is_capped() -> None:
    files = {
        f"{M}/a/service.py": _service("b"),
        f"{M}/b/service.py": _service("a"),
        f"{M}/c/service.py": _service("d"),
        f"{M}/d/service.py": _service("c"),
    }
    found = run(files, ["AG205"], Config(max_cycles=1))
    assert [(d.path, d.line) for d in found] == [("cpv3/modules", 1), (f"{M}/a/service.py", 3)]
    assert found[0].message == "more than 1 module cycles: only the first 1 are reported"


def test_a_dense_graph_does_not_explode() -> None:
    names = [f"m{i}" for i in range(7)]  # every service imports every other: 1,172 cycles
    files = {f"{M}/{name}/service.py": _service(*[n for n in names if n != name])
             for name in names}
    found = run(files, ["AG205"])  # one cluster and its 21 two-module cycles
    assert len(found) == 21
    assert found[0].message.startswith("module cycle cluster of 7 modules (m0, m1, m2, m3, m4, "
                                       "m5, m6); shortest cycle m0 -> m1 -> m0")
    assert run(files, ["AG205"]) == found
