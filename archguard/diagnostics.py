"""The one diagnostic type that every rule produces and every emitter consumes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from archguard.pickling import pickled_by_fields


class ArchguardError(Exception):
    """A user-facing error (bad config, missing folder, unknown code): exit 2, one line."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. Lines and columns are 1-based; ``path`` is relative to the project root."""

    path: str
    line: int
    column: int
    code: str
    rule: str
    message: str
    end_line: int
    end_column: int
    hint: str = ""
    severity: str = "error"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: key order is part of it."""
        data = asdict(self)
        order = ("code", "rule", "severity", "message", "path", "line", "column",
                 "end_line", "end_column", "hint")
        return {key: data[key] for key in order}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        return cls(**{key: data[key] for key in cls.__slots__})  # type: ignore[attr-defined]


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sorted by path, line, column, code: two runs give byte-identical output."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
