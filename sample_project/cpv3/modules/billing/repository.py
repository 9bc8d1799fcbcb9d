from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import BaseModelMixin, not_deleted
from cpv3.modules.billing.models import Invoice

ModelT = TypeVar("ModelT", bound=BaseModelMixin)


class BaseRepository(Generic[ModelT]):  # expect: AG804
    """Shared CRUD so each new billing table needs no repository code of its own."""

    def __init__(self, session: AsyncSession, model: type[ModelT]) -> None:
        self._session = session
        self._model = model

    async def get(self, entity_id: uuid.UUID) -> ModelT | None:
        stmt = select(self._model).where(
            self._model.id == entity_id, self._model.is_deleted.is_(False)
        )
        return await self._session.scalar(stmt)

    async def add(self, entity: ModelT) -> ModelT:
        self._session.add(entity)
        await self._session.flush()
        return entity


class InvoiceRepository(BaseRepository[Invoice]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, Invoice)

    async def list_for_owner(
        self, owner_id: uuid.UUID, limit: int, offset: int
    ) -> Sequence[Invoice]:
        stmt = (
            select(Invoice)
            .where(Invoice.owner_id == owner_id, not_deleted(Invoice))
            .order_by(Invoice.period_start.desc())
            .limit(limit)
            .offset(offset)
        )
        result = await self._session.scalars(stmt)
        return result.all()

    async def count_all(self) -> int:
        stmt = select(func.count()).select_from(Invoice).where(not_deleted(Invoice))
        return await self._session.scalar(stmt) or 0

    async def update(self, invoice: Invoice, values: dict[str, object]) -> Invoice:
        for field, value in values.items():
            setattr(invoice, field, value)
        await self._session.flush()
        return invoice
