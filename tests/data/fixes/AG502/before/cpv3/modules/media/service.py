from __future__ import annotations

from cpv3.modules.users.errors import USER_NOT_FOUND as MISSING


def describe() -> str:
    return MISSING
