from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.projects.models import Project


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_owner(self, project_id: uuid.UUID, owner_id: uuid.UUID) -> Project | None:
        stmt = select(Project).where(
            Project.id == project_id, Project.owner_id == owner_id, not_deleted(Project)
        )
        return await self._session.scalar(stmt)

    async def list_for_owner(
        self, owner_id: uuid.UUID, status: str | None, limit: int, offset: int
    ) -> Sequence[Project]:
        stmt = select(Project).where(Project.owner_id == owner_id, not_deleted(Project))
        if status is not None:
            stmt = stmt.where(Project.status == status)
        stmt = stmt.order_by(Project.updated_at.desc()).limit(limit).offset(offset)
        result = await self._session.scalars(stmt)
        return result.all()

    async def count_active_for_owner(self, owner_id: uuid.UUID) -> int:
        stmt = (
            select(func.count())
            .select_from(Project)
            .where(Project.owner_id == owner_id, Project.status == "active", not_deleted(Project))
        )
        return await self._session.scalar(stmt) or 0

    async def create(self, project: Project) -> Project:
        self._session.add(project)
        await self._session.flush()
        return project

    async def update(self, project: Project, values: dict[str, object]) -> Project:
        for field, value in values.items():
            setattr(project, field, value)
        await self._session.flush()
        return project

    async def soft_delete(self, project: Project) -> None:
        project.is_deleted = True
        await self._session.flush()
