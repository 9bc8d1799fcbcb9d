"""How the command line prints: colour, width, quiet and silent modes.

Kept apart from the commands so that every command decides these the same way.
Colour: ``--color always|never`` (``--no-color`` = never) > ``NO_COLOR`` > ``FORCE_COLOR`` >
whether the stream is a terminal. A report written to ``--output-file`` is plain unless
``--color always``.
"""

from __future__ import annotations

import os
import shutil
from enum import Enum
from typing import TextIO


class ColorChoice(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _env_set(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def use_color(choice: ColorChoice | str, stream: TextIO, to_file: bool = False) -> bool:
    choice = ColorChoice(choice)
    if choice is not ColorChoice.auto:
        return choice is ColorChoice.always
    if to_file or os.environ.get("NO_COLOR"):
        return False
    if _env_set("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def color_choice(color: ColorChoice, no_color: bool) -> ColorChoice:
    return ColorChoice.never if no_color else color


def terminal_width(stream: TextIO) -> int | None:
    """The width source excerpts wrap to: the terminal's, or ``COLUMNS``; None (no
    wrapping) when the output is a file or a pipe and ``COLUMNS`` is not set."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


class NullStream:
    """``--silent``: the report goes nowhere; only the exit code speaks."""

    def write(self, text: str) -> int:
        return len(text)

    def writelines(self, lines: object) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
