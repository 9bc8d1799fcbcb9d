from __future__ import annotations

from pydantic import Field
from cpv3.common.schemas import Schema


class MediaRead(Schema):  # a comment on the class line stays
    id: int = Field(gt=0)
