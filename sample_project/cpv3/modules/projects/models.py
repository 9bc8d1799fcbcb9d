from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base, BaseModelMixin


class Project(Base, BaseModelMixin):
    """A video project: the media, transcriptions and caption renders of one edit."""

    __tablename__ = "projects"

    owner_id: Mapped[uuid.UUID] = mapped_column(  # expect: AG305
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    orientation: Mapped[str] = mapped_column(String(20), default="landscape")
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
