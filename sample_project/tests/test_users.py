from __future__ import annotations

import pytest
from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.infrastructure.auth import decode_access_token
from cpv3.modules.users.schemas import AccessTokenCreate, UserCreate, UserUpdate
from cpv3.modules.users.service import (
    ERROR_EMAIL_TAKEN,
    ERROR_INVALID_LOGIN,
    UserService,
)

VALID_PASSPHRASE = "correct horse battery staple"
OTHER_PASSPHRASE = "incorrect donkey battery"


def registration(email: str) -> UserCreate:
    return UserCreate(email=email, password=VALID_PASSPHRASE, full_name="Ada Barista")


async def test_register_stores_normalized_email(db_session: AsyncSession) -> None:
    user = await UserService(db_session).register(registration("  Ada@Example.COM "))

    assert user.email == "ada@example.com"
    assert user.is_active


async def test_register_rejects_duplicate_email(db_session: AsyncSession) -> None:
    service = UserService(db_session)
    await service.register(registration("dup@example.com"))

    with pytest.raises(HTTPException) as caught:
        await service.register(registration("DUP@example.com"))

    assert caught.value.status_code == 409
    assert caught.value.detail == ERROR_EMAIL_TAKEN


async def test_access_token_carries_user_identity(db_session: AsyncSession) -> None:
    service = UserService(db_session)
    user = await service.register(registration("token@example.com"))

    issued = await service.issue_access_token(
        AccessTokenCreate(email="token@example.com", password=VALID_PASSPHRASE)
    )

    identity = decode_access_token(issued.access_token)
    assert identity.id == user.id
    assert identity.email == user.email


async def test_wrong_password_is_rejected(db_session: AsyncSession) -> None:
    service = UserService(db_session)
    await service.register(registration("wrong@example.com"))

    with pytest.raises(HTTPException) as caught:
        await service.issue_access_token(
            AccessTokenCreate(email="wrong@example.com", password=OTHER_PASSPHRASE)
        )

    assert caught.value.detail == ERROR_INVALID_LOGIN


async def test_update_profile_changes_only_given_fields(db_session: AsyncSession) -> None:
    service = UserService(db_session)
    user = await service.register(registration("profile@example.com"))

    updated = await service.update_profile(user.id, UserUpdate(full_name="Ada Roaster"))

    assert updated.full_name == "Ada Roaster"
    assert updated.email == "profile@example.com"
