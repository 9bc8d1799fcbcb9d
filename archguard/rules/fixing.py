"""What a rule's autofix receives and returns (no libcst here: the fixes beside each rule
import it, and only when something is fixed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from archguard.diagnostics import Diagnostic
from archguard.project.config import Config


@dataclass(frozen=True)
class FixRequest:
    """One rule's findings in one file (or folder, for the layout rules), fixed together."""

    root: Path
    path: str  # relative to the root; a folder for a layout finding
    text: str  # the file's current text ("" for a folder)
    findings: tuple[Diagnostic, ...]
    config: Config
    project_files: tuple[str, ...] = ()  # every package file (fixes that span files)

    def read(self, path: str) -> str | None:
        """Another project file's text (None when it does not exist or cannot be read)."""
        if path == self.path:
            return self.text
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


@dataclass
class FixOutput:
    changes: dict[str, str] = field(default_factory=dict)  # path -> new text (new file too)
    skipped: list[tuple[Diagnostic, str]] = field(default_factory=list)  # (finding, why not)

    def skip(self, finding: Diagnostic, reason: str) -> None:
        self.skipped.append((finding, reason))


def module_path(module: str, files: tuple[str, ...]) -> str | None:
    """The project file of a dotted module name (``a.b`` -> ``a/b.py`` or ``a/b/__init__.py``)."""
    stem = module.replace(".", "/")
    wanted = {f"{stem}.py", f"{stem}/__init__.py"}
    return next((path for path in files if path in wanted), None)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def text_lines(text: str) -> list[str]:
    """The lines with their endings, split where Python splits them (``\n``, ``\r\n``,
    ``\r``): ``lines[n - 1]`` is line ``n`` of an ast position, and ``"".join`` is ``text``."""
    return _LINE.findall(text)
