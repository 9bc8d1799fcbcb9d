from __future__ import annotations

try:
    import orjson
except ImportError:
    raise RuntimeError("orjson is required")  # above where constants go: not fixed

from fastapi import HTTPException

ERROR_USER_NOT_FOUND = "User not found"
MAX_USERS = 10
ERROR_NEGATIVE_LIMIT = "Negative limit"
ERROR_TOO_MANY_USERS_REQUESTED = "Too many users requested"
ERROR_INVALID_EMAIL_MISSING_2 = "Invalid email {!r}: missing @"

if MAX_USERS < 0:
    raise ValueError(ERROR_NEGATIVE_LIMIT)  # module level, below the constants: fixed


class UserService:
    def get(self, user_id: int) -> None:
        if user_id < 0:
            raise HTTPException(status_code=404, detail=ERROR_USER_NOT_FOUND)  # reuses it
        if user_id > MAX_USERS:
            raise HTTPException(status_code=400, detail=ERROR_TOO_MANY_USERS_REQUESTED)
        raise HTTPException(400, ERROR_TOO_MANY_USERS_REQUESTED)  # the same constant

    def check(self, email: str) -> None:
        if "@" not in email:
            raise ValueError(ERROR_INVALID_EMAIL_MISSING_2.format(email))  # f-string: unsafe
        if email.endswith(".test"):
            raise ValueError("Invalid email " + email)  # concatenation: no fix
        print(orjson)


def invalid_email_error() -> str:
    ERROR_INVALID_EMAIL_MISSING = 1  # a name in use anywhere is never reused
    return str(ERROR_INVALID_EMAIL_MISSING)
