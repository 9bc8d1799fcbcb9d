"""DTOs of the files module."""  # expect: AG801

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

FilePurpose = Literal["font", "logo", "subtitle_export", "render_output"]


class StoredFileCreate(Schema):
    """An object already in S3 that another module registers (e.g. a finished render)."""

    owner_id: uuid.UUID
    project_id: uuid.UUID | None = None
    purpose: FilePurpose
    bucket: str = Field(max_length=63)
    storage_key: str = Field(max_length=1024)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size_bytes: int = Field(ge=0)


class StoredFileUpdate(Schema):
    original_name: str | None = Field(default=None, min_length=1, max_length=255)
    project_id: uuid.UUID | None = None


class StoredFileRead(Schema):
    id: uuid.UUID
    project_id: uuid.UUID | None
    purpose: FilePurpose
    original_name: str
    content_type: str
    size_bytes: int
    checksum_sha256: str | None
    created_at: datetime


class StoredFileDownloadRead(Schema):
    file_id: uuid.UUID
    download_url: str
    expires_in: int
