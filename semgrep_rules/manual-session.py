# Test cases for semgrep_rules/manual-session.yaml (AG407). Run: semgrep --test semgrep_rules/
from __future__ import annotations

import aiohttp
import requests
import sqlalchemy.ext.asyncio as sa_async
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import AsyncSession as AS
from sqlalchemy.ext.asyncio import async_sessionmaker

from cpv3 import db
from cpv3.db.session import AsyncSessionLocal, SessionLocal, async_session_factory, get_db, engine
from cpv3.modules.users.service import UserService

local_factory = async_sessionmaker(engine, expire_on_commit=False)


async def create_user_bad(payload: dict) -> None:
    # ruleid: manual-session
    session = AsyncSession(engine)
    await UserService(session).create(payload)


async def create_user_alias(payload: dict) -> None:
    # ruleid: manual-session
    session = AS(bind=engine)
    # ruleid: manual-session
    other = sa_async.AsyncSession(engine)
    await UserService(session).create(payload)
    await other.close()


async def notify_all() -> None:
    # A factory used as a context manager closes its session: neither a leak nor a bypass.
    # ok: manual-session
    async with SessionLocal() as session:
        await UserService(session).notify_all()
    # ok: manual-session
    async with async_session_factory() as session:
        await UserService(session).notify_all()
    # ok: manual-session
    async with AsyncSessionLocal() as session, other_resource() as other:
        await UserService(session).notify_all()
    # ok: manual-session
    with db.SessionLocal() as session:
        UserService(session).notify_all()


async def leaked_factory_sessions() -> None:
    # ruleid: manual-session
    session = SessionLocal()
    await UserService(session).notify_all()
    # ruleid: manual-session
    other = db.SessionLocal()
    await UserService(other).notify_all()


async def with_local_factory() -> None:
    # ok: manual-session
    async with local_factory() as session:
        await UserService(session).notify_all()
    # ruleid: manual-session
    leaked = local_factory()
    await UserService(leaked).notify_all()


def session_local_factory_twice() -> None:
    # One finding for one call, even when both the local-factory and the conventional-name
    # alternatives match it.
    AsyncSessionLocal = async_sessionmaker(engine)  # noqa: N806
    # ruleid: manual-session
    AsyncSessionLocal()


# ok: manual-session
async def get_user(user_id: int, session: AsyncSession = Depends(get_db)) -> dict:
    # ok: manual-session
    return await UserService(session).get(user_id)


async def fetch_remote() -> None:
    # ok: manual-session
    http = requests.Session()
    # ok: manual-session
    async with aiohttp.ClientSession() as client:
        await client.get("/health")
    http.close()
