"""Read and parse one file with the stdlib ``ast``: fast, and enough for detection.

A file that cannot be decoded or parsed becomes a ``ParseFailure`` that the engine reports as
AG000; other files are still checked.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParseFailure:
    line: int
    column: int
    message: str
    needs: str | None = None  # the newer Python the file is valid on ("3.12"), if known


@dataclass(frozen=True, slots=True)
class ParsedSource:
    text: str
    tree: ast.Module


# (pattern over the SyntaxError message or the offending line, Python version that accepts it)
_NEWER_SYNTAX: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"multiple exception types must be parenthesized"), "msg", "3.14"),  # PEP 758
    # PEP 701 f-strings (quotes reused inside, backslashes, comments): before 3.12 these
    # fail with an "f-string" message; the messages that stay errors on 3.12 are excluded.
    (re.compile(r"^f-string(?!: empty expression)(?!: single '\}')(?!: invalid conversion)"),
     "msg", "3.12"),
    # PEP 701: a replacement field that spans lines (`f"-{` at the end of the line)
    (re.compile(r"(?<![\w'\"])[rR]?[fF][rR]?(['\"]).*\{\s*$"), "line", "3.12"),
    # PEP 695 type parameters and type aliases
    (re.compile(r"^\s*type\s+\w+(\[.*\])?\s*="), "line", "3.12"),
    (re.compile(r"^\s*(async\s+)?def\s+\w+\["), "line", "3.12"),
    (re.compile(r"^\s*class\s+\w+\["), "line", "3.12"),
    (re.compile(r"(?<![\w'\"])t['\"]"), "line", "3.14"),  # PEP 750 t-strings
)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def python_lines(text: str) -> list[str]:
    """The lines as Python's tokenizer counts them: split at ``\n``, ``\r\n`` and ``\r``
    only (``str.splitlines`` also splits at form feeds, U+2028 and others, which shifts
    every line number after them)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_source(data: bytes) -> ParsedSource | ParseFailure:
    """Decode (honouring a PEP 263 coding cookie) and parse ``data``."""
    decoded = decode_source(data)
    if isinstance(decoded, ParseFailure):
        return decoded
    try:
        tree = ast.parse(decoded, type_comments=False)
    except SyntaxError as error:
        return _syntax_failure(error, decoded)
    except (RecursionError, MemoryError):  # generated code nested past the parser's limit
        return ParseFailure(1, 1, "too deeply nested to analyse (parser)")
    except ValueError as error:
        return ParseFailure(1, 1, f"cannot parse file: {error}")
    return ParsedSource(decoded, tree)


def decode_source(data: bytes) -> str | ParseFailure:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        return ParseFailure(1, 1, f"cannot decode file: {error.msg}")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return ParseFailure(
            line, column,
            f"cannot decode file as {encoding}: byte 0x{data[error.start]:02x} is not valid "
            f"{encoding}; save it as UTF-8 or declare its encoding (PEP 263)",
        )
    except LookupError:
        return ParseFailure(1, 1, f"cannot decode file: unknown encoding '{encoding}'")
    return text.removeprefix("\ufeff")


def _syntax_failure(error: SyntaxError, text: str) -> ParseFailure:
    line = error.lineno or 1
    column = max(error.offset or 1, 1)
    lines = python_lines(text)
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    message = f"syntax error: {error.msg}"
    needed = _newer_python_needed(error.msg or "", source_line)
    if needed:
        message += (f" (this syntax needs Python {needed} or newer; archguard is running on "
                    f"Python {running_python()}: run it with Python {needed}+)")
    return ParseFailure(line, column, message, needed)


def running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _newer_python_needed(message: str, source_line: str) -> str | None:
    for pattern, where, version in _NEWER_SYNTAX:
        subject = message if where == "msg" else source_line
        if pattern.search(subject) and sys.version_info < _version_tuple(version):
            return version
    return None


def _version_tuple(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)
