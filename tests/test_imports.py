"""AG201 relative-import and AG202 cross-module-repository, on real source."""

from __future__ import annotations

import pytest

from helpers import dedent, findings, run

FUTURE = "from __future__ import annotations\n"


def src(body: str) -> str:
    return FUTURE + dedent(body)


def test_relative_imports_anywhere_in_the_package() -> None:
    files = {
        "cpv3/modules/media/service.py": src("""
            from .schemas import MediaRead
            from . import repository
            from ..users.service import UserService as Users


            def helper() -> None:
                from .models import Media
        """),
        "cpv3/infrastructure/storage.py": FUTURE + "from .settings import get_settings\n",
    }
    assert findings(files, ["AG201"]) == [
        ("AG201", "cpv3/infrastructure/storage.py", 2),
        ("AG201", "cpv3/modules/media/service.py", 2),
        ("AG201", "cpv3/modules/media/service.py", 3),
        ("AG201", "cpv3/modules/media/service.py", 4),
        ("AG201", "cpv3/modules/media/service.py", 8),
    ]


def test_relative_import_message_gives_the_absolute_form() -> None:
    files = {"cpv3/modules/media/service.py": "from ..users.service import UserService as U\n"}
    (diagnostic,) = run(files, ["AG201"])
    assert diagnostic.message == (
        "relative import 'from ..users.service import UserService as U': "
        "use 'from cpv3.modules.users.service import UserService as U'")
    assert (diagnostic.column, diagnostic.end_line, diagnostic.end_column) == (1, 1, 45)


def test_relative_import_from_package_init_resolves_against_the_package() -> None:
    files = {"cpv3/modules/users/__init__.py": "from .service import UserService\n"}
    (diagnostic,) = run(files, ["AG201"])
    assert "use 'from cpv3.modules.users.service import UserService'" in diagnostic.message


def test_relative_import_in_a_src_layout_resolves_below_the_source_root() -> None:
    """`src/app/...`: the source root is not part of the dotted name, so the import has an
    absolute form (and a fix); one dot too many still climbs above the package."""
    from archguard.project.config import Config

    config = Config(package="app", source_root="src", modules_dir="src/app/modules",
                    module_names=["users"])
    found = run({"src/app/modules/users/service.py": dedent("""
        from __future__ import annotations

        from .repository import UserRepository
        from ....outside import thing
    """)}, ["AG201"], config)
    assert [(d.code, d.path, d.line, d.message, d.fix) for d in found] == [
        ("AG201", "src/app/modules/users/service.py", 3,
         "relative import 'from .repository import UserRepository': use "
         "'from app.modules.users.repository import UserRepository'", "safe"),
        ("AG201", "src/app/modules/users/service.py", 4,
         "relative import 'from ....outside import thing' reaches above the package root",
         "")]


def test_absolute_imports_and_strings_are_not_relative_imports() -> None:
    files = {"cpv3/modules/media/service.py": src("""
        import os.path
        from cpv3.modules.media.schemas import MediaRead

        DOC = "from .schemas import MediaRead"
    """)}
    assert findings(files, ["AG201"]) == []


REPO = "cpv3/modules/users/repository.py"
USERS_REPO = src("""
    class UserRepository:
        pass
""")


def _project(service_source: str, **extra: str) -> dict[str, str]:
    files = {REPO: USERS_REPO, "cpv3/modules/projects/service.py": src(service_source)}
    files.update(extra)
    return files


IMPORT_FORMS = [
    "from cpv3.modules.users.repository import UserRepository",
    "import cpv3.modules.users.repository as users_repo",
    "from cpv3.modules.users import repository",
    "from ..users.repository import UserRepository as R",
    "import cpv3.modules.users.repository",
]


@pytest.mark.parametrize("form", IMPORT_FORMS)
def test_every_import_form_of_another_modules_repository(form: str) -> None:
    assert findings(_project(form + "\n"), ["AG202"]) == [
        ("AG202", "cpv3/modules/projects/service.py", 2)]


def test_one_finding_per_file_and_repository_naming_the_other_imports() -> None:
    """polar's customer_seat service imports OrganizationRepository at the top and again
    inside a function: one file reaching into one repository, one finding. The users module
    has its service as a package (polar's transaction/service/): a service to go through."""
    files = _project("""
        from cpv3.modules.users.repository import UserRepository
        import cpv3.modules.users.repository as users_repo


        def later() -> object:
            from cpv3.modules.users.repository import UserRepository
            return UserRepository
        """, **{"cpv3/modules/users/service/__init__.py": FUTURE})
    (diagnostic,) = run(files, ["AG202"])
    assert (diagnostic.line, diagnostic.message) == (2, (
        "'cpv3.modules.users.repository.UserRepository' belongs to module 'users''s "
        "repository: go through the users service (imported again on lines 3, 7)"))


def test_name_reexported_by_the_other_modules_init() -> None:
    files = _project(
        "from cpv3.modules.users import UserRepository, UserService\n",
        **{"cpv3/modules/users/__init__.py": FUTURE + (
            "from cpv3.modules.users.repository import UserRepository\n"
            "from cpv3.modules.users.service import UserService\n")},
    )
    files["cpv3/modules/users/service.py"] = FUTURE + "class UserService:\n    pass\n"
    (diagnostic,) = run(files, ["AG202"])
    assert (diagnostic.path, diagnostic.line) == ("cpv3/modules/projects/service.py", 2)
    assert diagnostic.message == (
        "'cpv3.modules.users.repository.UserRepository' belongs to module 'users''s "
        "repository (re-exported as 'cpv3.modules.users.UserRepository'): go through the "
        "users service")


def test_star_reexport_and_attribute_access_through_an_imported_package() -> None:
    files = _project(
        """
        import cpv3.modules.users as users
        from cpv3.modules.users import *


        def make(session: object) -> object:
            return users.repository.UserRepository(session)
        """,
        **{"cpv3/modules/users/__init__.py": "from cpv3.modules.users.repository import *\n"},
    )
    assert findings(files, ["AG202"]) == [("AG202", "cpv3/modules/projects/service.py", 7)]


def test_allowed_forms_are_not_reported() -> None:
    files = _project("""
        from typing import TYPE_CHECKING

        from cpv3.modules.users.service import UserService
        from cpv3.modules.users.schemas import UserRead
        from cpv3.modules.projects.repository import ProjectRepository

        if TYPE_CHECKING:
            from cpv3.modules.users.repository import UserRepository
    """)
    files["cpv3/infrastructure/admin.py"] = (
        "from cpv3.modules.users.repository import UserRepository\n")
    assert findings(files, ["AG202"]) == []


def test_type_checking_imports_count_when_configured() -> None:
    from archguard.project.config import Config

    files = _project("""
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from cpv3.modules.users.repository import UserRepository
    """)
    config = Config(type_checking_imports=True)
    assert findings(files, ["AG202"], config) == [
        ("AG202", "cpv3/modules/projects/service.py", 5)]


# Repository files that also declare the shapes they return (polar's merchant migration:
# `type RecordCounts = dict[...]` beside the repository class). The PEP 695 one parses on
# 3.12+ only, so it sits in a file of its own.
PEP_695_REPO = src("""
    type RecordCounts = dict[str, int]


    class MigrationRepository:
        pass
""")
TYPED_REPO = src("""
    from typing import Protocol, TypeAlias, TypedDict

    import typing_extensions


    Totals: TypeAlias = dict[str, int]
    Pair = typing_extensions.TypeAliasType("Pair", tuple[int, int])
    Implicit = dict[str, int]
    DEFAULT_PAGE = 50


    class UserRow(TypedDict):
        email: str


    class Named(typing_extensions.Protocol):
        name: str


    class ExtendedRow(UserRow):
        admin: bool


    class UserRepository:
        pass
""")


def test_an_import_of_types_only_is_not_a_repository_bypass() -> None:
    """Only type aliases, TypedDicts and Protocols (one statement or several, through a
    re-export): not reported. One name that is more in the statement (the repository, a
    constant, an implicit alias, a subclass of a TypedDict defined there): reported. The
    PEP 695 alias is read from the tokens where the running Python cannot parse it."""
    files = _project(
        """
        from cpv3.modules.migrations.repository import RecordCounts
        from cpv3.modules.users.repository import Named, Pair, Totals, UserRow
        from cpv3.modules.users import Totals as Sums
        from cpv3.modules.migrations.repository import RecordCounts as C, MigrationRepository
        from cpv3.modules.users.repository import DEFAULT_PAGE
        from cpv3.modules.users.repository import Implicit
        from cpv3.modules.users.repository import ExtendedRow
        """,
        **{"cpv3/modules/users/__init__.py":
           "from cpv3.modules.users.repository import Totals\n",
           "cpv3/modules/migrations/repository.py": PEP_695_REPO},
    )
    files[REPO] = TYPED_REPO
    assert [(d.line, d.message.endswith("(imported again on lines 7, 8)"))
            for d in run(files, ["AG202"])] == [(5, False), (6, True)]


def test_a_type_alias_statement_in_a_string_or_a_function_is_not_read() -> None:
    from archguard.analysis.parsing import type_alias_statements

    text = ('x = """\ntype Fake = int\n"""\n# type Comment = int\n'
            "def f():\n    type Local = int\n    return 1\n"
            "type Real = int\ntype Generic[T] = list[T]\ntype = 3\ntype: int = 3\n")
    assert type_alias_statements(text) == ["Real", "Generic"]
