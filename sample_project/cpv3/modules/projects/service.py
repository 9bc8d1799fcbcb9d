from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.modules.projects.models import Project
from cpv3.modules.projects.repository import ProjectRepository
from cpv3.modules.projects.schemas import ProjectCreate, ProjectRead, ProjectUpdate
from cpv3.modules.users.repository import UserRepository  # expect: AG202

ERROR_PROJECT_NOT_FOUND = "Project not found"
ERROR_PROJECT_LIMIT_REACHED = "Active project limit reached; archive a project first"
ERROR_PROJECT_ARCHIVED = "Archived projects are read-only"
ERROR_OWNER_INACTIVE = "Project owner is missing or deactivated"

MAX_ACTIVE_PROJECTS_PER_USER = 50
STATUS_ACTIVE = "active"
STATUS_ARCHIVED = "archived"


class ProjectService:
    def __init__(self, session: AsyncSession) -> None:
        self._projects = ProjectRepository(session)
        self._users = UserRepository(session)

    async def create_project(self, owner_id: uuid.UUID, payload: ProjectCreate) -> ProjectRead:
        owner = await self._users.get_by_id(owner_id)
        if owner is None or not owner.is_active:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=ERROR_OWNER_INACTIVE)
        active_count = await self._projects.count_active_for_owner(owner_id)
        if active_count >= MAX_ACTIVE_PROJECTS_PER_USER:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN, detail=ERROR_PROJECT_LIMIT_REACHED
            )
        project = Project(owner_id=owner_id, **payload.model_dump())
        return ProjectRead.model_validate(await self._projects.create(project))

    async def get_project(self, project_id: uuid.UUID, owner_id: uuid.UUID) -> ProjectRead:
        project = await self._projects.get_for_owner(project_id, owner_id)
        if project is None:
            raise HTTPException(status_code=404, detail="Project not found")  # expect: AG501
        return ProjectRead.model_validate(project)

    async def require_active_project(
        self, project_id: uuid.UUID, owner_id: uuid.UUID
    ) -> ProjectRead:
        """Used by other modules before they attach media or files to a project."""
        project = await self._get_owned(project_id, owner_id)
        if project.status == STATUS_ARCHIVED:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=ERROR_PROJECT_ARCHIVED)
        return ProjectRead.model_validate(project)

    async def list_projects(
        self, owner_id: uuid.UUID, project_status: str | None, limit: int, offset: int
    ) -> Sequence[ProjectRead]:
        projects = await self._projects.list_for_owner(owner_id, project_status, limit, offset)
        return [ProjectRead.model_validate(project) for project in projects]

    async def update_project(
        self, project_id: uuid.UUID, owner_id: uuid.UUID, payload: ProjectUpdate
    ) -> ProjectRead:
        project = await self._get_owned(project_id, owner_id)
        if project.status == STATUS_ARCHIVED:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=ERROR_PROJECT_ARCHIVED)
        values = payload.model_dump(exclude_unset=True)
        return ProjectRead.model_validate(await self._projects.update(project, values))

    async def archive_project(self, project_id: uuid.UUID, owner_id: uuid.UUID) -> ProjectRead:
        project = await self._get_owned(project_id, owner_id)
        if project.status == STATUS_ARCHIVED:
            return ProjectRead.model_validate(project)
        values: dict[str, object] = {"status": STATUS_ARCHIVED, "archived_at": utcnow()}
        return ProjectRead.model_validate(await self._projects.update(project, values))

    async def delete_project(self, project_id: uuid.UUID, owner_id: uuid.UUID) -> None:
        project = await self._get_owned(project_id, owner_id)
        await self._projects.soft_delete(project)

    async def _get_owned(self, project_id: uuid.UUID, owner_id: uuid.UUID) -> Project:
        project = await self._projects.get_for_owner(project_id, owner_id)
        if project is None:
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_PROJECT_NOT_FOUND
            )
        return project
