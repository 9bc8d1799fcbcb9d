from __future__ import annotations

import importlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from cpv3.db.base import Base
from cpv3.infrastructure.settings import get_settings

MODULES_WITH_MODELS = (
    "billing",
    "captions",
    "files",
    "jobs",
    "media",
    "notifications",
    "projects",
    "system",
    "tasks",
    "transcription",
    "users",
    "webhooks",
)


def register_all_models() -> None:
    """Import every models file so `Base.metadata` knows all tables before create_all."""
    for module in MODULES_WITH_MODELS:
        importlib.import_module(f"cpv3.modules.{module}.models")


@pytest.fixture(scope="session")
async def test_engine() -> AsyncIterator[AsyncEngine]:
    """One engine on the test database; the schema is rebuilt once per run."""
    register_all_models()
    engine = create_async_engine(get_settings().test_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db_session(test_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A real session inside a transaction that is rolled back after each test."""
    async with test_engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()
