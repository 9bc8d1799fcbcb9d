from __future__ import annotations

ERROR_USER_NOT_FOUND = "User not found"  # the catalogue
__all__ = ["ERROR_USER_NOT_FOUND"]
