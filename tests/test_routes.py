"""AG503 unpaginated-list-route, AG504 router-database-access, AG505 untyped-route."""

from __future__ import annotations

from archguard.project.config import Config, PaginationConfig, SessionConfig
from helpers import dedent, findings, run

ROUTER = "cpv3/modules/users/router.py"
SERVICE = "cpv3/modules/users/service.py"


def check(source: str, codes: list[str], path: str = ROUTER,
          config: Config | None = None) -> list[tuple[str, str, int]]:
    return findings({path: dedent(source)}, codes, config)


# --- AG503 --------------------------------------------------------------------------------

def test_list_routes_without_pagination_in_every_form() -> None:
    assert check("""
        from collections.abc import Sequence
        from typing import Annotated, List, Optional

        from fastapi import APIRouter as R, FastAPI, Query
        import fastapi

        from cpv3.modules.users.schemas import UserRead

        router = R(prefix="/users")
        app = FastAPI()
        other = fastapi.APIRouter()


        @router.get("/", response_model=list[UserRead])
        async def a() -> list[UserRead]: ...


        @router.api_route("/b", methods=["GET", "HEAD"])
        async def b() -> List[UserRead]: ...


        @app.get("/c")
        async def c() -> Annotated[list[UserRead], "doc"]: ...


        @other.get("/d")
        async def d(q: str = Query("")) -> Sequence[UserRead]: ...


        @router.get("/e", response_model=Optional[list[UserRead]])
        async def e() -> dict[str, int]: ...


        @router.get("/f")
        async def f() -> "list[UserRead] | None": ...


        @router.get("/g", response_model=tuple[UserRead, ...])
        async def g(limit: int = 10) -> None: ...
    """, ["AG503"]) == [("AG503", ROUTER, 15), ("AG503", ROUTER, 19), ("AG503", ROUTER, 23),
                        ("AG503", ROUTER, 27), ("AG503", ROUTER, 31), ("AG503", ROUTER, 35),
                        ("AG503", ROUTER, 39)]


def test_paginated_and_non_list_routes_are_fine() -> None:
    assert check("""
        from typing import Annotated

        from fastapi import APIRouter, Depends
        from fastapi import Depends as D

        from cpv3.common.pagination import PaginationParams, get_pagination
        from cpv3.modules.users.schemas import UserCreate, UserRead

        router = APIRouter()


        @router.get("/a")
        async def a(limit: int = 20, offset: int = 0) -> list[UserRead]: ...


        @router.get("/b")
        async def b(p: Annotated[PaginationParams, Depends(get_pagination)]) -> list[UserRead]:
            ...


        @router.get("/c")
        async def c(p: PaginationParams = D()) -> list[UserRead]: ...


        @router.get("/d")
        async def d(p: Annotated[PaginationParams, Depends()]) -> list[UserRead]: ...


        @router.post("/e", response_model=list[UserRead])
        async def e(items: list[UserCreate]) -> list[UserRead]: ...


        @router.api_route("/f", methods=["POST"])
        async def f() -> list[UserRead]: ...


        @router.get("/g", response_model=UserRead)
        async def g(*, page: int, size: int) -> UserRead: ...


        @router.get("/h")
        async def h(cursor: str | None = None) -> list[UserRead]: ...


        @router.get("/i")
        async def i() -> dict[str, list[UserRead]]: ...


        def helper() -> list[UserRead]: ...
    """, ["AG503"]) == []


def test_id_cursors_with_a_limit_are_pagination() -> None:
    """letta's (and OpenAI's) list routes page with `before`/`after` id cursors and a
    `limit`: paginated by default. A bare `after` is a filter (a date, say) that bounds
    nothing."""
    assert check("""
        from datetime import datetime

        from fastapi import APIRouter, Query

        from cpv3.modules.users.schemas import UserRead

        router = APIRouter()


        @router.get("/a")
        async def a(after: str | None = None, limit: int = Query(50)) -> list[UserRead]: ...


        @router.get("/b")
        async def b(before: str | None = None, limit: int | None = 50) -> list[UserRead]: ...


        @router.get("/c")
        async def c(after: datetime | None = None) -> list[UserRead]: ...
    """, ["AG503"]) == [("AG503", ROUTER, 19)]


def test_configured_parameter_sets_and_dependencies() -> None:
    config = Config(pagination=PaginationConfig(parameter_sets=[["first", "after"]],
                                                dependencies=["paged"]))
    assert check("""
        from fastapi import APIRouter, Depends

        from cpv3.common.paging import paged
        from cpv3.modules.users.schemas import UserRead

        router = APIRouter()


        @router.get("/a")
        async def a(limit: int, offset: int) -> list[UserRead]: ...


        @router.get("/b")
        async def b(first: int, after: str) -> list[UserRead]: ...


        @router.get("/c")
        async def c(first: int) -> list[UserRead]: ...


        @router.get("/d")
        async def d(p: dict = Depends(paged)) -> list[UserRead]: ...
    """, ["AG503"], config=config) == [("AG503", ROUTER, 10), ("AG503", ROUTER, 18)]


def test_a_limit_with_an_upper_bound_caps_the_list() -> None:
    """tracecat: `limit: int = Query(default=..., ge=..., le=config.MAX)` alone. The bound
    in a default, in `Annotated` metadata, a pydantic `conint`/`Field`, under an alias.
    Not a bound: no `le`/`lt`, `le=None`, a bound on a parameter that limits nothing, a
    limit-like name that is not in the configured list."""
    assert check("""
        from typing import Annotated

        import fastapi
        from fastapi import APIRouter, Query
        from pydantic import Field, conint

        from cpv3.core import config
        from cpv3.modules.users.schemas import UserRead

        router = APIRouter()


        @router.get("/a")
        async def a(limit: int = Query(default=20, ge=1, le=config.MAX_LIMIT)) -> list[UserRead]:
            ...


        @router.get("/b")
        async def b(page_size: Annotated[int, fastapi.Query(lt=101)] = 20) -> list[UserRead]:
            ...


        @router.get("/c")
        async def c(size: conint(ge=1, le=100) = 10) -> list[UserRead]: ...


        @router.get("/d")
        async def d(n: Annotated[int | None, Field(le=50, alias="limit")] = None,
                    ) -> list[UserRead]: ...


        @router.get("/e")
        async def e(limit: int = Query(20, ge=1)) -> list[UserRead]: ...


        @router.get("/f")
        async def f(limit: int = Query(20, le=None)) -> list[UserRead]: ...


        @router.get("/g")
        async def g(year: int = Query(2024, le=2100)) -> list[UserRead]: ...


        @router.get("/h")
        async def h(count: int = Query(20, le=100)) -> list[UserRead]: ...


        @router.get("/i")
        async def i(limit: Annotated[int, Query(description="how many")] = 20,
                    ) -> list[UserRead]: ...
    """, ["AG503"]) == [("AG503", ROUTER, line) for line in (33, 37, 41, 45, 49)]


def test_configured_bounded_limits() -> None:
    config = Config(pagination=PaginationConfig(bounded_limits=["count"]))
    assert check("""
        from fastapi import APIRouter, Query

        from cpv3.modules.users.schemas import UserRead

        router = APIRouter()


        @router.get("/a")
        async def a(limit: int = Query(20, le=100)) -> list[UserRead]: ...


        @router.get("/b")
        async def b(count: int = Query(20, le=100)) -> list[UserRead]: ...
    """, ["AG503"], config=config) == [("AG503", ROUTER, 9)]


def test_imported_router_object_and_decorated_def_line() -> None:
    assert check("""
        from cpv3.api.v1.routers import users_router
        from cpv3.modules.users.schemas import UserRead
        from cpv3.common import app


        def cached(f):
            return f


        @users_router.get("/")
        @cached
        async def listing() -> list[UserRead]: ...


        @app.get("/all")
        async def everything() -> list[UserRead]: ...


        @some_object.get("/x")
        async def not_a_router() -> list[UserRead]: ...
    """, ["AG503"]) == [("AG503", ROUTER, 12), ("AG503", ROUTER, 16)]


# --- AG504 --------------------------------------------------------------------------------

def test_session_use_in_a_router() -> None:
    assert check("""
        from typing import Annotated

        from fastapi import APIRouter, Depends
        from sqlalchemy.ext.asyncio import AsyncSession as S

        from cpv3.db.session import get_db
        from cpv3.modules.users.models import User

        router = APIRouter()
        DB = Annotated[S, Depends(get_db)]


        @router.post("/")
        async def create(db: S = Depends(get_db)) -> None:
            db.add(User())
            await db.commit()


        @router.get("/{user_id}")
        async def read(user_id: int, session=Depends(get_db)) -> None:
            await session.get(User, user_id)


        @router.delete("/{user_id}")
        async def remove(user_id: int, db: Annotated[S, Depends(get_db)]) -> None:
            await db.delete(await load(db, user_id))


        async def load(session: "S | None", user_id: int) -> User:
            return await session.get(User, user_id)
    """, ["AG504"]) == [("AG504", ROUTER, 15), ("AG504", ROUTER, 16), ("AG504", ROUTER, 21),
                        ("AG504", ROUTER, 26), ("AG504", ROUTER, 30)]


def test_query_builders_in_a_router_any_alias() -> None:
    assert check("""
        import sqlalchemy as sa
        from fastapi import APIRouter, Depends
        from sqlalchemy import select as sel
        from sqlalchemy.dialects.postgresql import insert
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.future import select as future_select
        from sqlalchemy.sql import update

        from cpv3.db.session import get_db
        from cpv3.modules.users.models import User

        router = APIRouter()
        ACTIVE = sel(User).where(User.active)


        @router.get("/")
        async def listing(db: AsyncSession = Depends(get_db)) -> None:
            await db.execute(sa.select(User).where(User.id == future_select(User.id)))
            query = sa.delete(User)
            stmt = insert(User).values(id=1)
            return update(User), query, stmt
    """, ["AG504"]) == [("AG504", ROUTER, 13), ("AG504", ROUTER, 18), ("AG504", ROUTER, 19),
                        ("AG504", ROUTER, 20), ("AG504", ROUTER, 21)]


def test_passing_the_session_on_and_other_files_are_fine() -> None:
    router_source = """
        from fastapi import APIRouter, Depends
        from sqlalchemy.ext.asyncio import AsyncSession

        from cpv3.db.session import get_db
        from cpv3.modules.users.schemas import UserRead
        from cpv3.modules.users.service import UserService
        from somewhere import select

        router = APIRouter()


        @router.get("/{user_id}")
        async def read(user_id: int, db: AsyncSession = Depends(get_db)) -> UserRead:
            service = UserService(db)
            items = {"a": 1}
            items.get("a")
            select(user_id)
            return await service.get_user(user_id)


        @router.delete("/")
        async def delete(request: dict) -> None:
            request.get("x")
            await request.delete()
    """
    assert check(router_source, ["AG504"]) == []
    assert check(router_source.replace("UserService(db)", "UserService(db); db.flush()"),
                 ["AG504"], path=SERVICE) == []


def test_configured_session_dependency_and_type() -> None:
    config = Config(session=SessionConfig(types=["cpv3.db.Tx"], dependencies=["session_dep"]))
    assert check("""
        from fastapi import APIRouter, Depends
        from sqlalchemy.ext.asyncio import AsyncSession

        from cpv3.db import Tx, session_dep
        from cpv3.db.session import get_db

        router = APIRouter()


        @router.get("/")
        async def a(x=Depends(session_dep), y: Tx = None, z: AsyncSession = Depends(get_db),
                    ) -> None:
            await x.commit()
            await y.commit()
            await z.commit()
    """, ["AG504"], config=config) == [("AG504", ROUTER, 13), ("AG504", ROUTER, 14)]


def test_annotated_local_session_and_nested_function_reported_once() -> None:
    assert check("""
        from fastapi import APIRouter
        from sqlalchemy.ext.asyncio import AsyncSession

        from cpv3.db.session import factory

        router = APIRouter()


        @router.get("/")
        async def a(db: AsyncSession) -> None:
            async def inner(db: AsyncSession) -> None:
                await db.flush()
            session: AsyncSession = factory()
            await session.commit()
            await inner(db)
    """, ["AG504"]) == [("AG504", ROUTER, 12), ("AG504", ROUTER, 14)]


# --- AG505 --------------------------------------------------------------------------------

def test_untyped_routes() -> None:
    assert check("""
        from fastapi import APIRouter as R, FastAPI

        from cpv3.modules.users.schemas import UserRead

        router = R()
        app = FastAPI()


        def logged(f):
            return f


        @router.get("/a")
        async def a(): ...


        @router.api_route("/b", methods=["PUT", "PATCH"])
        @logged
        async def b(): ...


        @app.delete("/c", status_code=204, response_model=None)
        async def c(): ...


        @router.post("/d", response_model=UserRead)
        async def d(): ...


        @router.put("/e")
        async def e() -> UserRead: ...


        @router.delete("/f", status_code=204)
        async def f() -> None: ...


        @router.post("/g", response_model=None)
        async def g() -> None: ...


        OPTIONS = {"response_model": UserRead}


        @router.get("/h", **OPTIONS)
        async def h(): ...


        def not_a_route():
            ...
    """, ["AG505"]) == [("AG505", ROUTER, 14), ("AG505", ROUTER, 19), ("AG505", ROUTER, 23)]


def test_messages_name_the_call_and_the_route() -> None:
    found = run({ROUTER: dedent("""
        from fastapi import APIRouter, Depends
        from sqlalchemy import select

        from cpv3.db.session import get_db

        router = APIRouter()


        @router.get("/")
        async def a(db=Depends(get_db)):
            return await db.scalars(select(1)), select(2)
    """)}, ["AG504", "AG505"])
    assert [(d.code, d.line, d.column, d.message) for d in found] == [
        ("AG505", 10, 1, "route 'a' declares neither response_model nor a return annotation"),
        ("AG504", 11, 18, "router uses the database session directly: 'db.scalars()'"),
        ("AG504", 11, 41, "router builds a SQLAlchemy query with 'sqlalchemy.select()'"),
    ]
