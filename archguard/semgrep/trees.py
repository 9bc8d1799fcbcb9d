"""A scanned file's tree, for the judgements made after the scan (one file at a time)."""

from __future__ import annotations

import ast
from pathlib import Path

from archguard.analysis.parsing import ParsedSource, parse_source
from archguard.project.fileio import read_regular


def read_tree(root: Path, path: str) -> ast.Module | None:
    """The file parsed as the check parses it (never opening a FIFO, no warnings of the
    user's code on stderr), or None when it cannot be read or parsed."""
    try:
        parsed = parse_source(read_regular(root / path)[1])
    except OSError:  # UnreadableFile included
        return None
    return parsed.tree if isinstance(parsed, ParsedSource) else None
