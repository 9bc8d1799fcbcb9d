"""AG5xx (errors): error messages are named ``ERROR_*`` constants, never inline strings."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from archguard.analysis.astindex import nodes_of, per_file
from archguard.analysis.context import FileContext
from archguard.analysis.facts import is_string_expression
from archguard.analysis.patterns import HTTP_EXCEPTIONS
from archguard.diagnostics import SAFE, UNSAFE, Diagnostic
from archguard.rules.registry import FileRule, Fixer, register

ERROR_PREFIX = "ERROR_"
MESSAGE_KEYWORDS = ("detail", "message", "msg")


def error_messages(ctx: FileContext) -> Iterator[ast.expr]:
    """The message argument of every HTTPException call and every raised exception call."""
    yield from per_file(("error_messages", id(ctx.tree)), lambda: list(_error_messages(ctx)))


def _error_messages(ctx: FileContext) -> Iterator[ast.expr]:
    seen: set[int] = set()
    for node in nodes_of(ctx.tree, ast.Call, ast.Raise):
        call: ast.Call | None = None
        is_http = False
        if isinstance(node, ast.Call) and ctx.qualname(node.func) in HTTP_EXCEPTIONS:
            call, is_http = node, True
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            is_http = ctx.qualname(call.func) in HTTP_EXCEPTIONS
        if call is None or id(call) in seen:
            continue
        seen.add(id(call))
        message = _message_argument(call, is_http)
        if message is not None:
            yield message


def _message_argument(call: ast.Call, is_http: bool) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in (("detail",) if is_http else MESSAGE_KEYWORDS):
            return keyword.value
    position = 1 if is_http else 0  # HTTPException(status_code, detail)
    return call.args[position] if len(call.args) > position else None


@register
class InlineErrorMessage(FileRule):
    """Inline error strings drift apart (the same error worded three ways), cannot be
    asserted on in tests without copying them, and are invisible to a grep for the error
    catalogue. A string literal, f-string, or literal concatenation/format as an
    `HTTPException` detail (keyword or positional; fastapi or starlette, any alias) or as the
    message of a raised exception is reported at the string. An f-string of fields only
    (`f"{ERROR_READ_ONLY}"`, `f"{error}"`, `f"{ERROR_X:>40}"`) writes no message of its own
    and is not; a literal inside a field (`f"{'Not found'}"`) is text."""

    code = "AG501"
    name = "inline-error-message"
    summary = "An inline string as an HTTPException detail or raised exception message"
    rulebook = ("**Missing error constants** — inline error strings like "
                "`raise HTTPException(detail=\"User not found\")` instead of "
                "`raise HTTPException(detail=ERROR_USER_NOT_FOUND)`.")
    hint = "define ERROR_<WHAT> = \"...\" at the top of the file and pass the constant"
    bad = ("from __future__ import annotations\n\nfrom fastapi import HTTPException\n\n\n"
           "def fail() -> None:\n"
           "    raise HTTPException(status_code=404, detail=\"User not found\")\n")
    good = ("from __future__ import annotations\n\nfrom fastapi import HTTPException\n\n"
            "ERROR_USER_NOT_FOUND = \"User not found\"\n\n\n"
            "def fail() -> None:\n"
            "    raise HTTPException(status_code=404, detail=ERROR_USER_NOT_FOUND)\n")

    fix_summary = ("hoists the literal into `ERROR_<WHAT> = \"...\"` after the imports and "
                   "constants, named from the message (one constant per message, no name "
                   "clash); an f-string becomes a constant with `{}` fields and `.format(...)` "
                   "(unsafe); not for `%`/`.format`/`+` expressions")
    fix_applicability = SAFE
    fix_exception = "unsafe for an f-string"

    def fixer(self) -> Fixer:
        from archguard.rules.errors_fix import hoist_messages

        return hoist_messages

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for message in error_messages(ctx):
            if is_string_expression(message) and not _no_text(message):
                fix = SAFE if isinstance(message, ast.Constant) else \
                    UNSAFE if isinstance(message, ast.JoinedStr) else ""
                yield self.report(ctx, ctx.span(message),
                                  "inline error message: use a module-level ERROR_* constant",
                                  fix=fix)


@register
class ErrorConstantName(FileRule):
    """Error messages are constants whose name starts with `ERROR_`, so the catalogue of
    errors is one grep away. Reported when the message is a module-level string constant of
    this file, or an imported UPPER_CASE name (assumed to be a constant), whose name lacks
    the prefix; `CONST.format(...)` and `f"{CONST}"` (one field, no format spec, `!s` at
    most) count as the constant."""

    code = "AG502"
    name = "error-constant-name"
    summary = "An error message constant whose name does not start with ERROR_"
    rulebook = ("**Error message constants** — store as module-level constants with `ERROR_` "
                "prefix, not inline strings")
    hint = "rename the constant to ERROR_<WHAT>"
    bad = ("from __future__ import annotations\n\nfrom fastapi import HTTPException\n\n"
           "USER_NOT_FOUND = \"User not found\"\n\n\n"
           "def fail() -> None:\n"
           "    raise HTTPException(status_code=404, detail=USER_NOT_FOUND)\n")
    good = InlineErrorMessage.good

    fix_summary = ("renames the constant where it is defined and in every project file that "
                   "imports it (following re-exports and `__all__`); unsafe unless the name "
                   "is private, since code outside the package could import it; not when the "
                   "new name is taken or the constant is used as a module attribute")
    fix_applicability = UNSAFE
    fix_exception = "safe for a private `_NAME` of the file"
    fix_reads_project = True

    def fixer(self) -> Fixer:
        from archguard.rules.errors_fix import rename_constants

        return rename_constants

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for message in error_messages(ctx):
            name = _constant_name(message)
            if name and not name.startswith(ERROR_PREFIX) and self._is_constant(ctx, name):
                yield self.report(ctx, ctx.span(message),
                                  f"error message constant '{name}' should be named "
                                  f"'{error_constant_name(name)}'", fix=self._fix(ctx, name))

    @staticmethod
    def _fix(ctx: FileContext, name: str) -> str:
        """Safe for a private constant of this file; unsafe for a public one (code outside
        the package may import it); none for one from outside the package."""
        if name in ctx.facts.constants:
            return SAFE if name.startswith("_") else UNSAFE
        target = ctx.facts.symbols.get(name, "")
        return UNSAFE if target.startswith(ctx.config.package.split(".")[0] + ".") else ""

    @staticmethod
    def _is_constant(ctx: FileContext, name: str) -> bool:
        if name in ctx.facts.constants:
            return True
        target = ctx.facts.symbols.get(name, "")
        return bool(target) and not target.startswith(ctx.module + ".") and name.isupper()


def error_constant_name(name: str) -> str:
    """``USER_NOT_FOUND`` -> ``ERROR_USER_NOT_FOUND`` (``_X`` -> ``ERROR_X``)."""
    return ERROR_PREFIX + name.lstrip("_")


def _constant_name(node: ast.expr) -> str | None:
    """The name given as the message: ``NAME``, ``NAME.format(...)``, ``f"{NAME}"``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "format":
        node = node.func.value
    if isinstance(node, ast.JoinedStr) and len(node.values) == 1 and \
            isinstance(node.values[0], ast.FormattedValue) and \
            node.values[0].conversion in (-1, ord("s")) and node.values[0].format_spec is None:
        node = node.values[0].value  # the constant's own text
    return node.id if isinstance(node, ast.Name) else None


def _no_text(node: ast.expr) -> bool:
    """An f-string of fields only (``f"{ERROR_X}"``, ``f"{error}"``): no message is written
    in it (a literal inside a field, ``f"{'Not found'}"``, is text)."""
    return isinstance(node, ast.JoinedStr) and not any(
        isinstance(part, ast.Constant) and part.value
        or isinstance(part, ast.FormattedValue) and is_string_expression(part.value)
        for part in node.values)
