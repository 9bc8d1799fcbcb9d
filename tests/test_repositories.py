"""AG401-AG405: repositories and the N+1 rule, on real multi-file trees."""

from __future__ import annotations

import pickle

from archguard.engine.analyze import analyze_file
from archguard.project.config import Config
from helpers import BASE, BASE_SOURCE, dedent, findings, run

USER_MODELS = "cpv3/modules/users/models.py"
USER_MODELS_SOURCE = dedent("""
    from __future__ import annotations

    from sqlalchemy import Boolean, String
    from sqlalchemy.orm import Mapped, mapped_column

    from cpv3.db.base import Base, BaseModelMixin


    class User(Base, BaseModelMixin):
        __tablename__ = "users"

        email: Mapped[str] = mapped_column(String(320))


    class AuditLog(Base):
        __tablename__ = "audit_log"


    class Flagged(Base):
        __tablename__ = "flagged"

        is_deleted: Mapped[bool] = mapped_column(Boolean)


    class Admin(User):
        pass
""")
REPO = "cpv3/modules/users/repository.py"
SERVICE = "cpv3/modules/users/service.py"
HEADER = """
    from __future__ import annotations

    from sqlalchemy import func, select, update
    from sqlalchemy.ext.asyncio import AsyncSession

    from cpv3.modules.users.models import Admin, AuditLog, Flagged, User


    class UserRepository:
        def __init__(self, session: AsyncSession) -> None:
            self._session = session
"""  # 11 lines: the first method of a test body starts on line 13


def indent(body: str) -> str:
    return "\n".join(("    " + line) if line.strip() else "" for line in dedent(body).split("\n"))


def repository(body: str, header: str = HEADER, **extra: str) -> dict[str, str]:
    """The base, the user models, and a repository file: ``header`` then ``body`` as methods
    of UserRepository (so the first line of ``body`` is line 13 of the file)."""
    source = dedent(header) + "\n" + indent(body)
    return {BASE: BASE_SOURCE, USER_MODELS: USER_MODELS_SOURCE, REPO: source,
            **{path: dedent(text) for path, text in extra.items()}}


# --- AG401 repository-session -------------------------------------------------------------

def test_init_without_an_async_session() -> None:
    files = {BASE: BASE_SOURCE, USER_MODELS: USER_MODELS_SOURCE, REPO: dedent("""
        from __future__ import annotations

        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from cpv3.modules.users.models import User


        class UserRepository:
            def __init__(self, session) -> None:
                self._session = session

            async def by_id(self, user_id: int) -> User | None:
                return await self._session.get(User, user_id)


        class ProjectRepository:
            def __init__(self, session: Session) -> None:
                self._session = session


        @final
        class MediaRepository:
            async def get(self) -> None:
                return await open_session().scalar(select(User))


        class TokenStore:
            async def get(self) -> None:
                return await open_session().execute("SELECT token FROM tokens")
    """), SERVICE: dedent("""
        from sqlalchemy import select

        from cpv3.modules.users.models import User


        class AuditRepository:
            def __init__(self, client: object) -> None:
                self._client = client

            async def users(self) -> list[User]:
                return list(await self._client.scalars(select(User)))


        class CacheRepository:  # a cache, not SQL: not judged
            def __init__(self, client: object) -> None:
                self._client = client
    """)}
    assert findings(files, ["AG401"]) == [
        ("AG401", REPO, 10), ("AG401", REPO, 18), ("AG401", REPO, 23), ("AG401", REPO, 28),
        ("AG401", SERVICE, 7),
    ]
    messages = [d.message for d in run(files, ["AG401"])]
    assert messages[:3] == [
        "__init__ of repository 'UserRepository' does not take an AsyncSession",
        "__init__ of repository 'ProjectRepository' does not take an AsyncSession",
        "repository 'MediaRepository' has no __init__ taking an AsyncSession",
    ]


def test_async_session_in_every_annotation_form() -> None:
    files = {REPO: dedent("""
        from __future__ import annotations

        from typing import TYPE_CHECKING, Annotated, Optional, Protocol

        import sqlalchemy.ext.asyncio as sa_async
        from fastapi import Depends
        from sqlalchemy.ext.asyncio import AsyncSession as S

        from cpv3.db.session import get_db

        if TYPE_CHECKING:
            from sqlalchemy.ext.asyncio import AsyncSession


        class ARepository:
            def __init__(self, session: S) -> None:
                self._session = session


        class BRepository:
            def __init__(self, session: "AsyncSession") -> None:
                self._session = session


        class CRepository:
            def __init__(self, session: Annotated[AsyncSession, Depends(get_db)]) -> None:
                self._session = session


        class DRepository:
            def __init__(self, *, db: Optional[sa_async.AsyncSession] = None) -> None:
                self._db = db


        class EPlain:
            def __init__(self, rows: list[int]) -> None:
                self._rows = rows


        class _Cache:
            async def get(self) -> None:
                return None


        class Reader(Protocol):
            async def get(self) -> None: ...
    """)}
    assert findings(files, ["AG401"]) == []


def test_inherited_init_across_files() -> None:
    files = {
        "cpv3/db/repository_base.py": dedent("""
            from sqlalchemy.ext.asyncio import AsyncSession


            class SessionHolder:
                def __init__(self, session: AsyncSession) -> None:
                    self._session = session


            class NoSession:
                def __init__(self) -> None:
                    pass
        """),
        "cpv3/db/__init__.py": "from cpv3.db.repository_base import SessionHolder as Holder\n",
        REPO: dedent("""
            from sqlalchemy import func, select

            from cpv3.db import Holder
            from cpv3.db.repository_base import NoSession
            from somelib import LibraryRepository


            class UserRepository(Holder):
                async def get(self) -> None:
                    return None


            class ProjectRepository(UserRepository):
                pass


            class MediaRepository(NoSession):
                async def count(self) -> int:
                    return await self.scalar(select(func.count()))


            class FileRepository(LibraryRepository):
                pass
        """),
    }
    # FileRepository's __init__ comes from a library class archguard cannot see: unknown,
    # not a violation.
    assert findings(files, ["AG401"]) == [("AG401", REPO, 17)]


# --- AG402 soft-delete-filter -------------------------------------------------------------

def test_unfiltered_selects_and_gets_on_soft_deletable_models() -> None:
    files = repository("""
        async def by_email(self, email: str) -> User | None:
            return await self._session.scalar(select(User).where(User.email == email))

        async def emails(self) -> list[str]:
            return list(await self._session.scalars(select(User.email)))

        async def count(self) -> int:
            return await self._session.scalar(select(func.count()).select_from(User)) or 0

        async def by_id(self, user_id: int) -> User | None:
            return await self._session.get(User, user_id)

        async def flagged(self) -> list[Flagged]:
            return list(await self._session.scalars(select(Flagged)))

        async def admins(self) -> list[Admin]:
            stmt = select(Admin)
            rows = await self._session.scalars(stmt)
            for row in rows:
                row.is_deleted = False
            return list(rows)

        async def nested(self) -> list[User]:
            def build():
                return select(User)
            return list(await self._session.scalars(build()))
    """)
    assert findings(files, ["AG402"]) == [
        ("AG402", REPO, 13), ("AG402", REPO, 16), ("AG402", REPO, 19), ("AG402", REPO, 22),
        ("AG402", REPO, 25), ("AG402", REPO, 28), ("AG402", REPO, 35),
    ]
    found = run(files, ["AG402"])
    assert (found[0].message, found[0].hint) == (
        "repository method 'by_email' selects User without filtering is_deleted",
        "add .where(not_deleted(User))")
    assert found[3].message == ("repository method 'by_id' loads User with session.get(), "
                                "which returns soft-deleted rows")


def test_every_filter_form_and_writes_are_accepted() -> None:
    header = HEADER.replace(
        "from cpv3.modules.users.models import",
        "from cpv3.db import base\n    from cpv3.db.base import not_deleted as nd\n"
        "    from cpv3.modules.users.models import")
    files = repository("""
        async def a(self) -> User | None:
            return await self._session.scalar(select(User).where(nd(User)))

        async def b(self) -> User | None:
            return await self._session.scalar(select(User).where(base.not_deleted(User)))

        async def c(self) -> User | None:
            return await self._session.scalar(select(User).where(User.is_deleted.is_(False)))

        async def d(self) -> User | None:
            return await self._session.scalar(select(User).where(User.is_deleted == False))

        async def e(self) -> User | None:
            return await self._session.scalar(select(User).where(~User.is_deleted))

        async def f(self) -> User | None:
            return await self._session.scalar(select(User).filter_by(is_deleted=False))

        async def g(self, user_id: int) -> User | None:
            user = await self._session.get(User, user_id)
            return None if user is None or user.is_deleted else user

        async def soft_delete(self, user_id: int) -> None:
            await self._session.execute(
                update(User).where(User.id == user_id).values(is_deleted=True))

        async def audit(self) -> list[AuditLog]:
            return list(await self._session.scalars(select(AuditLog)))

        async def sync_helper(self) -> object:
            return select(User).where(User.is_deleted.is_not(True))
    """, header=header)
    assert findings(files, ["AG402"]) == []


def test_filtering_through_helpers_of_the_same_file() -> None:
    header = HEADER.replace("class UserRepository:", dedent("""
        ACTIVE = User.is_deleted.is_(False)


        def active_users():
            return select(User).where(ACTIVE)


        class UserRepository:""").strip("\n").replace("\n", "\n    "))
    files = repository("""
        def _base(self):
            return select(User).where(ACTIVE)

        async def by_email(self, email: str) -> User | None:
            return await self._session.scalar(select(User).where(User.email == email, ACTIVE))

        async def listed(self) -> list[User]:
            return list(await self._session.scalars(self._base().order_by(User.email)))

        async def scoped(self) -> list[User]:
            return list(await self._session.scalars(select(User).where(self._base_clause)))
    """, header=header)
    assert findings(files, ["AG402"]) == [("AG402", REPO, 29)]


def test_a_filtering_method_is_only_a_helper_through_self() -> None:
    files = repository("""
        async def list(self) -> object:
            return await self._session.scalars(select(User).where(User.is_deleted.is_(False)))

        async def everything(self) -> object:
            return list(await self._session.scalars(select(User)))
    """)
    assert findings(files, ["AG402"]) == [("AG402", REPO, 16)]


def test_models_reexported_and_in_other_files_and_configured_helpers() -> None:
    files = {
        BASE: BASE_SOURCE, USER_MODELS: USER_MODELS_SOURCE,
        "cpv3/modules/users/__init__.py": "from cpv3.modules.users.models import User as U\n",
        "cpv3/modules/users/repository.py": dedent("""
            from sqlalchemy import select
            from sqlalchemy.ext.asyncio import AsyncSession

            from cpv3.common.filters import active_only
            from cpv3.modules.users import U


            class UserRepository:
                def __init__(self, session: AsyncSession) -> None:
                    self._session = session

                async def one(self) -> U | None:
                    return await self._session.scalar(select(U).where(active_only(U)))

                async def two(self) -> U | None:
                    return await self._session.scalar(select(U).where(not_deleted(U)))
        """),
    }
    assert findings(files, ["AG402"]) == [("AG402", REPO, 12)]
    config = Config(soft_delete_helpers=["cpv3.common.filters.active_only"])
    assert findings(files, ["AG402"], config) == [("AG402", REPO, 15)]


def test_top_level_functions_of_a_repository_file_and_non_repository_files() -> None:
    source = dedent("""
        from sqlalchemy import select

        from cpv3.modules.users.models import User


        async def load_all(session):
            return list(await session.scalars(select(User)))
    """)
    files = {BASE: BASE_SOURCE, USER_MODELS: USER_MODELS_SOURCE, REPO: source,
             SERVICE: source}
    assert findings(files, ["AG402"]) == [("AG402", REPO, 6)]


# --- AG403 repository-multi-query ---------------------------------------------------------

def test_more_than_one_query_along_a_path() -> None:
    files = repository("""
        async def page(self) -> tuple[list[User], int]:
            rows = await self._session.scalars(select(User))
            total = await self._session.scalar(select(func.count()))
            return list(rows), total or 0

        async def looped(self, ids: list[int]) -> list[User | None]:
            found = []
            for user_id in ids:
                found.append(await self._session.get(User, user_id))
            return found

        async def comprehension(self, ids: list[int]) -> list[User | None]:
            return [await self._session.get(User, i) for i in ids]

        @staticmethod
        async def three(session: AsyncSession) -> None:
            await session.execute(select(User))
            if session:
                await session.execute(select(User))
            await session.stream(select(User))
    """)
    assert findings(files, ["AG403"]) == [
        ("AG403", REPO, 13), ("AG403", REPO, 18), ("AG403", REPO, 24), ("AG403", REPO, 28),
    ]
    messages = [d.message for d in run(files, ["AG403"])]
    assert messages == [
        "repository method 'page' awaits 2 queries",
        "repository method 'looped' awaits a query inside a loop",
        "repository method 'comprehension' awaits a query inside a loop",
        "repository method 'three' awaits 3 queries",
    ]


def test_branches_early_returns_unit_of_work_and_own_methods_are_one_query() -> None:
    files = repository("""
        async def branch(self, by_email: bool) -> User | None:
            if by_email:
                return await self._session.scalar(select(User).where(User.email == ""))
            else:
                return await self._session.scalar(select(User))

        async def cached(self, user_id: int) -> User | None:
            if user_id in self._cache:
                return await self._session.get(User, user_id)
            return await self._session.scalar(select(User))

        async def guarded(self) -> User | None:
            try:
                return await self._session.scalar(select(User))
            except LookupError:
                return await self._session.scalar(select(User).limit(1))

        async def create(self, user: User) -> User:
            self._session.add(user)
            await self._session.flush()
            await self._session.refresh(user)
            return user

        async def composed(self) -> User | None:
            first = await self.get(1)
            return first or await self._session.scalar(select(User))

        async def rows(self) -> list[User]:
            return [u for u in await self._session.scalars(select(User))]

        async def with_closure(self) -> None:
            async def inner() -> None:
                await self._session.execute(select(User))
                await self._session.execute(select(User))
            await self._session.execute(select(User))

        async def matched(self, kind: str) -> User | None:
            match kind:
                case "a":
                    return await self._session.scalar(select(User))
                case _:
                    return await self._session.scalar(select(User).limit(1))
    """)
    assert findings(files, ["AG403"]) == []


def test_configured_query_methods() -> None:
    files = repository("""
        async def create(self, user: User) -> User:
            await self._session.flush()
            await self._session.refresh(user)
            return user
    """)
    config = Config(query_methods=["execute", "flush", "refresh"])
    assert findings(files, ["AG403"], config) == [("AG403", REPO, 13)]


# --- AG404 repository-http ----------------------------------------------------------------

def test_http_imports_and_raises_in_a_repository() -> None:
    files = {REPO: dedent("""
        from __future__ import annotations

        from typing import TYPE_CHECKING

        import fastapi
        from fastapi import HTTPException, status
        from fastapi import HTTPException as HE
        from cpv3.common.errors import HTTPException as DomainHTTPException

        if TYPE_CHECKING:
            from starlette.requests import Request


        def require(row: object | None) -> object:
            from starlette import status as st

            if row is None:
                raise HTTPException(status_code=404)
            if row == 1:
                raise HE
            if row == 2:
                raise DomainHTTPException(status_code=400)
            if row == 3:
                raise ValueError("no")
            return row
    """), SERVICE: dedent("""
        from fastapi import HTTPException


        def fail() -> None:
            raise HTTPException(status_code=404)
    """)}
    assert findings(files, ["AG404"]) == [
        ("AG404", REPO, 5), ("AG404", REPO, 6), ("AG404", REPO, 7), ("AG404", REPO, 11),
        ("AG404", REPO, 15), ("AG404", REPO, 18), ("AG404", REPO, 20), ("AG404", REPO, 22),
    ]
    first = run(files, ["AG404"])[0]
    assert first.message == "repository imports 'fastapi': repositories know nothing of HTTP"


# --- AG405 n-plus-one ---------------------------------------------------------------------

SERVICE_HEADER = """
    from __future__ import annotations

    import asyncio
    from asyncio import gather

    import httpx
    from sqlalchemy.ext.asyncio import AsyncSession

    from cpv3.modules.projects.service import ProjectService
    from cpv3.modules.users.repository import UserRepository


    class UserService:
        def __init__(self, session: AsyncSession, client: httpx.AsyncClient) -> None:
            self._users = UserRepository(session)
            self._session = session
            self._client = client
            self._projects = ProjectService(session)
            self.user_repository = make_repository()
"""  # 19 lines: the first method of a test body starts on line 21


def service(body: str) -> dict[str, str]:
    return {SERVICE: dedent(SERVICE_HEADER) + "\n" + indent(body)}


def test_awaited_repository_and_session_calls_in_loops() -> None:
    files = service("""
        async def a(self, ids: list[int]) -> None:
            for user_id in ids:
                await self._users.get_by_id(user_id)

        async def b(self, ids: list[int]) -> None:
            async for user_id in ids:
                for other in ids:
                    await self._session.refresh(other)

        async def c(self, ids: list[int]) -> list[object]:
            return [await self.user_repository.get(i) for i in ids]

        async def d(self, ids: list[int], conn: AsyncSession) -> dict[int, object]:
            return {i: await conn.get(object, i) for i in ids if i}

        async def e(self, ids: list[int]) -> list[object]:
            repo = UserRepository(self._session)
            return await asyncio.gather(*[repo.get_by_id(i) for i in ids])

        async def f(self, ids: list[int]) -> list[object]:
            return await gather(*(UserRepository(self._session).get(i) for i in ids))

        async def g(self, ids: list[int], db) -> None:
            for i in ids:
                await db.execute(i)
    """)
    assert findings(files, ["AG405"]) == [
        ("AG405", SERVICE, 23), ("AG405", SERVICE, 28), ("AG405", SERVICE, 31),
        ("AG405", SERVICE, 34), ("AG405", SERVICE, 38), ("AG405", SERVICE, 41),
        ("AG405", SERVICE, 45),
    ]
    found = run(files, ["AG405"])
    assert found[0].message == ("repository call 'self._users.get_by_id()' inside a for loop: "
                                "N+1 queries")
    assert found[0].column == 13
    assert "selectinload" in found[0].hint


def test_other_awaits_and_calls_outside_loops_are_not_n_plus_one() -> None:
    files = service("""
        async def a(self, ids: list[int]) -> None:
            for user_id in ids:
                await self._projects.get_project(user_id)
                await self._client.get(f"/users/{user_id}")
                await asyncio.sleep(0)

        async def b(self, ids: list[int]) -> list[object]:
            users = await self._users.list_many(ids)
            for user in await self._users.list_page(10, 0):
                print(user)
            return [u for u in await self._users.list_page(10, 0)]

        async def c(self, ids: list[int]) -> None:
            for user_id in ids:
                async def later() -> None:
                    await self._users.get_by_id(user_id)
                self._later = later
    """)
    assert findings(files, ["AG405"]) == []


def test_every_loop_form_is_n_plus_one() -> None:
    files = {SERVICE: """
        from __future__ import annotations

        from sqlalchemy.ext.asyncio import AsyncSession

        from cpv3.modules.users.repository import UserRepository


        class UserService:
            def __init__(self, session: AsyncSession) -> None:
                self._users = UserRepository(session)
                self._session = session

            async def drain(self) -> None:
                while await self._users.has_more():
                    await self._users.next_batch()

            async def stream(self, ids) -> None:
                async for user_id in ids:
                    await self._session.get(object, user_id)

            async def collect(self, ids) -> list[object]:
                return [await self._users.get(i) async for i in ids]

            async def names(self, ids) -> set[object]:
                return {await self._users.get(i) for i in ids}
    """}
    assert findings(files, ["AG405"]) == [
        ("AG405", SERVICE, 14), ("AG405", SERVICE, 15), ("AG405", SERVICE, 19),
        ("AG405", SERVICE, 22), ("AG405", SERVICE, 25)]


def test_only_service_files_are_checked() -> None:
    body = dedent("""
        async def load(repo_session, ids: list[int]) -> None:
            for i in ids:
                await repo_session.get(i)
                await session.get(i)
    """)
    files = {REPO: body, "cpv3/modules/users/router.py": body, SERVICE: body}
    assert findings(files, ["AG405"]) == [("AG405", SERVICE, 4)]


# --- facts --------------------------------------------------------------------------------

def test_collected_facts_are_plain_picklable_data() -> None:
    files = repository("""
        async def by_email(self, email: str) -> User | None:
            return await self._session.scalar(select(User).where(User.email == email))
    """)
    result = analyze_file(REPO, files[REPO].encode(), Config())
    assert {"AG401", "AG402"} <= set(result.facts.extra)
    assert pickle.loads(pickle.dumps(result.facts)).extra == result.facts.extra
