from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.common.pagination import PaginationParams, get_pagination
from cpv3.db.session import get_db
from cpv3.infrastructure.auth import AuthenticatedUser, get_current_user, require_admin
from cpv3.modules.users.schemas import (
    AccessTokenCreate,
    AccessTokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from cpv3.modules.users.service import UserService

router = APIRouter()


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def register_user(payload: UserCreate, db: AsyncSession = Depends(get_db)) -> UserRead:
    return await UserService(db).register(payload)


@router.post("/tokens", response_model=AccessTokenRead)
async def issue_access_token(
    payload: AccessTokenCreate, db: AsyncSession = Depends(get_db)
) -> AccessTokenRead:
    return await UserService(db).issue_access_token(payload)


@router.get("/me", response_model=UserRead)
async def read_current_user(
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> UserRead:
    return await UserService(db).get_user(current_user.id)


@router.patch("/me", response_model=UserRead)
async def update_current_user(
    payload: UserUpdate,
    current_user: AuthenticatedUser = Depends(get_current_user),
    db: AsyncSession = Depends(get_db),
) -> UserRead:
    return await UserService(db).update_profile(current_user.id, payload)


@router.get("", response_model=list[UserRead])
async def list_users(
    pagination: PaginationParams = Depends(get_pagination),
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> list[UserRead]:
    users = await UserService(db).list_users(limit=pagination.limit, offset=pagination.offset)
    return list(users)


@router.post("/{user_id}/deactivate", response_model=UserRead)
async def deactivate_user(
    user_id: uuid.UUID,
    _admin: AuthenticatedUser = Depends(require_admin),
    db: AsyncSession = Depends(get_db),
) -> UserRead:
    return await UserService(db).deactivate(user_id)
