from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cpv3.common.schemas import Schema

RemotionEventType = Literal["render.progress", "render.completed", "render.failed"]


class RemotionEventCreate(BaseModel):  # expect: AG301
    """Body of the Remotion service's webhook call (camelCase on the wire)."""

    model_config = ConfigDict(populate_by_name=True)

    event_id: str = Field(alias="eventId", max_length=128)
    event_type: RemotionEventType = Field(alias="type")
    render_id: str = Field(alias="renderId", max_length=64)
    progress: int | None = Field(default=None, ge=0, le=100)
    output_bucket: str | None = Field(default=None, alias="outputBucket")
    output_key: str | None = Field(default=None, alias="outputKey")
    size_bytes: int | None = Field(default=None, alias="sizeBytes", ge=0)
    error_message: str | None = Field(default=None, alias="errorMessage", max_length=2000)


class WebhookAckRead(Schema):
    event_id: str
    duplicate: bool


class WebhookEventRead(Schema):
    id: uuid.UUID
    provider: str
    event_id: str
    event_type: str
    received_at: datetime
    processed_at: datetime | None
