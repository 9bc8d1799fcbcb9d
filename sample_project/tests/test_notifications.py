from __future__ import annotations

import uuid
from unittest.mock import AsyncMock, MagicMock

from sqlalchemy.ext.asyncio import AsyncSession

from cpv3.modules.notifications.schemas import NotificationCreate, NotificationUpdate
from cpv3.modules.notifications.service import NotificationService, user_channel
from cpv3.modules.users.schemas import UserCreate
from cpv3.modules.users.service import UserService

VALID_PASSPHRASE = "correct horse battery staple"


async def test_notify_persists_and_publishes(db_session: AsyncSession) -> None:
    user = await UserService(db_session).register(
        UserCreate(email="notify@example.com", password=VALID_PASSPHRASE, full_name="Nia")
    )
    redis = AsyncMock()
    service = NotificationService(db_session, redis=redis)

    created = await service.notify(
        NotificationCreate(user_id=user.id, kind="system.announcement", title="Hello")
    )

    listed = await service.list_notifications(user.id, unread_only=True, limit=10, offset=0)
    assert [item.id for item in listed] == [created.id]
    redis.publish.assert_awaited_once()
    assert redis.publish.await_args.args[0] == user_channel(user.id)


async def test_mark_read_counts_updated_rows() -> None:
    session = AsyncMock(spec=AsyncSession)  # expect: AG805
    session.scalars.return_value = MagicMock(all=MagicMock(return_value=[1, 2, 3]))
    service = NotificationService(session, redis=AsyncMock())

    updated = await service.mark_read(uuid.uuid4(), NotificationUpdate())

    assert updated == 3
