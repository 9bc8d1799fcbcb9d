from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from cpv3 import __version__
from cpv3.db.base import utcnow
from cpv3.modules.notifications.service import get_redis
from cpv3.modules.system.models import MaintenanceWindow
from cpv3.modules.system.repository import MaintenanceWindowRepository
from cpv3.modules.system.schemas import (
    ComponentHealthRead,
    ComponentState,
    HealthRead,
    MaintenanceWindowCreate,
    MaintenanceWindowRead,
)

MS_PER_SECOND = 1000
STATE_OK: ComponentState = "ok"
STATE_DEGRADED: ComponentState = "degraded"
STATE_DOWN: ComponentState = "down"


async def _timed_probe(name: str, probe: Callable[[], Awaitable[object]]) -> ComponentHealthRead:
    started = time.perf_counter()
    try:
        await probe()
    except Exception:  # a failing dependency is reported, never raised, by the health check
        return ComponentHealthRead(name=name, state=STATE_DOWN)
    latency_ms = (time.perf_counter() - started) * MS_PER_SECOND
    return ComponentHealthRead(name=name, state=STATE_OK, latency_ms=round(latency_ms, 2))


class SystemService:
    def __init__(self, session: AsyncSession) -> None:
        self._windows = MaintenanceWindowRepository(session)

    def liveness(self) -> HealthRead:
        return HealthRead(status=STATE_OK, version=__version__)

    async def readiness(self) -> HealthRead:
        """Database and Redis probes; Redis down only degrades (uploads still work)."""
        database = await _timed_probe("database", self._windows.ping)
        redis = await _timed_probe("redis", get_redis().ping)
        if database.state == STATE_DOWN:
            overall = STATE_DOWN
        elif redis.state == STATE_DOWN:
            overall = STATE_DEGRADED
        else:
            overall = STATE_OK
        return HealthRead(status=overall, version=__version__, components=[database, redis])

    async def current_maintenance(self) -> MaintenanceWindowRead | None:
        window = await self._windows.get_current(utcnow())
        return MaintenanceWindowRead.model_validate(window) if window is not None else None

    async def list_upcoming_maintenance(
        self, limit: int, offset: int
    ) -> Sequence[MaintenanceWindowRead]:
        windows = await self._windows.list_upcoming(utcnow(), limit, offset)
        return [MaintenanceWindowRead.model_validate(window) for window in windows]

    async def schedule_maintenance(self, payload: MaintenanceWindowCreate) -> MaintenanceWindowRead:
        window = await self._windows.create(MaintenanceWindow(**payload.model_dump()))
        return MaintenanceWindowRead.model_validate(window)
