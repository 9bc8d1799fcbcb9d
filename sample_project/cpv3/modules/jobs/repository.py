from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from fastapi.encoders import jsonable_encoder  # expect: AG404
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.jobs.models import Job


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_id(self, job_id: uuid.UUID) -> Job | None:
        stmt = select(Job).where(Job.id == job_id, not_deleted(Job))
        return await self._session.scalar(stmt)

    async def get_for_user(self, job_id: uuid.UUID, user_id: uuid.UUID) -> Job | None:
        stmt = select(Job).where(Job.id == job_id, Job.user_id == user_id, not_deleted(Job))
        return await self._session.scalar(stmt)

    async def list_for_user(
        self, user_id: uuid.UUID, status: str | None, limit: int, offset: int
    ) -> Sequence[Job]:
        stmt = select(Job).where(Job.user_id == user_id, not_deleted(Job))
        if status is not None:
            stmt = stmt.where(Job.status == status)
        stmt = stmt.order_by(Job.created_at.desc()).limit(limit).offset(offset)
        result = await self._session.scalars(stmt)
        return result.all()

    async def expire_stale(
        self, statuses: Sequence[str], updated_before: datetime, values: dict[str, object]
    ) -> int:
        """One UPDATE for every job stuck in `statuses` since before `updated_before`."""
        stmt = (
            update(Job)
            .where(Job.status.in_(statuses), Job.updated_at < updated_before, not_deleted(Job))
            .values(**values)
            .returning(Job.id)
        )
        result = await self._session.scalars(stmt)
        return len(result.all())

    async def create(self, job: Job) -> Job:
        self._session.add(job)
        await self._session.flush()
        return job

    async def update(self, job: Job, values: dict[str, object]) -> Job:
        for field, value in values.items():
            setattr(job, field, value)
        await self._session.flush()
        return job

    async def save_result(self, job: Job, result: dict[str, object]) -> Job:
        job.result = jsonable_encoder(result)
        await self._session.flush()
        return job
