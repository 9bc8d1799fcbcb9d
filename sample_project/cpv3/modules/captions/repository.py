from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.captions.models import CaptionRender, CaptionStyle


class CaptionStyleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_id(self, style_id: uuid.UUID) -> CaptionStyle | None:
        stmt = select(CaptionStyle).where(CaptionStyle.id == style_id, not_deleted(CaptionStyle))
        return await self._session.scalar(stmt)

    async def get_visible(self, style_id: uuid.UUID, owner_id: uuid.UUID) -> CaptionStyle | None:
        """A style the user may apply: one of theirs or a built-in preset."""
        stmt = select(CaptionStyle).where(
            CaptionStyle.id == style_id,
            or_(CaptionStyle.owner_id == owner_id, CaptionStyle.owner_id.is_(None)),
            not_deleted(CaptionStyle),
        )
        return await self._session.scalar(stmt)

    async def list_for_owner(self, owner_id: uuid.UUID) -> Sequence[CaptionStyle]:
        stmt = (
            select(CaptionStyle)
            .where(CaptionStyle.owner_id == owner_id, not_deleted(CaptionStyle))
            .order_by(CaptionStyle.name)
        )
        result = await self._session.scalars(stmt)
        return result.all()

    async def list_presets(  # expect: AG402
        self, limit: int, offset: int
    ) -> Sequence[CaptionStyle]:
        stmt = (
            select(CaptionStyle)
            .where(CaptionStyle.owner_id.is_(None))
            .order_by(CaptionStyle.name)
            .limit(limit)
            .offset(offset)
        )
        result = await self._session.scalars(stmt)
        return result.all()

    async def create(self, style: CaptionStyle) -> CaptionStyle:
        self._session.add(style)
        await self._session.flush()
        return style

    async def update(self, style: CaptionStyle, values: dict[str, object]) -> CaptionStyle:
        for field, value in values.items():
            setattr(style, field, value)
        await self._session.flush()
        return style


class CaptionRenderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_for_owner(
        self, render_id: uuid.UUID, owner_id: uuid.UUID
    ) -> CaptionRender | None:
        stmt = select(CaptionRender).where(
            CaptionRender.id == render_id,
            CaptionRender.owner_id == owner_id,
            not_deleted(CaptionRender),
        )
        return await self._session.scalar(stmt)

    async def get_by_remotion_id(self, remotion_render_id: str) -> CaptionRender | None:
        stmt = select(CaptionRender).where(
            CaptionRender.remotion_render_id == remotion_render_id, not_deleted(CaptionRender)
        )
        return await self._session.scalar(stmt)

    async def list_for_owner(
        self, owner_id: uuid.UUID, limit: int, offset: int
    ) -> Sequence[CaptionRender]:
        stmt = (
            select(CaptionRender)
            .where(CaptionRender.owner_id == owner_id, not_deleted(CaptionRender))
            .order_by(CaptionRender.created_at.desc())
            .limit(limit)
            .offset(offset)
        )
        result = await self._session.scalars(stmt)
        return result.all()

    async def create(self, render: CaptionRender) -> CaptionRender:
        self._session.add(render)
        await self._session.flush()
        return render

    async def update(self, render: CaptionRender, values: dict[str, object]) -> CaptionRender:
        for field, value in values.items():
            setattr(render, field, value)
        await self._session.flush()
        return render
