from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from functools import lru_cache

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.db.base import utcnow
from cpv3.infrastructure.settings import get_settings
from cpv3.modules.jobs.schemas import JobRead
from cpv3.modules.notifications.models import Notification
from cpv3.modules.notifications.repository import NotificationRepository
from cpv3.modules.notifications.schemas import (
    NotificationCreate,
    NotificationEventRead,
    NotificationRead,
    NotificationUpdate,
)

MAX_BROADCAST_RECIPIENTS = 500  # archguard: ignore[AG702]  # expect: AG001
JOB_TITLES = {
    "queued": "Job queued",
    "running": "Job started",
    "completed": "Job finished",
    "failed": "Job failed",
    "cancelled": "Job cancelled",
}


@lru_cache
def get_redis() -> Redis:
    """Process-wide Redis client for pub/sub (the broker has its own connection pool)."""
    return Redis.from_url(get_settings().redis_url, decode_responses=True)


def user_channel(user_id: uuid.UUID) -> str:
    return f"{get_settings().notifications_channel_prefix}.{user_id}"


async def subscribe_user_events(user_id: uuid.UUID) -> AsyncIterator[str]:
    """Yield the JSON frames published for one user until the subscriber goes away."""
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(user_channel(user_id))
    try:
        async for message in pubsub.listen():
            yield message["data"]
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()


class NotificationService:
    def __init__(self, session: AsyncSession, redis: Redis | None = None) -> None:
        self._notifications = NotificationRepository(session)
        self._redis = redis or get_redis()

    async def notify(self, payload: NotificationCreate) -> NotificationRead:
        """Persist a notification, then push it to the user's live channel."""
        notification = await self._notifications.create(Notification(**payload.model_dump()))
        read = NotificationRead.model_validate(notification)
        event = NotificationEventRead(event=payload.kind, notification=read)
        await self._redis.publish(user_channel(payload.user_id), event.model_dump_json())
        return read

    async def publish_job_update(self, user_id: uuid.UUID, job: JobRead) -> NotificationRead:
        return await self.notify(
            NotificationCreate(
                user_id=user_id,
                kind="job.updated",
                title=JOB_TITLES.get(job.status, job.status),
                body=job.error_message,
                payload=job.model_dump(mode="json", include={"id", "kind", "status", "progress"}),
            )
        )

    async def list_notifications(
        self, user_id: uuid.UUID, unread_only: bool, limit: int, offset: int
    ) -> Sequence[NotificationRead]:
        items = await self._notifications.list_for_user(user_id, unread_only, limit, offset)
        return [NotificationRead.model_validate(item) for item in items]

    async def mark_read(self, user_id: uuid.UUID, payload: NotificationUpdate) -> int:
        return await self._notifications.mark_read(user_id, payload.notification_ids, utcnow())
