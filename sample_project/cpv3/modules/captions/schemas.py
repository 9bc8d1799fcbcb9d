from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

CaptionPosition = Literal["top", "center", "bottom"]
CaptionRenderStatus = Literal["queued", "rendering", "completed", "failed", "cancelled"]
HEX_COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$"


class CaptionStyleCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    font_family: str = Field(min_length=1, max_length=100)
    font_size: int = Field(default=48, ge=12, le=200)
    font_weight: int = Field(default=700, ge=100, le=900)
    text_color: str = Field(default="#FFFFFF", pattern=HEX_COLOR_PATTERN)
    highlight_color: str = Field(default="#FFD400", pattern=HEX_COLOR_PATTERN)
    background_color: str | None = Field(default=None, pattern=HEX_COLOR_PATTERN)
    position: CaptionPosition = "bottom"
    max_words_per_line: int = Field(default=6, ge=1, le=20)
    uppercase: bool = False


class CaptionStyleUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    font_family: str | None = Field(default=None, min_length=1, max_length=100)
    font_size: int | None = Field(default=None, ge=12, le=200)
    font_weight: int | None = Field(default=None, ge=100, le=900)
    text_color: str | None = Field(default=None, pattern=HEX_COLOR_PATTERN)
    highlight_color: str | None = Field(default=None, pattern=HEX_COLOR_PATTERN)
    background_color: str | None = Field(default=None, pattern=HEX_COLOR_PATTERN)
    position: CaptionPosition | None = None
    max_words_per_line: int | None = Field(default=None, ge=1, le=20)
    uppercase: bool | None = None


class CaptionStyleRead(Schema):
    id: uuid.UUID
    owner_id: uuid.UUID | None
    name: str
    font_family: str
    font_size: int
    font_weight: int
    text_color: str
    highlight_color: str
    background_color: str | None
    position: CaptionPosition
    max_words_per_line: int
    uppercase: bool


class CaptionRenderCreate(Schema):
    transcription_id: uuid.UUID
    style_id: uuid.UUID


class CaptionRenderRead(Schema):
    id: uuid.UUID
    media_id: uuid.UUID
    transcription_id: uuid.UUID
    style_id: uuid.UUID
    style_name: str | None = None
    job_id: uuid.UUID
    status: CaptionRenderStatus
    output_file_id: uuid.UUID | None
    created_at: datetime
