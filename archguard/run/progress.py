"""The progress bar of cold runs: on stderr, only on a terminal, never in machine formats.

rich is imported only when a bar is actually shown (a cold run over many files), so warm
runs and machine formats never pay its import. The bar refreshes when the runner reports
progress, without a refresh thread (the process pool may fork after it starts).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from archguard.engine.pool import ProgressCallback
from archguard.report.emitters import MACHINE_FORMATS

PROGRESS_MIN_FILES = 200  # fewer files are done before a bar would be worth drawing


class TerminalProgress:
    """A ``ProgressCallback`` drawing a transient rich bar on first use."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        if self._bar is None:
            self._start(total)
        self._bar.update(self._task, completed=done, total=total, count=f"{done}/{total}",
                         refresh=True)

    def stage(self, label: str, files: int) -> None:
        """A stage without progress of its own (semgrep after the native pass): the bar
        says what is running instead of sitting full with no label."""
        if self._bar is None and files < PROGRESS_MIN_FILES:
            return
        if self._bar is None:
            self._start(files)
        self._bar.update(self._task, description=f"{label}: {files} files", completed=0,
                         total=None, count="", refresh=True)

    def _start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                             TextColumn("{task.fields[count]}"),
                             console=Console(file=self.stream), transient=True,
                             auto_refresh=False)
        self._task = self._bar.add_task("analysing", total=total, count=f"0/{total}")
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def progress_for(output_format: str, stream: TextIO | None = None,
                 ) -> Iterator[ProgressCallback | None]:
    """A progress callback for ``CheckRequest.progress``, or None when no bar belongs."""
    stream = stream if stream is not None else sys.stderr
    if output_format in MACHINE_FORMATS or not _is_terminal(stream):
        yield None
        return
    progress = TerminalProgress(stream)
    try:
        yield progress
    finally:
        progress.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
