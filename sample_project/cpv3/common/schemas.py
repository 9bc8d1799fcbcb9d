from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Base class of every request and response DTO in cpv3.

    `from_attributes=True` lets services return ORM instances through `Model.model_validate`.
    """

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
