"""Scanned files' trees, for the judgements made after the scan: each file is read and
parsed once however many of them ask."""

from __future__ import annotations

import ast
from pathlib import Path

from archguard.analysis.parsing import ParsedSource, parse_source
from archguard.project.fileio import read_regular


class Trees:
    """The files under ``root``, parsed as the check parses them (never opening a FIFO, no
    warnings of the user's code on stderr); None for a file that cannot be read or parsed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._trees: dict[str, ast.Module | None] = {}

    def get(self, path: str) -> ast.Module | None:
        if path not in self._trees:
            try:
                parsed = parse_source(read_regular(self.root / path)[1])
            except OSError:  # UnreadableFile included
                parsed = None
            self._trees[path] = parsed.tree if isinstance(parsed, ParsedSource) else None
        return self._trees[path]
