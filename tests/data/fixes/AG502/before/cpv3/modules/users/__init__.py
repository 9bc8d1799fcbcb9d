from cpv3.modules.users.errors import USER_NOT_FOUND

__all__ = ["USER_NOT_FOUND"]
