from __future__ import annotations

import uuid

import pytest
from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.modules.projects.schemas import ProjectCreate, ProjectUpdate
from cpv3.modules.projects.service import ERROR_PROJECT_ARCHIVED, ProjectService
from cpv3.modules.users.schemas import UserCreate
from cpv3.modules.users.service import UserService

VALID_PASSPHRASE = "correct horse battery staple"


async def create_owner(session: AsyncSession, email: str) -> uuid.UUID:
    payload = UserCreate(email=email, password=VALID_PASSPHRASE, full_name="Owner")
    return (await UserService(session).register(payload)).id


async def test_owner_sees_only_own_projects(db_session: AsyncSession) -> None:
    alice = await create_owner(db_session, "alice@example.com")
    bob = await create_owner(db_session, "bob@example.com")
    service = ProjectService(db_session)
    await service.create_project(alice, ProjectCreate(name="Latte art reel"))
    await service.create_project(bob, ProjectCreate(name="Espresso tutorial"))

    projects = await service.list_projects(alice, None, limit=20, offset=0)

    assert [project.name for project in projects] == ["Latte art reel"]


async def test_deleted_project_is_hidden(db_session: AsyncSession) -> None:
    owner = await create_owner(db_session, "deleter@example.com")
    service = ProjectService(db_session)
    project = await service.create_project(owner, ProjectCreate(name="Cold brew"))

    await service.delete_project(project.id, owner)

    assert await service.list_projects(owner, None, limit=20, offset=0) == []
    with pytest.raises(HTTPException) as caught:
        await service.get_project(project.id, owner)
    assert caught.value.status_code == 404


async def test_archived_project_is_read_only(db_session: AsyncSession) -> None:
    owner = await create_owner(db_session, "archiver@example.com")
    service = ProjectService(db_session)
    project = await service.create_project(owner, ProjectCreate(name="Origins"))
    archived = await service.archive_project(project.id, owner)

    with pytest.raises(HTTPException) as caught:
        await service.update_project(project.id, owner, ProjectUpdate(name="Renamed"))

    assert archived.status == "archived"
    assert caught.value.detail == ERROR_PROJECT_ARCHIVED
