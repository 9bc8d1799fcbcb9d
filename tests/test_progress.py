"""The progress bar: on a terminal only, never in machine formats, gone when done."""

from __future__ import annotations

import io

import pytest

from archguard.report.emitters import MACHINE_FORMATS
from archguard.run.progress import PROGRESS_MIN_FILES, TerminalProgress, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("output_format", sorted(MACHINE_FORMATS))
def test_never_in_machine_formats(output_format: str) -> None:
    with progress_for(output_format, Terminal()) as progress:
        assert progress is None


def test_never_when_not_a_terminal() -> None:
    with progress_for("full", io.StringIO()) as progress:
        assert progress is None


def test_a_transient_bar_on_a_terminal() -> None:
    stream = Terminal()
    with progress_for("concise", stream) as progress:
        assert isinstance(progress, TerminalProgress)
        progress(100, 2 * PROGRESS_MIN_FILES)
        progress(2 * PROGRESS_MIN_FILES, 2 * PROGRESS_MIN_FILES)
        drawn = stream.getvalue()
    assert f"{2 * PROGRESS_MIN_FILES}/{2 * PROGRESS_MIN_FILES}" in drawn
    assert stream.getvalue() != drawn  # erased at the end (transient)


def test_no_bar_for_few_files() -> None:
    stream = Terminal()
    with progress_for("full", stream) as progress:
        assert progress is not None
        progress(10, PROGRESS_MIN_FILES - 1)
    assert stream.getvalue() == ""
