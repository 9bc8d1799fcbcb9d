from __future__ import annotations

from cpv3.modules.users.errors import ERROR_USER_NOT_FOUND as MISSING


def describe() -> str:
    return MISSING
