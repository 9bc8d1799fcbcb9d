from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

ProjectStatus = Literal["active", "archived"]
ProjectOrientation = Literal["landscape", "portrait", "square"]


class ProjectCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    orientation: ProjectOrientation = "landscape"
    default_language: str = Field(default="en", min_length=2, max_length=8)


class ProjectUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    orientation: ProjectOrientation | None = None
    default_language: str | None = Field(default=None, min_length=2, max_length=8)


class ProjectRead(Schema):
    id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    description: str | None
    status: ProjectStatus
    orientation: ProjectOrientation
    default_language: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
