from __future__ import annotations

from pydantic import BaseModel


class UserCreate(BaseModel):
    email: str


class UserRead(BaseModel):
    id: int

    class Config(BaseModel):  # nested: both rebased
        frozen: bool = True


class UserUpdate(BaseModel):
    email: str | None = None
