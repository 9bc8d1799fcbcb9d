from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

TaskRunStatus = Literal["enqueued", "running", "succeeded", "failed"]


class TaskRunCreate(Schema):
    message_id: str = Field(max_length=64)
    actor_name: str = Field(max_length=100)
    queue_name: str = Field(max_length=50)
    job_id: uuid.UUID | None = None


class TaskRunRead(Schema):
    id: uuid.UUID
    message_id: str
    actor_name: str
    queue_name: str
    job_id: uuid.UUID | None
    status: TaskRunStatus
    attempts: int
    created_at: datetime
    finished_at: datetime | None
