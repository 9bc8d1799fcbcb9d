from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.media.models import Media


class MediaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_owner(self, media_id: uuid.UUID, owner_id: uuid.UUID) -> Media | None:
        stmt = select(Media).where(
            Media.id == media_id, Media.owner_id == owner_id, not_deleted(Media)
        )
        return await self._session.scalar(stmt)

    async def list_for_project(
        self, project_id: uuid.UUID, owner_id: uuid.UUID, limit: int, offset: int
    ) -> Sequence[Media]:
        stmt = (
            select(Media)
            .where(Media.project_id == project_id, Media.owner_id == owner_id, not_deleted(Media))
            .order_by(Media.created_at.desc())
            .limit(limit)
            .offset(offset)
        )
        result = await self._session.scalars(stmt)
        return result.all()

    async def create(self, media: Media) -> Media:
        self._session.add(media)
        await self._session.flush()
        return media

    async def update(self, media: Media, values: dict[str, object]) -> Media:
        for field, value in values.items():
            setattr(media, field, value)
        await self._session.flush()
        return media

    async def soft_delete(self, media: Media) -> None:
        media.is_deleted = True
        await self._session.flush()
