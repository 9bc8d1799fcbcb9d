from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

TranscriptionStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
SubtitleFormat = Literal["srt", "vtt"]
TranscriptionLanguage = Literal["en", "de", "fr", "es", "it", "pt", "nl", "pl", "uk"]


class TranscriptionCreate(Schema):
    media_id: uuid.UUID
    language: TranscriptionLanguage = "en"


class TranscriptionRead(Schema):
    id: uuid.UUID
    media_id: uuid.UUID
    job_id: uuid.UUID | None
    language: TranscriptionLanguage
    status: TranscriptionStatus
    word_count: int
    created_at: datetime
    completed_at: datetime | None


class TranscriptSegmentRead(Schema):
    id: uuid.UUID
    position: int
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None


class TranscriptSegmentCreate(Schema):
    """A timed line as the transcription worker reports it in the job result."""

    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)
    text: str


class TranscriptSegmentUpdate(Schema):
    text: str = Field(min_length=1, max_length=2000)
    speaker: str | None = Field(default=None, max_length=50)


class TranscriptionDetailRead(TranscriptionRead):
    segments: list[TranscriptSegmentRead]


class SubtitleExport(Schema):  # expect: AG302
    transcription_id: uuid.UUID
    format: SubtitleFormat
    file_name: str
    content: str


class TranscriptionPageRead(Schema):
    items: list[TranscriptionRead]
    total: int
