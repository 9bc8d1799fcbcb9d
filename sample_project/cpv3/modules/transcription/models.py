from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpv3.db.base import Base, BaseModelMixin


class Transcription(Base, BaseModelMixin):
    """Speech-to-text result of one media item, produced by a background job."""

    __tablename__ = "transcriptions"

    media_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("media.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    segments: Mapped[list[TranscriptSegment]] = relationship(
        back_populates="transcription", order_by="TranscriptSegment.position"
    )


class TranscriptSegment(Base, BaseModelMixin):
    """One timed line of a transcription; users may correct its text."""

    __tablename__ = "transcript_segments"

    transcription_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("transcriptions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(50), nullable=True)

    transcription: Mapped[Transcription] = relationship(back_populates="segments")
