from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from cpv3.common.schemas import Schema

InvoiceStatus = Literal["open", "paid", "void"]


class InvoiceCreate(Schema):
    owner_id: uuid.UUID
    amount_cents: int = Field(ge=0)
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    period_start: datetime
    period_end: datetime


class InvoiceUpdate(Schema):
    status: InvoiceStatus


class InvoiceRead(Schema):
    id: uuid.UUID
    number: str
    amount_cents: int
    currency: str
    status: InvoiceStatus
    period_start: datetime
    period_end: datetime
    paid_at: datetime | None
