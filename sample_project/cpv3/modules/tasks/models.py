from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base, BaseModelMixin


class TaskRun(Base, BaseModelMixin):
    """One enqueued Dramatiq message, kept for the admin task monitor."""

    __tablename__ = "task_runs"

    message_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    actor_name: Mapped[str] = mapped_column(String(100), index=True)
    queue_name: Mapped[str] = mapped_column(String(50))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="enqueued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
