"""Writing a fixed file: ``archguard.project.fileio.atomic_write`` (a temporary file in the
same folder, flushed, then renamed over the old one, keeping its permission bits), so an
interrupted run leaves the whole old or the whole new file, never half of one."""

from __future__ import annotations

from pathlib import Path

from archguard.project.fileio import atomic_write


def atomic_write_text(path: Path, text: str) -> None:
    """The text is written as is (newlines untouched); missing folders are created (a new
    module's files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))
