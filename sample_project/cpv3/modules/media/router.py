from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user
from cpv3.modules.media.schemas import (
    MediaDownloadRead,
    MediaRead,
    MediaUpdate,
    MediaUploadCreate,
    MediaUploadRead,
)
from cpv3.modules.media.service import MediaService

router = APIRouter()


@router.post("/uploads", response_model=MediaUploadRead, status_code=status.HTTP_201_CREATED)
async def create_media_upload(
    payload: MediaUploadCreate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> MediaUploadRead:
    return await MediaService(db).create_upload(current_user.id, payload)


@router.post("/{media_id}/complete", response_model=MediaRead)
async def complete_media_upload(
    media_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> MediaRead:
    return await MediaService(db).complete_upload(media_id, current_user.id)


@router.get("", response_model=list[MediaRead])
async def list_project_media(
    project_id: uuid.UUID = Query(...),
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[MediaRead]:
    items = await MediaService(db).list_project_media(project_id, current_user.id, limit, offset)
    return list(items)


@router.get("/{media_id}", response_model=MediaRead)
async def read_media(
    media_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> MediaRead:
    return await MediaService(db).get_media(media_id, current_user.id)


@router.get("/{media_id}/download", response_model=MediaDownloadRead)
async def read_media_download_url(
    media_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> MediaDownloadRead:
    return await MediaService(db).get_download_url(media_id, current_user.id)


@router.patch("/{media_id}", response_model=MediaRead)
async def update_media(
    media_id: uuid.UUID,
    payload: MediaUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> MediaRead:
    return await MediaService(db).update_media(media_id, current_user.id, payload)


@router.delete("/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_media(
    media_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> None:
    await MediaService(db).delete_media(media_id, current_user.id)
