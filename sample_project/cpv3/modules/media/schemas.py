from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

MediaStatus = Literal["pending_upload", "ready", "failed"]
MAX_MEDIA_BYTES = 4 * 1024**3


class MediaKind(str, Enum):  # expect: AG303
    VIDEO = "video"
    AUDIO = "audio"


class MediaUploadCreate(Schema):
    project_id: uuid.UUID
    title: str = Field(min_length=1, max_length=255)
    file_name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(max_length=127)
    size_bytes: int = Field(gt=0, le=MAX_MEDIA_BYTES)


class MediaUpdate(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=255)
    duration_ms: int | None = Field(default=None, ge=0)


class MediaRead(Schema):
    id: uuid.UUID
    project_id: uuid.UUID
    kind: Literal["video", "audio"]
    title: str
    bucket: str
    storage_key: str
    content_type: str
    size_bytes: int | None
    duration_ms: int | None
    status: MediaStatus
    created_at: datetime


class MediaUploadRead(Schema):
    """The created media row plus where the browser must PUT the file."""

    media: MediaRead
    upload_url: str
    expires_in: int


class MediaDownloadRead(Schema):
    media_id: uuid.UUID
    download_url: str
    expires_in: int
