"""Users: several AG501 findings in one file, with AG802 and AG801 beside them."""

import logging
from typing import TYPE_CHECKING

from fastapi import HTTPException

if TYPE_CHECKING:
    from cpv3.modules.users.schemas import UserRead


ERROR_USER_NOT_FOUND = "User not found"
LIMIT = 10

logger = logging.getLogger(__name__)


def find(user_id: int):
    if user_id < 0:
        raise HTTPException(status_code=404, detail="User not found")  # reuses the constant
    if user_id > LIMIT:
        raise HTTPException(status_code=400, detail="Too many users requested")
    raise HTTPException(400, "Too many users requested")  # the same new constant


class UserService:
    def read(self, user: "UserRead"):
        if not user:
            raise ValueError(
                "The user record is incomplete; "
                "fill in the email first"
            )  # a message over lines, indented
        if user.email.endswith(".test"):
            raise ValueError(f"Invalid email {user.email!r:>10}: test domain")
        logger.info("read")

    async def remove(self, user_id: int):
        raise HTTPException(status_code=409, detail=f"User {user_id} still owns media")
