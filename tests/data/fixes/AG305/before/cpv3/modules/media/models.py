from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cpv3.db.base import Base, BaseModelMixin


class Media(Base, BaseModelMixin):
    __tablename__ = "media"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id"), index=True  # the type goes first
    )
    title: Mapped[str] = mapped_column("title_text")
    size: Mapped[int | None] = mapped_column()
    price: Mapped[Decimal] = mapped_column(nullable=False)
    created: Mapped["datetime"] = mapped_column()
    tags: Mapped[list[str]] = mapped_column()
    kind: Mapped[MediaKind] = mapped_column()  # unknown type: not fixed
