"""Issue 12: precision on code nobody here wrote. Each class of false positive found on
real backends, as a small tree shaped like the real code: positive, negative and tricky
forms (aliases, re-exports, subclasses in other files, files that fail to parse)."""

from __future__ import annotations

from archguard.project.config import Config, RolesConfig
from archguard.project.detect import detect_layout
from helpers import BASE, BASE_SOURCE, dedent, findings, run

REPO = "cpv3/modules/users/repository.py"
ROUTER = "cpv3/modules/users/router.py"
FUTURE = "from __future__ import annotations\n"


# --- 1. unknown is not a violation (AG401) -------------------------------------------------

def test_repository_inheriting_from_a_base_in_a_file_that_fails_to_parse() -> None:
    files = {
        # Python 3.12 syntax: fails to parse on 3.11, so its __init__ cannot be seen
        "cpv3/kit/repository.py": dedent("""
            class RepositoryBase[M]:
                def __init__(self, session: AsyncSession) -> None:
                    self.session = session
        """),
        REPO: dedent("""
            from sqlalchemy import select

            from cpv3.kit.repository import RepositoryBase
            from cpv3.kit.visible import VisibleBase


            class UserRepository(RepositoryBase):
                async def get(self) -> None:
                    return await self.session.scalar(select(User))


            class ProjectRepository(VisibleBase):
                async def get(self) -> None:
                    return await self.session.scalar(select(Project))
        """),
        "cpv3/kit/visible.py": dedent("""
            class VisibleBase:
                def __init__(self) -> None:
                    pass
        """),
    }
    assert findings(files, ["AG401"]) == [("AG401", REPO, 12)]  # only the visible one


def test_session_aliases_defined_in_other_files_are_sessions() -> None:
    files = {
        "cpv3/db/types.py": dedent("""
            from typing import Annotated, NewType

            from fastapi import Depends
            from sqlalchemy.ext.asyncio import AsyncSession

            from cpv3.db.session import get_db

            AsyncReadSession = NewType("AsyncReadSession", AsyncSession)
            DbSession = Annotated[AsyncSession, Depends(get_db)]
            AnySession = AsyncSession | AsyncReadSession
        """),
        "cpv3/db/__init__.py": "from cpv3.db.types import AnySession, DbSession\n",
        REPO: dedent("""
            from sqlalchemy import text

            from cpv3.db import AnySession, DbSession
            from cpv3.db.types import AsyncReadSession


            class UserRepository:
                def __init__(self, session: AsyncReadSession) -> None:
                    self.session = session


            class ProjectRepository:
                def __init__(self, session: "DbSession") -> None:
                    self.session = session


            class MediaRepository:
                def __init__(self, session: AnySession) -> None:
                    self.session = session


            class FileRepository:
                def __init__(self, path: str) -> None:
                    self.path = path

                async def names(self) -> list[str]:
                    return await read_all(self.path, text("SELECT name FROM files"))
        """),
    }
    assert findings(files, ["AG401"]) == [("AG401", REPO, 23)]


def test_init_taking_a_type_from_a_file_that_fails_to_parse_is_unknown() -> None:
    files = {
        "cpv3/db/broken.py": "type ReadSession = AsyncSession\nclass (\n",
        REPO: dedent("""
            from cpv3.db.broken import ReadSession


            class UserRepository:
                def __init__(self, session: ReadSession) -> None:
                    self.session = session


            class ProjectRepository:
                def __init__(self, *args, **kwargs) -> None:
                    pass
        """),
    }
    assert findings(files, ["AG401"]) == []


# --- 2. roles by structure, not by name (AG401, AG804) ---------------------------------------

def test_data_classes_named_like_repositories_are_not_repositories() -> None:
    files = {
        BASE: BASE_SOURCE,
        "cpv3/common/schemas.py": "from pydantic import BaseModel\n\n\nclass Schema(BaseModel):\n"
                                  "    pass\n",
        "cpv3/modules/integrations/schemas.py": dedent("""
            from cpv3.common.schemas import Schema


            class GitHubRepository(Schema):
                name: str
        """),
        "cpv3/modules/integrations/models.py": dedent("""
            from cpv3.db.base import Base, BaseModelMixin


            class BaseRegistryRepository(Base, BaseModelMixin):
                __tablename__ = "registry_repositories"
        """),
        "cpv3/modules/integrations/service.py": dedent("""
            import dataclasses
            import enum

            from pydantic import BaseModel

            from cpv3.modules.integrations.models import BaseRegistryRepository
            from cpv3.modules.integrations.schemas import GitHubRepository


            class PullRequestRepository(GitHubRepository):
                pass


            @dataclasses.dataclass
            class CachedRepository:
                url: str


            class RepositoryKindRepository(enum.Enum):
                GIT = "git"


            class ServiceBase(BaseModel):
                name: str


            class Service(ServiceBase):
                pass


            class PlainRepository:
                def __init__(self) -> None:
                    pass

                async def by_name(self, name: str) -> BaseRegistryRepository | None:
                    return await open_session().get(BaseRegistryRepository, name)
        """),
    }
    assert findings(files, ["AG401", "AG804"]) == [
        ("AG401", "cpv3/modules/integrations/service.py", 32)]


def test_a_repository_subclass_in_another_file_is_a_repository() -> None:
    files = {
        "cpv3/kit/repository.py": dedent("""
            from sqlalchemy import select


            class RepositoryBase:  # its SQL makes its subclasses SQL repositories
                def __init__(self, path: str) -> None:
                    self.path = path

                async def all(self) -> list[object]:
                    return await connect(self.path).scalars(select(self.model))
        """),
        "cpv3/modules/files/store.py": dedent("""
            from cpv3.kit.repository import RepositoryBase
            from somelib import Thing


            class FileRepository(RepositoryBase):
                async def get(self) -> None: ...


            class ThingRepository(Thing):
                pass
        """),
    }
    assert findings(files, ["AG401"]) == [("AG401", "cpv3/modules/files/store.py", 5)]


# --- 9. a declarative base is not a model (AG304) ---------------------------------------------

def test_declarative_bases_are_not_models() -> None:
    files = {
        BASE: BASE_SOURCE,
        "cpv3/kit/db.py": dedent("""
            from sqlalchemy.orm import DeclarativeBase, declarative_base, declared_attr

            Legacy = declarative_base()


            class Model(DeclarativeBase):
                @declared_attr.directive
                def __tablename__(cls) -> str:
                    return cls.__name__.lower()


            class LegacyModel(Legacy):
                @declared_attr
                def __tablename__(cls) -> str:
                    return cls.__name__.lower()
        """),
        "cpv3/modules/users/models.py": dedent("""
            from cpv3.db.base import Base


            class User(Base):
                __tablename__ = "users"
        """),
    }
    found = run(files, ["AG304"])
    assert [(d.path, d.line, d.message) for d in found] == [
        ("cpv3/modules/users/models.py", 4,
         "model 'User' derives from Base but not BaseModelMixin")]


# --- 10. routers as projects make them (AG503, AG504, AG505) ---------------------------------

def test_routes_on_project_routers() -> None:
    files = {
        "cpv3/routing.py": dedent("""
            from fastapi import APIRouter as FastAPIRouter

            def get_api_router_class(route):
                return FastAPIRouter

            APIRouter = get_api_router_class(object)
        """),
        "cpv3/kit/module.py": dedent("""
            from fastapi import APIRouter

            class Module:
                def __init__(self, tag: str) -> None:
                    self.router = APIRouter(tags=[tag])
        """),
        ROUTER: dedent("""
            from fastapi import APIRouter as R

            from cpv3.kit.module import Module
            from cpv3.routing import APIRouter
            from cpv3.modules.users.schemas import UserRead

            router = APIRouter(prefix="/users")
            module = Module(tag="users")
            holder = Module(router=R())


            def make_router() -> R:
                return R()


            other = make_router()


            @router.get("/", response_model=list[UserRead])
            async def list_users() -> list[UserRead]: ...


            @module.router.get("/all")
            async def all_users(): ...


            @holder.router.get("/held")
            async def held() -> list[UserRead]: ...


            @other.post("/x")
            async def create(): ...


            async def listed() -> list[UserRead]: ...


            router.add_api_route("/listed", listed, methods=["GET"])


            @helpers.get("/not-a-router")
            async def not_a_route(): ...
        """),
    }
    assert findings(files, ["AG503", "AG505"]) == [
        ("AG503", ROUTER, 20), ("AG505", ROUTER, 24), ("AG503", ROUTER, 28),
        ("AG505", ROUTER, 32), ("AG503", ROUTER, 35)]


# --- one finding per problem --------------------------------------------------------------

def test_an_untyped_route_is_one_finding() -> None:
    files = {ROUTER: dedent("""
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/health")
        async def health():
            return {"status": "ok"}


        def helper():
            return 1
    """)}
    assert findings(files, ["AG505", "AG802"]) == [("AG505", ROUTER, 7), ("AG802", ROUTER, 11)]


def test_cross_module_repository_import_is_one_finding_per_statement() -> None:
    files = {
        "cpv3/modules/projects/repository.py": FUTURE + "class A: ...\nclass B: ...\n",
        "cpv3/modules/users/router.py": FUTURE + dedent("""
            from cpv3.modules.projects.repository import A, B
            from cpv3.modules.users.repository import UserRepository
        """),
        "cpv3/modules/users/repository.py": FUTURE + "class UserRepository: ...\n",
    }
    assert findings(files, ["AG202", "AG203"]) == [
        ("AG202", ROUTER, 2), ("AG203", ROUTER, 3)]


# --- 4. settings module and database layer, found not assumed -------------------------------

def test_settings_module_and_db_layer_are_detected() -> None:
    texts = {
        "app/core/config.py": "from pydantic_settings import BaseSettings\n\n\n"
                              "class Settings(BaseSettings):\n    url: str = ''\n",
        "app/env.py": "import os\nX = os.environ['X']\n",
        "app/database.py": "from sqlalchemy.ext.asyncio import async_sessionmaker\n"
                           "Factory = async_sessionmaker()\n",
        "app/deps.py": "async def get_db():\n    yield None\n",
        "app/db/base.py": "X = 1\n",
        "app/users/service.py": "X = 1\n",
    }
    texts["app/core/settings.py"] = "import os\nENV = os.getenv('ENV')\n"  # a loader
    texts["app/jobs/config.py"] = "RETRIES = 3\n"  # a config.py not reading the environment
    config, notes = detect_layout(Config(package="app"), texts)
    assert config.settings_modules == ["app/core/config.py", "app/core/settings.py"]
    assert config.db_layer_globs == ["app/db/**", "app/database.py", "app/deps.py"]
    assert notes == []
    fallback, _ = detect_layout(Config(package="app"), {
        "app/settings.py": "import os\nURL = os.getenv('URL')\n", "app/x.py": "X = 1\n"})
    assert fallback.settings_modules == ["app/settings.py"]
    # onyx-shaped: settings as module constants across a configs package; a module of
    # another package, or a business module named settings, is no settings module
    package, _ = detect_layout(Config(package="app", modules_dir="app/modules"), {
        "app/configs/app_configs.py": "import os\nAUTH = os.environ.get('AUTH_TYPE')\n",
        "app/configs/constants.py": "PAGE = 10\n",
        "app/conf/__init__.py": "from os import environ\nDEBUG = environ.get('DEBUG')\n",
        "app/connectors/box/client.py": "import os\nKEY = os.getenv('BOX_KEY')\n",
        "app/configs_util.py": "import os\nX = os.getenv('X')\n",
        "app/modules/settings/service.py": "import os\nSAML = os.getenv('SAML')\n"})
    assert package.settings_modules == ["app/conf/__init__.py", "app/configs/app_configs.py"]


def test_db_folder_of_a_src_layout_is_the_db_layer() -> None:
    """dispatch-style ``src/<package>/``: the db folder lies under the source root."""
    texts = {"src/app/db/session.py": "X = 1\n", "src/app/infrastructure/s3.py": "X = 1\n",
             "src/app/users/service.py": "X = 1\n", "app/db/stray.py": "X = 1\n"}
    config, _ = detect_layout(Config(package="app", source_root="src"), texts)
    assert config.db_layer_globs == ["src/app/db/**", "src/app/infrastructure/**"]


def test_configured_paths_that_do_not_exist_get_a_note() -> None:
    config = Config(package="app", settings_module=["app/settings.py", "app/gone.py"],
                    db_layer=["app/db/**", "app/nowhere/**"], actor_bounds=[])
    kept, notes = detect_layout(config, {"app/settings.py": "", "app/db/x.py": ""})
    assert kept is config
    assert notes == ["settings-module 'app/gone.py' does not exist",
                     "db-layer 'app/nowhere/**' matches no file"]


def test_settings_module_accepts_a_string_or_a_list() -> None:
    from archguard.project.config import load_config_table

    assert load_config_table({"settings-module": "a/s.py"}, "t").settings_modules == ["a/s.py"]
    assert load_config_table({"settings-module": ["a/s.py", "b/c.py"], "db-layer": ["a/db/**"]},
                             "t").db_layer_globs == ["a/db/**"]


# --- messages and hints come from the configuration ------------------------------------------

def test_no_output_mentions_cpv3_when_the_package_is_renamed() -> None:
    """Every rule's bad example, moved to package ``acme`` with a non-default schema base,
    roles and settings module: no message or hint may name cpv3."""
    from archguard.rules.registry import all_rules

    config = Config(package="acme", modules_dir="acme/features", module_names=[],
                    schema_base="acme.kit.dto.Dto", model_base="acme.kit.orm.Model",
                    model_mixin="acme.kit.orm.Record", settings_module="acme/conf/env.py",
                    roles=RolesConfig(router="endpoints.py", repository="crud.py",
                                      service="logic.py"))
    renames = {"cpv3/modules": "acme/features", "cpv3.modules": "acme.features",
               "cpv3": "acme", "router.py": "endpoints.py", "repository": "crud",
               "service.py": "logic.py"}
    seen = 0
    for rule in all_rules():
        if rule.engine != "native" or not rule.bad:
            continue
        files = {}
        for path, text in rule.example_files(rule.bad).items():
            for old, new in renames.items():
                path, text = path.replace(old, new), text.replace(old, new)
            files[path] = text
        for diagnostic in run(files, None, config):
            seen += 1
            assert "cpv3" not in diagnostic.message + diagnostic.hint, (rule.code, diagnostic)
    assert seen > 20
    from archguard.rules.wording import fill

    for rule in all_rules():  # semgrep rules' hints too (their messages name no path)
        assert "cpv3" not in fill(rule.hint, config), rule.code


def test_schema_chain_through_a_class_that_cannot_be_seen_is_not_judged() -> None:
    """polar: ``kit/schemas.py`` (Schema, TimestampedSchema) uses 3.12 syntax, so a schema
    mixing a raw-BaseModel mixin with TimestampedSchema cannot be judged."""
    files = {
        "cpv3/common/schemas.py": dedent("""
            from pydantic import BaseModel


            class Schema(BaseModel):
                pass


            class TimestampedSchema(Schema):
                pass


            class Filter[Q]:
                pass
        """),
        "cpv3/common/mixins.py": dedent("""
            from pydantic import BaseModel


            class CustomFieldsMixin(BaseModel):
                data: dict[str, str] = {}
        """),
        "cpv3/modules/checkouts/schemas.py": dedent("""
            from cpv3.common.mixins import CustomFieldsMixin
            from cpv3.common.schemas import TimestampedSchema


            class CheckoutRead(CustomFieldsMixin, TimestampedSchema):
                pass


            class CheckoutCreate(CustomFieldsMixin):
                pass
        """),
    }
    assert findings(files, ["AG301"]) == [
        ("AG301", "cpv3/common/mixins.py", 4),
        ("AG301", "cpv3/modules/checkouts/schemas.py", 9)]


def test_subclasses_of_a_model_missing_the_mixin_are_one_problem() -> None:
    files = {
        BASE: BASE_SOURCE,
        "cpv3/modules/events/models.py": dedent("""
            from cpv3.db.base import Base


            class Event(Base):
                __tablename__ = "events"


            class RefundEvent(Event):
                pass


            class Other(Base):
                __tablename__ = "others"
        """),
    }
    assert findings(files, ["AG304"]) == [
        ("AG304", "cpv3/modules/events/models.py", 4),
        ("AG304", "cpv3/modules/events/models.py", 12)]


def test_a_route_with_a_response_class_declares_its_response() -> None:
    files = {ROUTER: dedent("""
        from fastapi import APIRouter
        from fastapi.responses import FileResponse

        router = APIRouter()


        @router.get("/export", response_class=FileResponse)
        async def export() -> None:
            ...


        @router.get("/export2", response_class=FileResponse)
        async def export2():
            ...


        @router.delete("/x", status_code=204)
        async def delete():
            ...
    """)}
    assert findings(files, ["AG505"]) == [("AG505", ROUTER, 18)]


def test_a_visible_mixin_without_is_deleted_is_not_soft_deletable() -> None:
    """polar soft-deletes through ``deleted_at``: its RecordModel declares no is_deleted."""
    files = {
        "cpv3/db/base.py": dedent("""
            from sqlalchemy.orm import DeclarativeBase, Mapped


            class Base(DeclarativeBase):
                pass


            class BaseModelMixin:
                deleted_at: Mapped[object | None]
        """),
        "cpv3/modules/users/models.py": dedent("""
            from cpv3.db.base import Base, BaseModelMixin


            class User(Base, BaseModelMixin):
                __tablename__ = "users"
        """),
        REPO: dedent("""
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from cpv3.modules.users.models import User


            class UserRepository:
                def __init__(self, session: AsyncSession) -> None:
                    self._session = session

                async def list_all(self) -> list[User]:
                    return list(await self._session.scalars(select(User)))
        """),
    }
    assert findings(files, ["AG402"]) == []


def test_a_repository_package_of_a_shared_folder_is_no_module_repository() -> None:
    files = {
        "cpv3/modules/kit/repository/__init__.py": "from .base import RepositoryBase\n",
        "cpv3/modules/kit/repository/base.py": "class RepositoryBase: ...\n",
        "cpv3/modules/users/repository.py": FUTURE + dedent("""
            from cpv3.modules.kit.repository import RepositoryBase
            from cpv3.modules.kit.repository.base import RepositoryBase as Base2
            from cpv3.modules.media.repository import MediaRepository
        """),
        "cpv3/modules/media/repository.py": "class MediaRepository: ...\n",
    }
    assert findings(files, ["AG202"]) == [("AG202", "cpv3/modules/users/repository.py", 4)]


def test_a_module_missing_several_role_files_is_one_finding() -> None:
    files = {"cpv3/modules/users/__init__.py": "", "cpv3/modules/users/service.py": "X = 1\n",
             "cpv3/modules/users/router.py": "X = 1\n"}
    found = run(files, ["AG103"])
    assert [(d.path, d.message) for d in found] == [(
        "cpv3/modules/users", "module 'users' has no models, schemas, repository (models.py; "
                              "schemas.py; repository.py)")]


def test_one_call_is_one_finding_whatever_the_engine_reports() -> None:
    """semgrep matches one `AsyncSessionLocal()` call twice (the same-file factory and the
    conventional name, ranges 5-22 and 5-24): one finding."""
    from archguard.diagnostics import Diagnostic
    from archguard.engine.analyze import one_per_problem

    def at(code: str, end: int, line: int = 7) -> Diagnostic:
        return Diagnostic(path="a.py", line=line, column=5, code=code, rule="r",
                          message="m", end_line=line, end_column=end)

    found = one_per_problem([at("AG407", 22), at("AG407", 24), at("AG407", 22, line=9)])
    assert [(d.line, d.end_column) for d in found] == [(7, 22), (9, 22)]


def test_repository_handed_another_drivers_connection_is_not_judged() -> None:
    # shaped like the realworld example app: asyncpg connections, no SQLAlchemy at all
    files = {
        "cpv3/db/connection.py": dedent("""
            from asyncpg import Connection as AsyncpgConnection

            Conn = AsyncpgConnection
        """),
        "cpv3/db/base.py": dedent("""
            from asyncpg.connection import Connection


            class BaseRepository:
                def __init__(self, conn: Connection) -> None:
                    self._conn = conn
        """),
        REPO: dedent("""
            from cpv3.db.base import BaseRepository
            from cpv3.db.connection import Conn


            class UsersRepository(BaseRepository):
                async def get(self) -> None: ...


            class TagsRepository:
                def __init__(self, conn: Conn) -> None:
                    self._conn = conn


            class FilesRepository:
                def __init__(self, path: str) -> None:
                    self.path = path

                async def names(self) -> list[str]:
                    return await fetch(self.path, "select name from files where id = $1")
        """),
    }
    assert findings(files, ["AG401"]) == [("AG401", REPO, 15)]


def test_an_association_table_is_not_asked_for_the_mixin() -> None:
    """polar's token-organization link: two foreign keys forming the primary key."""
    files = {
        BASE: BASE_SOURCE,
        "cpv3/modules/users/models.py": dedent("""
            from uuid import UUID

            from sqlalchemy import Column, ForeignKey, String, Uuid
            from sqlalchemy.orm import Mapped, mapped_column

            from cpv3.db.base import Base


            class UserProject(Base):
                __tablename__ = "user_projects"

                user_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("users.id"),
                                                      primary_key=True)
                project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id"),
                                                         primary_key=True)


            class UserTag(Base):
                __tablename__ = "user_tags"

                user_id = Column(ForeignKey("users.id"), primary_key=True)
                tag_id = Column(ForeignKey("tags.id"), primary_key=True)
                label: Mapped[str]


            class UserNote(Base):
                __tablename__ = "user_notes"

                user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
                note: Mapped[str] = mapped_column(String(200), primary_key=True)


            class Lonely:
                __tablename__ = "lonely"

                a_id = Column(ForeignKey("a.id"), primary_key=True)
                b_id = Column(ForeignKey("b.id"), primary_key=True)
        """),
    }
    assert findings(files, ["AG304"]) == [
        ("AG304", "cpv3/modules/users/models.py", 18),  # a column beside the keys
        ("AG304", "cpv3/modules/users/models.py", 26),  # a key that links nothing
        ("AG304", "cpv3/modules/users/models.py", 33)]  # no base at all


def test_association_keyed_by_a_table_constraint_and_foreign_table_classes() -> None:
    """tracecat's link tables declare the key in __table_args__; realworld's query builder
    subclasses pypika's Table, whose `__table__` is its own attribute."""
    files = {
        BASE: BASE_SOURCE,
        "cpv3/modules/users/models.py": dedent("""
            from sqlalchemy import ForeignKey, PrimaryKeyConstraint
            from sqlalchemy.orm import Mapped, mapped_column

            from cpv3.db.base import Base


            class TagLink(Base):
                __tablename__ = "tag_link"
                __table_args__ = (PrimaryKeyConstraint("tag_id", "user_id"),)

                tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), nullable=False)
                user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)


            class Tag(Base):
                __tablename__ = "tags"
                __table_args__ = (PrimaryKeyConstraint("name", "user_id"),)

                name: Mapped[str] = mapped_column(nullable=False)
                user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
        """),
        "cpv3/db/queries.py": dedent("""
            from pypika import Table


            class TypedTable(Table):
                __table__ = ""


            class Orphan:
                __table__ = ""
        """),
    }
    assert findings(files, ["AG304"]) == [
        ("AG304", "cpv3/db/queries.py", 8),  # no third-party base: judged as before
        ("AG304", "cpv3/modules/users/models.py", 15)]  # a key column that links nothing
