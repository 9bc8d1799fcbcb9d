from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user
from cpv3.modules.files.repository import StoredFileRepository  # expect: AG203
from cpv3.modules.files.schemas import (
    FilePurpose,
    StoredFileDownloadRead,
    StoredFileRead,
    StoredFileUpdate,
)
from cpv3.modules.files.service import FileService

router = APIRouter()


@router.post("", response_model=StoredFileRead, status_code=status.HTTP_201_CREATED)
async def upload_file(
    purpose: FilePurpose = Form(...),
    project_id: uuid.UUID | None = Form(None),
    upload: UploadFile = File(...),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> StoredFileRead:
    return await FileService(db).upload(current_user.id, purpose, project_id, upload)


@router.get("", response_model=list[StoredFileRead])
async def list_files(
    project_id: uuid.UUID | None = Query(None),
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[StoredFileRead]:
    repository = StoredFileRepository(db)
    files = await repository.list_for_owner(current_user.id, project_id, limit, offset)
    return [StoredFileRead.model_validate(stored) for stored in files]


@router.get("/{file_id}/download", response_model=StoredFileDownloadRead)
async def read_file_download_url(
    file_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> StoredFileDownloadRead:
    return await FileService(db).get_download_url(file_id, current_user.id)


@router.patch("/{file_id}", response_model=StoredFileRead)
async def update_file(
    file_id: uuid.UUID,
    payload: StoredFileUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> StoredFileRead:
    return await FileService(db).update_file(file_id, current_user.id, payload)


@router.delete("/{file_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_file(
    file_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> None:
    await FileService(db).delete_file(file_id, current_user.id)
