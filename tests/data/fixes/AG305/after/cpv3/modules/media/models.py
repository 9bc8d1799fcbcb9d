from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, DateTime, Integer, JSON, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base, BaseModelMixin


class Media(Base, BaseModelMixin):
    __tablename__ = "media"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id"), index=True  # the type goes first
    )
    title: Mapped[str] = mapped_column("title_text", String)
    size: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Numeric, nullable=False)
    created: Mapped["datetime"] = mapped_column(DateTime)
    tags: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[MediaKind] = mapped_column()  # unknown type: not fixed
