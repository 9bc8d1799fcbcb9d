from __future__ import annotations

from fastapi import HTTPException

from cpv3.modules.users import USER_NOT_FOUND

_NO_EMAIL = "No email"


def get(user_id: int) -> None:
    if user_id < 0:
        raise HTTPException(status_code=404, detail=USER_NOT_FOUND)
    raise HTTPException(status_code=400, detail=_NO_EMAIL)
