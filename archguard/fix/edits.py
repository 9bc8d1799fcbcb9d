"""Text edits: what a fix changes, as minimal replacements of the old text; conflicts
between edits; applying them; their 1-based line/column form for JSON and SARIF."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from archguard.diagnostics import Edit
from archguard.fix.linediff import LineMatcher


@dataclass(frozen=True, slots=True)
class Change:
    """Replace ``text[start:end]`` with ``content`` (character offsets)."""

    start: int
    end: int
    content: str

    def conflicts(self, other: Change) -> bool:
        """Overlapping ranges, or two insertions at one place (their order is unknown)."""
        if self.start == self.end == other.start == other.end:
            return True
        return self.start < other.end and other.start < self.end


def changes_between(old: str, new: str) -> list[Change]:
    """The line hunks that differ, each trimmed to the characters that differ."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    starts = _line_starts(old_lines)
    found = []
    matcher = LineMatcher(old_lines, new_lines)  # difflib's opcodes, faster on long files
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:  # line by line: one edit per line
            pairs = [(i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2))]
        else:
            pairs = [(i1, i2, j1, j2)]
        for a1, a2, b1, b2 in pairs:
            found.append(_trimmed(starts[a1], "".join(old_lines[a1:a2]),
                                  "".join(new_lines[b1:b2])))
    return found


def _trimmed(start: int, before: str, after: str) -> Change:
    """The replacement of ``before`` (at ``start``) by ``after``, minus what they share at
    either end."""
    prefix = _common_prefix(before, after)
    suffix = _common_prefix(before[prefix:][::-1], after[prefix:][::-1])
    return Change(start + prefix, start + len(before) - suffix, after[prefix:len(after) - suffix])


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    return [*starts, offset]


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    index = 0
    while index < size and a[index] == b[index]:
        index += 1
    return index


def apply_changes(text: str, changes: list[Change]) -> str:
    """Non-conflicting changes applied together (from the end, so offsets stay valid)."""
    for change in sorted(changes, key=lambda c: (c.start, c.end), reverse=True):
        text = text[:change.start] + change.content + text[change.end:]
    return text


def to_edit(path: str, text: str, change: Change) -> Edit:
    line, column = _position(text, change.start)
    end_line, end_column = _position(text, change.end)
    return Edit(path, line, column, end_line, end_column, change.content)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and character column of an offset."""
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1


def unified_diff(path: str, old: str | None, new: str) -> str:
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile="/dev/null" if old is None else f"a/{path}", tofile=f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
