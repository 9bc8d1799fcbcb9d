from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text

from cpv3.db.base import not_deleted
from cpv3.modules.system.models import MaintenanceWindow


class MaintenanceWindowRepository:
    def __init__(self, session) -> None:  # expect: AG401, AG802
        self._session = session

    async def ping(self) -> None:
        """Round trip to the database, used by the readiness probe."""
        await self._session.execute(text("SELECT 1"))

    async def list_upcoming(
        self, now: datetime, limit: int, offset: int
    ) -> Sequence[MaintenanceWindow]:
        stmt = (
            select(MaintenanceWindow)
            .where(MaintenanceWindow.ends_at > now, not_deleted(MaintenanceWindow))
            .order_by(MaintenanceWindow.starts_at)
            .limit(limit)
            .offset(offset)
        )
        result = await self._session.scalars(stmt)
        return result.all()

    async def get_current(self, now: datetime) -> MaintenanceWindow | None:
        stmt = (
            select(MaintenanceWindow)
            .where(
                MaintenanceWindow.starts_at <= now,
                MaintenanceWindow.ends_at > now,
                not_deleted(MaintenanceWindow),
            )
            .order_by(MaintenanceWindow.starts_at.desc())
            .limit(1)
        )
        return await self._session.scalar(stmt)

    async def create(self, window: MaintenanceWindow) -> MaintenanceWindow:
        self._session.add(window)
        await self._session.flush()
        return window
