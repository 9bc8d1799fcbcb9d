from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

JobKind = Literal["transcription", "caption_render", "storage_purge"]
JobStatus = Literal["queued", "running", "completed", "failed", "cancelled"]


class JobCreate(Schema):
    user_id: uuid.UUID
    kind: JobKind


class JobUpdate(Schema):
    """Progress report sent by workers."""

    progress: int = Field(ge=0, le=100)


class JobRead(Schema):
    id: uuid.UUID
    user_id: uuid.UUID
    kind: JobKind
    status: JobStatus
    progress: int
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobResultRead(Schema):
    id: uuid.UUID
    status: JobStatus
    result: dict[str, object] | None
