from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user
from cpv3.modules.captions.schemas import (
    CaptionRenderCreate,
    CaptionRenderRead,
    CaptionStyleCreate,
    CaptionStyleRead,
    CaptionStyleUpdate,
)
from cpv3.modules.captions.service import CaptionService

router = APIRouter()


@router.get("/styles", response_model=list[CaptionStyleRead])
async def list_caption_styles(  # expect: AG503
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[CaptionStyleRead]:
    styles = await CaptionService(db).list_styles(current_user.id)
    return list(styles)


@router.get("/styles/presets", response_model=list[CaptionStyleRead])
async def list_caption_presets(
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    _user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[CaptionStyleRead]:
    presets = await CaptionService(db).list_presets(limit, offset)
    return list(presets)


@router.post("/styles", response_model=CaptionStyleRead, status_code=status.HTTP_201_CREATED)
async def create_caption_style(
    payload: CaptionStyleCreate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> CaptionStyleRead:
    return await CaptionService(db).create_style(current_user.id, payload)


@router.patch("/styles/{style_id}", response_model=CaptionStyleRead)
async def update_caption_style(
    style_id: uuid.UUID,
    payload: CaptionStyleUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> CaptionStyleRead:
    return await CaptionService(db).update_style(style_id, current_user.id, payload)


@router.delete("/styles/{style_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_caption_style(
    style_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> None:
    await CaptionService(db).delete_style(style_id, current_user.id)


@router.post("/renders", response_model=CaptionRenderRead, status_code=status.HTTP_202_ACCEPTED)
async def start_caption_render(
    payload: CaptionRenderCreate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> CaptionRenderRead:
    return await CaptionService(db).start_render(current_user.id, payload)


@router.get("/renders", response_model=list[CaptionRenderRead])
async def list_caption_renders(
    limit: int = Query(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0),
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> list[CaptionRenderRead]:
    renders = await CaptionService(db).list_renders(current_user.id, limit, offset)
    return list(renders)


@router.get("/renders/{render_id}", response_model=CaptionRenderRead)
async def read_caption_render(
    render_id: uuid.UUID,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> CaptionRenderRead:
    return await CaptionService(db).get_render(render_id, current_user.id)
