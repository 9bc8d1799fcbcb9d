from __future__ import annotations

from fastapi import HTTPException

from .schemas import MediaRead  # relative: AG201

_NOT_FOUND = "Media not found"  # AG502: renamed to ERROR_NOT_FOUND


def get(media_id: int) -> MediaRead:
    if media_id < 0:
        raise ValueError(("Negative media id"))  # its own parentheses: libcst decides
    if media_id == 0:
        raise HTTPException(status_code=404, detail=_NOT_FOUND)
    raise HTTPException(status_code=400, detail="Bad media id")  # ERROR_BAD_MEDIA_ID
