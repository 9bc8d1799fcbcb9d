from cpv3.modules.users.errors import ERROR_USER_NOT_FOUND

__all__ = ["ERROR_USER_NOT_FOUND"]
