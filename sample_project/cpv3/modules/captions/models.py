from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base, BaseModelMixin


class CaptionStyle(Base, BaseModelMixin):
    """Look of burned-in captions. Rows without an owner are the built-in presets."""

    __tablename__ = "caption_styles"

    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    font_family: Mapped[str] = mapped_column(String(100))
    font_size: Mapped[int] = mapped_column(Integer, default=48)
    font_weight: Mapped[int] = mapped_column(Integer, default=700)
    text_color: Mapped[str] = mapped_column(String(9), default="#FFFFFF")
    highlight_color: Mapped[str] = mapped_column(String(9), default="#FFD400")
    background_color: Mapped[str | None] = mapped_column(String(9), nullable=True)
    position: Mapped[str] = mapped_column(String(10), default="bottom")
    max_words_per_line: Mapped[int] = mapped_column(Integer, default=6)
    uppercase: Mapped[bool] = mapped_column(Boolean, default=False)


class CaptionRender(Base, BaseModelMixin):
    """A request to burn captions into a video, rendered by the Remotion service."""

    __tablename__ = "caption_renders"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    media_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("media.id", ondelete="CASCADE"))
    transcription_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("transcriptions.id", ondelete="CASCADE")
    )
    style_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("caption_styles.id"))
    job_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("jobs.id"), index=True)
    remotion_render_id: Mapped[str | None] = mapped_column(
        String(64), unique=True, nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    output_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("stored_files.id", ondelete="SET NULL"), nullable=True
    )
    output_key: Mapped[str | None] = mapped_column(String(1024), nullable=True)
