"""What every stage shares: the one diagnostic type that every rule produces and every emitter
consumes, the user-facing error, and the fast pickling of the records the cache stores."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, TypeVar

# Faster pickling for the frozen dataclasses the cache stores by the ten thousand:
# ``dataclass(frozen=True, slots=True)`` pickles through a ``__setstate__`` that looks up
# ``dataclasses.fields()`` for every object; loading the facts of a 1,800-file project spends
# most of its time there. Pickling as ``cls(*field values)`` loads about twice as fast. The
# pickle stays plain data: ``cls`` must be importable by name, as for any pickle.

T = TypeVar("T", bound=type)


def pickled_by_fields(cls: T) -> T:
    """Class decorator (above ``@dataclass(frozen=True, slots=True)``) for final classes
    whose ``__init__`` takes every field positionally, in declaration order."""
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    getter = operator.attrgetter(*names)
    single = len(names) == 1

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        values = getter(self)
        return cls, ((values,) if single else values)

    cls.__reduce__ = __reduce__  # type: ignore[assignment]
    return cls


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
    fix: str = ""  # the applicability of its autofix: "safe", "unsafe", or "" (none)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: key order is part of it."""
        return {"code": self.code, "rule": self.rule, "severity": self.severity,
                "message": self.message, "path": self.path, "line": self.line,
                "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "hint": self.hint}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        values = {key: data[key] for key in cls.__slots__  # type: ignore[attr-defined]
                  if key in data and key != "fix"}
        fix = data.get("fix")
        return cls(**values, fix=fix.get("applicability", "") if isinstance(fix, dict) else "")


SAFE, UNSAFE = "safe", "unsafe"  # fix applicability, as in ruff


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``path``'s text from (line, column) to (end_line, end_column) with ``content``;
    1-based, columns in characters, the end exclusive. An edit of a file that does not exist
    (a new file) spans (1, 1)-(1, 1)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column,
                "end_line": self.end_line, "end_column": self.end_column,
                "content": self.content}


@dataclass(frozen=True, slots=True)
class Fix:
    """What ``--fix`` would change for one finding."""

    applicability: str  # SAFE or UNSAFE
    message: str
    edits: tuple[Edit, ...]

    def to_json(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [edit.to_json() for edit in self.edits]}


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sorted by path, line, column, code: two runs give byte-identical output."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
