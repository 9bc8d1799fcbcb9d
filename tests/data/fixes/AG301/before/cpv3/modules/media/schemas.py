from __future__ import annotations

from pydantic import BaseModel, Field


class MediaRead(BaseModel):  # a comment on the class line stays
    id: int = Field(gt=0)
