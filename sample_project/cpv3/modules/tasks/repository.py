from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.tasks.models import TaskRun


class TaskRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_id(self, run_id: uuid.UUID) -> TaskRun | None:
        stmt = select(TaskRun).where(TaskRun.id == run_id, not_deleted(TaskRun))
        return await self._session.scalar(stmt)

    async def get_by_message_id(self, message_id: str) -> TaskRun | None:
        stmt = select(TaskRun).where(TaskRun.message_id == message_id, not_deleted(TaskRun))
        return await self._session.scalar(stmt)

    async def list_page(self, actor_name: str | None, limit: int, offset: int) -> Sequence[TaskRun]:
        stmt = select(TaskRun).where(not_deleted(TaskRun))
        if actor_name is not None:
            stmt = stmt.where(TaskRun.actor_name == actor_name)
        stmt = stmt.order_by(TaskRun.created_at.desc()).limit(limit).offset(offset)
        result = await self._session.scalars(stmt)
        return result.all()

    async def create(self, run: TaskRun) -> TaskRun:
        self._session.add(run)
        await self._session.flush()
        return run

    async def update(self, run: TaskRun, values: dict[str, object]) -> TaskRun:
        for field, value in values.items():
            setattr(run, field, value)
        await self._session.flush()
        return run
