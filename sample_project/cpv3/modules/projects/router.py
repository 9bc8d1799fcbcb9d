from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user
from cpv3.modules.projects.schemas import ProjectCreate, ProjectRead, ProjectStatus, ProjectUpdate
from cpv3.modules.projects.service import ProjectService

router = APIRouter()


@router.post("", response_model=ProjectRead, status_code=status.HTTP_201_CREATED)
async def create_project(
    payload: ProjectCreate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> ProjectRead:
    return await ProjectService(db).create_project(current_user.id, payload)


@router.get("", response_model=list[ProjectRead])
async def list_projects(
    project_status: ProjectStatus | None = Query(None, alias="status"),
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[ProjectRead]:
    service = ProjectService(db)
    projects = await service.list_projects(current_user.id, project_status, limit, offset)
    return list(projects)


@router.get("/{project_id}", response_model=ProjectRead)
async def read_project(
    project_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> ProjectRead:
    return await ProjectService(db).get_project(project_id, current_user.id)


@router.patch("/{project_id}", response_model=ProjectRead)
async def update_project(
    project_id: uuid.UUID,
    payload: ProjectUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> ProjectRead:
    return await ProjectService(db).update_project(project_id, current_user.id, payload)


@router.post("/{project_id}/archive", response_model=ProjectRead)
async def archive_project(
    project_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> ProjectRead:
    return await ProjectService(db).archive_project(project_id, current_user.id)


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(
    project_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> None:
    await ProjectService(db).delete_project(project_id, current_user.id)
