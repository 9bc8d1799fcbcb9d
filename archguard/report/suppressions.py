"""``# archguard: ignore[AG201]`` comments: parsed per file, applied after every engine ran.

Comments are found with ``tokenize`` (so text inside strings never counts), and only in
files that contain the marker at all, to keep the common path cheap.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field

from archguard.diagnostics import pickled_by_fields

MARKER = "archguard:"
_DIRECTIVE = re.compile(
    r"#\s*archguard:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Suppression:
    line: int
    column: int
    end_column: int
    codes: tuple[str, ...]  # empty for a bare ``# archguard: ignore``
    file_level: bool


@dataclass(slots=True)
class FileSuppressions:
    items: list[Suppression] = field(default_factory=list)

    def resolved(self, resolve: Callable[[str], str]) -> FileSuppressions:
        """With every rule slug (``ignore[relative-import]``) replaced by its code."""
        if not self.items:
            return self
        return FileSuppressions([
            dataclasses.replace(item, codes=tuple(resolve(code) for code in item.codes))
            if item.codes else item for item in self.items])

    def matching(self, code: str, line: int) -> Suppression | None:
        for item in self.items:
            if (item.file_level or item.line == line) and _covers(item.codes, code):
                return item
        return None


def _covers(codes: tuple[str, ...], code: str) -> bool:
    return any(code.upper().startswith(prefix) for prefix in codes)


def parse_suppressions(text: str) -> FileSuppressions:
    found = FileSuppressions()
    if MARKER not in text:
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        for match in _DIRECTIVE.finditer(token.string):
            codes = tuple(c.strip().upper() for c in (match["codes"] or "").split(",")
                          if c.strip())
            line, start = token.start
            found.items.append(Suppression(
                line, start + match.start() + 1, start + match.end() + 1, codes,
                match["kind"] == "ignore-file"))
    return found
