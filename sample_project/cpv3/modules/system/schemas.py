from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import Field, model_validator

from cpv3.common.schemas import Schema

ComponentState = Literal["ok", "degraded", "down"]

ERROR_WINDOW_ENDS_BEFORE_START = "ends_at must be later than starts_at"


class MaintenanceWindowCreate(Schema):
    title: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=5000)
    starts_at: datetime
    ends_at: datetime
    blocks_uploads: bool = False

    @model_validator(mode="after")
    def check_interval(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError(ERROR_WINDOW_ENDS_BEFORE_START)
        return self


class MaintenanceWindowRead(Schema):
    id: uuid.UUID
    title: str
    message: str
    starts_at: datetime
    ends_at: datetime
    blocks_uploads: bool


class ComponentHealthRead(Schema):
    name: str
    state: ComponentState
    latency_ms: float | None = None


class HealthRead(Schema):
    status: ComponentState
    version: str
    components: list[ComponentHealthRead] = Field(default_factory=list)
