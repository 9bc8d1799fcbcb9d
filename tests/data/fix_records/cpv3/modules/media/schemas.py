from __future__ import annotations

from pydantic import BaseModel


class MediaRead(BaseModel):
    id: int
