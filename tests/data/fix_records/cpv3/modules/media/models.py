from __future__ import annotations

import uuid

from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base


class Media(Base):
    __tablename__ = "media"

    owner_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column("title_text")
    size: Mapped[int | None] = mapped_column()
