"""AG501 inline-error-message and AG502 error-constant-name."""

from __future__ import annotations

from helpers import dedent, findings

PATH = "cpv3/modules/users/service.py"


def check(source: str, codes: list[str] | None = None) -> list[tuple[str, str, int]]:
    return findings({PATH: dedent(source)}, codes or ["AG501", "AG502"])


def test_inline_strings_in_every_form() -> None:
    assert check("""
        import fastapi
        from fastapi import HTTPException as HE, status
        from starlette.exceptions import HTTPException as StarletteError


        def f(user_id: int) -> None:
            raise HE(status_code=404, detail="User not found")


        def g(user_id: int) -> None:
            raise fastapi.HTTPException(404, f"User {user_id} not found")


        def h() -> None:
            raise StarletteError(status.HTTP_400_BAD_REQUEST,
                                 "bad " + "request")


        def i() -> None:
            raise ValueError("invalid state: {}".format(1))


        def j() -> None:
            error = HE(status_code=409, detail="conflict")
            raise error


        def k() -> None:
            raise RuntimeError(message="boom")
    """) == [
        ("AG501", PATH, 7), ("AG501", PATH, 11), ("AG501", PATH, 16), ("AG501", PATH, 20),
        ("AG501", PATH, 24), ("AG501", PATH, 29),
    ]


def test_constants_and_other_messages_are_fine() -> None:
    assert check("""
        from fastapi import HTTPException

        from cpv3.common.errors import ERROR_FORBIDDEN

        ERROR_USER_NOT_FOUND = "User {user_id} not found"


        def f(user_id: int, reason: str) -> None:
            if user_id:
                raise HTTPException(status_code=404, detail=ERROR_USER_NOT_FOUND)
            if reason:
                raise HTTPException(403, ERROR_FORBIDDEN)
            if not reason:
                raise ValueError(reason)
            raise HTTPException(
                status_code=404, detail=ERROR_USER_NOT_FOUND.format(user_id=user_id))


        def g() -> None:
            raise NotImplementedError
            raise KeyError(404)
            HTTPException(status_code=500)
    """) == []


def test_constant_without_error_prefix() -> None:
    assert check("""
        from fastapi import HTTPException

        from cpv3.common.messages import FORBIDDEN_MESSAGE

        USER_NOT_FOUND = "User not found"
        ERROR_CONFLICT = "Conflict"


        def f(flag: int) -> None:
            if flag == 1:
                raise HTTPException(status_code=404, detail=USER_NOT_FOUND)
            if flag == 2:
                raise PermissionError(FORBIDDEN_MESSAGE)
            if flag == 3:
                raise HTTPException(409, USER_NOT_FOUND.format())
            raise HTTPException(409, ERROR_CONFLICT)
    """) == [("AG502", PATH, 11), ("AG502", PATH, 13), ("AG502", PATH, 15)]


def test_local_variables_and_lowercase_imports_are_not_constants() -> None:
    assert check("""
        from fastapi import HTTPException

        from cpv3.common.messages import forbidden


        def f(flag: int) -> None:
            message = "x"
            if flag:
                raise HTTPException(status_code=404, detail=message)
            raise PermissionError(forbidden)
    """) == []


def test_an_f_string_of_fields_only_writes_no_message() -> None:
    """letta's `raise ValueError(f"{READ_ONLY_BLOCK_EDIT_ERROR}")`: the constant's text, so
    no AG501, and AG502 judges the constant's name through it; `f"{error}"` is no message
    of its own either. An f-string with words around a field is still inline."""
    assert check("""
        from cpv3.modules.users.errors import READ_ONLY_BLOCK_EDIT_ERROR

        ERROR_MISSING = "missing"


        def f() -> None:
            raise ValueError(f"{READ_ONLY_BLOCK_EDIT_ERROR}")


        def g(error: Exception) -> None:
            raise ValueError(f"{error}") from error


        def h() -> None:
            raise ValueError(f"{ERROR_MISSING}")


        def i(name: str) -> None:
            raise ValueError(f"{name} is read-only")


        def j() -> None:
            raise ValueError(f"{READ_ONLY_BLOCK_EDIT_ERROR!r}")


        def k() -> None:
            raise ValueError(f"{'Item not found'}")
    """) == [("AG502", PATH, 7), ("AG501", PATH, 19), ("AG501", PATH, 27)]
