from __future__ import annotations

from cpv3.modules.users.schemas import UserRead
from cpv3.modules.users.service import UserService

__all__ = ["UserRead", "UserService"]
