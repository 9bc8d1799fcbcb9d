from __future__ import annotations

from fastapi import HTTPException

from cpv3.modules.users import USER_NOT_FOUND


def first() -> None:
    raise HTTPException(404, USER_NOT_FOUND)  # two findings, one constant


def second() -> None:
    raise HTTPException(404, detail=USER_NOT_FOUND)
