from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base, BaseModelMixin


class MaintenanceWindow(Base, BaseModelMixin):
    """Planned downtime announced to editors in a banner before it starts."""

    __tablename__ = "maintenance_windows"

    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocks_uploads: Mapped[bool] = mapped_column(Boolean, default=False)
