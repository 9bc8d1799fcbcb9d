from __future__ import annotations

USER_NOT_FOUND = "User not found"  # the catalogue
__all__ = ["USER_NOT_FOUND"]
