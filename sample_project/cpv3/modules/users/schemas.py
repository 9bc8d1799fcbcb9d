from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from cpv3.common.schemas import Schema

MIN_PASSPHRASE_CHARS = 10
MAX_PASSPHRASE_CHARS = 128


class UserCreate(Schema):
    email: EmailStr
    password: str = Field(min_length=MIN_PASSPHRASE_CHARS, max_length=MAX_PASSPHRASE_CHARS)
    full_name: str = Field(min_length=1, max_length=200)


class UserUpdate(Schema):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)


class UserRead(Schema):
    id: uuid.UUID
    email: EmailStr
    full_name: str
    is_active: bool
    is_admin: bool
    created_at: datetime
    last_login_at: datetime | None


class AccessTokenCreate(Schema):
    """Credentials exchanged for an access JWT."""

    email: EmailStr
    password: str = Field(min_length=1, max_length=MAX_PASSPHRASE_CHARS)


class AccessTokenRead(Schema):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
