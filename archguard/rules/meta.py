"""AG0xx: findings about the checker's own input (unparsable files, stale suppressions).

The engine produces these itself; the classes carry their documentation.
"""

from __future__ import annotations

from archguard.rules.registry import EngineRule, register


@register
class ParseError(EngineRule):
    """A file that cannot be decoded or parsed cannot be checked at all, so every other rule
    is blind to it. archguard reports it at the error's line and checks the other files.
    A file using syntax newer than the running Python (``except A, B:`` is Python 3.14) says
    which Python it needs."""

    code = "AG000"
    name = "parse-error"
    summary = "A file that cannot be decoded or parsed"
    rulebook = "Python 3.11+ with `from __future__ import annotations` for forward references"
    hint = "fix the syntax or save the file as UTF-8"
    bad = "def broken(:\n    pass\n"
    good = "def fixed() -> None:\n    pass\n"


@register
class UnusedSuppression(EngineRule):
    """A suppression comment that suppresses nothing hides the next real finding on that line
    and misleads readers. A bare ``# archguard: ignore`` without codes is reported too: name
    the codes so that only what you meant is silenced. Only codes that are selected in this
    run are judged unused."""

    code = "AG001"
    name = "unused-suppression"
    summary = "A suppression comment that suppresses nothing"
    rulebook = "Explicit error handling over silent failures"
    hint = "remove the comment, or fix the codes it names"
    bad = "from __future__ import annotations\n\nLIMIT = 10  # archguard: ignore[AG201]\n"
    good = "from __future__ import annotations\n\nLIMIT = 10\n"
