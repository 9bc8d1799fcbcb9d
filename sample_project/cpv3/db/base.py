from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Boolean, ColumnElement, DateTime, MetaData, Uuid, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware "now", used for Python-side timestamp defaults."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base; Alembic autogenerate reads `Base.metadata`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class BaseModelMixin:
    """Primary key, audit timestamps and the soft-delete flag shared by every table."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=utcnow,
        onupdate=utcnow,
        server_default=func.now(),
        nullable=False,
    )
    is_deleted: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True, nullable=False
    )


def not_deleted(model: type[BaseModelMixin]) -> ColumnElement[bool]:
    """The WHERE clause every repository query adds to hide soft-deleted rows."""
    return model.is_deleted.is_(False)
