from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

NotificationKind = Literal["job.updated", "render.completed", "system.announcement"]


class NotificationCreate(Schema):
    user_id: uuid.UUID
    kind: NotificationKind
    title: str = Field(min_length=1, max_length=200)
    body: str | None = None
    payload: dict[str, object] = Field(default_factory=dict)


class NotificationRead(Schema):
    id: uuid.UUID
    kind: NotificationKind
    title: str
    body: str | None
    payload: dict[str, object]
    created_at: datetime
    read_at: datetime | None


class NotificationUpdate(Schema):
    """Bulk "mark as read" request; an empty list marks every notification."""

    notification_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class NotificationEventRead(Schema):
    """The JSON frame pushed to the browser over the notifications WebSocket."""

    event: NotificationKind
    notification: NotificationRead
