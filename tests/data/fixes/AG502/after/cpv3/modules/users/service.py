from __future__ import annotations

from fastapi import HTTPException

from cpv3.modules.users import ERROR_USER_NOT_FOUND

ERROR_NO_EMAIL = "No email"


def get(user_id: int) -> None:
    if user_id < 0:
        raise HTTPException(status_code=404, detail=ERROR_USER_NOT_FOUND)
    raise HTTPException(status_code=400, detail=ERROR_NO_EMAIL)
