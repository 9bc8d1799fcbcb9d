"""Read and parse one file with the stdlib ``ast``: fast, and enough for detection.

A file that cannot be decoded or parsed becomes a ``ParseFailure`` that the engine reports as
AG000; other files are still checked. One newer syntax is read on every Python: PEP 758's
unparenthesized ``except A, B:`` (3.14) is parsed as ``except(A, B):``, which keeps every
column but the colon's.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
import warnings
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
_PEP_758 = re.compile(r"multiple exception types must be parenthesized")
_CLAUSE_START = frozenset({tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT,
                           tokenize.COMMENT})


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
        tree = parse_module(decoded)
    except SyntaxError as error:  # after the except-group shim: a real error, or newer syntax
        return _syntax_failure(error, decoded)
    except (RecursionError, MemoryError):  # generated code nested past the parser's limit
        return ParseFailure(1, 1, "too deeply nested to analyse (parser)")
    except ValueError as error:
        return ParseFailure(1, 1, f"cannot parse file: {error}")
    return ParsedSource(decoded, tree)


def _parenthesize_except_groups(text: str) -> str | None:
    """``text`` with every ``except A, B:`` (and ``except* A, B:``) written ``except(A, B):``
    (the space after the keyword becomes the parenthesis, so the types keep their columns);
    None when there is nothing to rewrite. Tokens up to a tokenizer error still count: the
    parser then reports that error rather than the except group."""
    tokens: list[tokenize.TokenInfo] = []
    try:
        tokens.extend(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        pass
    lines = python_lines(text)
    edits: list[tuple[int, int, int]] = []  # (line, column of the space, column of the colon)
    for index, token in enumerate(tokens):
        if token.string != "except" or token.type != tokenize.NAME or (
                index and tokens[index - 1].type not in _CLAUSE_START) \
                or index + 2 >= len(tokens):
            continue
        start = index + 1 + (tokens[index + 1].string == "*")
        depth, comma, colon = 0, False, None
        for following in tokens[start:]:
            if following.string in "([{" and following.type == tokenize.OP:
                depth += 1
            elif following.string in ")]}" and following.type == tokenize.OP:
                depth -= 1
            elif depth == 0 and following.string == ",":
                comma = True
            elif depth == 0 and following.string == ":":
                colon = following
                break
            elif following.type in (tokenize.NEWLINE, tokenize.NL):
                break
        first = tokens[start]
        if comma and colon is not None and first.start[0] == colon.start[0] == token.start[0] \
                and first.start[1] > tokens[start - 1].end[1]:
            edits.append((token.start[0], first.start[1] - 1, colon.start[1]))
    if not edits:
        return None
    for line, space, colon_at in edits:
        text_line = lines[line - 1]
        lines[line - 1] = (text_line[:space] + "(" + text_line[space + 1:colon_at].rstrip()
                           + ")" + text_line[colon_at:])
    return "\n".join(lines) + "\n"


def parse_module(text: str) -> ast.Module:
    """``ast.parse`` that reads what ``parse_source`` reads (PEP 758 except groups on every
    Python), for code that parses a file's text again (fixers): same tree, same lines.
    The checked code's own warnings (an invalid escape is a SyntaxWarning on 3.12+) are
    not archguard's to print."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return ast.parse(text, type_comments=False)
        except SyntaxError as error:
            shimmed = _parenthesize_except_groups(text) if _PEP_758.search(error.msg or "") \
                else None
            if shimmed is None:
                raise
            return ast.parse(shimmed, type_comments=False)


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


def type_alias_statements(text: str) -> list[str]:
    """The names of the top-level PEP 695 ``type X = ...`` / ``type X[T] = ...`` statements,
    read from the tokens (the parser before 3.12 rejects them; the tokenizer does not, and
    it keeps strings and comments apart). A tokenizer error ends the scan: what was read
    before it counts."""
    found: list[str] = []
    tokens: list[tokenize.TokenInfo] = []
    try:
        tokens.extend(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        pass
    for index in range(len(tokens) - 2):
        keyword, name, after = tokens[index:index + 3]
        if keyword.type == tokenize.NAME and keyword.string == "type" and keyword.start[1] == 0 \
                and name.type == tokenize.NAME and after.string in ("=", "[") \
                and (index == 0 or tokens[index - 1].type in (tokenize.NEWLINE, tokenize.NL,
                                                               tokenize.COMMENT,
                                                               tokenize.DEDENT)):
            found.append(name.string)
    return found
