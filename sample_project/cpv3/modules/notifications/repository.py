from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import not_deleted
from cpv3.modules.notifications.models import Notification


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, notification: Notification) -> Notification:
        self._session.add(notification)
        await self._session.flush()
        return notification

    async def list_for_user(
        self, user_id: uuid.UUID, unread_only: bool, limit: int, offset: int
    ) -> Sequence[Notification]:
        stmt = select(Notification).where(
            Notification.user_id == user_id, not_deleted(Notification)
        )
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        stmt = stmt.order_by(Notification.created_at.desc()).limit(limit).offset(offset)
        result = await self._session.scalars(stmt)
        return result.all()

    async def mark_read(
        self, user_id: uuid.UUID, notification_ids: Sequence[uuid.UUID], read_at: datetime
    ) -> int:
        """Mark the given notifications (all unread ones when empty) as read."""
        stmt = update(Notification).where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            not_deleted(Notification),
        )
        if notification_ids:
            stmt = stmt.where(Notification.id.in_(notification_ids))
        result = await self._session.scalars(
            stmt.values(read_at=read_at).returning(Notification.id)
        )
        return len(result.all())
