from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

import anyio.to_thread
from fastapi import HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.infrastructure.auth import create_access_token, hash_password, verify_password
from cpv3.infrastructure.settings import get_settings
from cpv3.modules.users.models import User
from cpv3.modules.users.repository import UserRepository
from cpv3.modules.users.schemas import (
    AccessTokenCreate,
    AccessTokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

ERROR_EMAIL_TAKEN = "A user with this email already exists"
ERROR_USER_NOT_FOUND = "User not found"
ERROR_INVALID_LOGIN = "Incorrect email or password"
ERROR_USER_INACTIVE = "This account has been deactivated"

AUTH_SCHEME: Literal["bearer"] = "bearer"
SECONDS_PER_MINUTE = 60


def normalize_email(email) -> str:  # expect: AG802
    """Emails are stored and compared lower-cased and without surrounding blanks."""
    return email.strip().lower()


class UserService:
    def __init__(self, session: AsyncSession) -> None:
        self._users = UserRepository(session)

    async def register(self, payload: UserCreate) -> UserRead:
        email = normalize_email(payload.email)
        if await self._users.get_by_email(email) is not None:
            raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=ERROR_EMAIL_TAKEN)
        password_hash = await anyio.to_thread.run_sync(hash_password, payload.password)
        user = User(email=email, password_hash=password_hash, full_name=payload.full_name)
        return UserRead.model_validate(await self._users.create(user))

    async def issue_access_token(self, payload: AccessTokenCreate) -> AccessTokenRead:
        user = await self._users.get_by_email(normalize_email(payload.email))
        if user is None or not await self._password_matches(payload.password, user):
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED, detail=ERROR_INVALID_LOGIN
            )
        if not user.is_active:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=ERROR_USER_INACTIVE)
        await self._users.update(user, {"last_login_at": utcnow()})
        settings = get_settings()
        return AccessTokenRead(
            access_token=create_access_token(user.id, user.email, user.is_admin),
            token_type=AUTH_SCHEME,
            expires_in=settings.access_token_ttl_minutes * SECONDS_PER_MINUTE,
        )

    async def get_user(self, user_id: uuid.UUID) -> UserRead:
        return UserRead.model_validate(await self._get_existing(user_id))

    async def list_users(self, limit: int, offset: int) -> Sequence[UserRead]:
        users = await self._users.list_page(limit=limit, offset=offset)
        return [UserRead.model_validate(user) for user in users]

    async def update_profile(self, user_id: uuid.UUID, payload: UserUpdate) -> UserRead:
        user = await self._get_existing(user_id)
        values = payload.model_dump(exclude_unset=True)
        return UserRead.model_validate(await self._users.update(user, values))

    async def deactivate(self, user_id: uuid.UUID) -> UserRead:
        user = await self._get_existing(user_id)
        return UserRead.model_validate(await self._users.update(user, {"is_active": False}))

    async def _get_existing(self, user_id: uuid.UUID) -> User:
        user = await self._users.get_by_id(user_id)
        if user is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=ERROR_USER_NOT_FOUND)
        return user

    @staticmethod
    async def _password_matches(plain: str, user: User) -> bool:
        return await anyio.to_thread.run_sync(verify_password, plain, user.password_hash)
