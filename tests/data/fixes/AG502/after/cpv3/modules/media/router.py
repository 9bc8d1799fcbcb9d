from __future__ import annotations

from fastapi import HTTPException

from cpv3.modules.users import ERROR_USER_NOT_FOUND


def first() -> None:
    raise HTTPException(404, ERROR_USER_NOT_FOUND)  # two findings, one constant


def second() -> None:
    raise HTTPException(404, detail=ERROR_USER_NOT_FOUND)
