"""``--format full`` (default): grouped by file, the source line with a caret, a hint."""

from __future__ import annotations

import errno
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from archguard.diagnostics import Diagnostic
from archguard.analysis.parsing import python_lines
from archguard.project.fileio import read_regular
from archguard.report.emitters import EmitOptions, printable
from archguard.report.emitters.locations import display_path
from archguard.report.emitters.summary import statistics_lines, summary_line
from archguard.report.result import CheckReport


EXCERPT_LIMIT = 64 * 1024 * 1024  # source excerpts are not shown from larger files


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """rich would exit 1 itself; the command line decides (``cli.output_stream``)."""
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    console = _Console(file=stream, color_system="auto" if options.color else None,
                      force_terminal=options.color, highlight=False, soft_wrap=True)
    if options.statistics:
        for line in statistics_lines(report):
            console.print(Text(printable(line)))
        return
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        _emit_file(console, report.root, path, list(group), options)
    _emit_summary(console, report)


def _emit_file(console: Console, root: Path, path: str, diagnostics: list[Diagnostic],
               options: EmitOptions) -> None:
    console.print(Text(printable(display_path(root, path)), style="bold underline"))
    lines = _source_lines(root / path) if options.show_source else []
    for d in diagnostics:
        heading = Text("  ")
        heading.append(f"{d.line}:{d.column}", style="dim")
        heading.append("  ")
        heading.append(d.code, style="bold red")
        heading.append(f" [{printable(d.rule)}] ", style="magenta")
        heading.append(printable(d.message))
        console.print(heading)
        if 0 < d.line <= len(lines):
            _emit_source(console, lines[d.line - 1], d)
        if d.hint:
            console.print(Text("      hint: ", style="cyan").append(printable(d.hint),
                                                                   style="default"))
    console.print()


def _emit_source(console: Console, source: str, d: Diagnostic) -> None:
    gutter = f"    {d.line:>4} | "
    console.print(Text(gutter, style="blue").append(printable(source.rstrip())))
    start = max(d.column - 1, 0)
    end = d.end_column - 1 if d.end_line == d.line and d.end_column > d.column else len(
        source.rstrip())
    width = max(end - start, 1)
    console.print(Text(" " * len(gutter) + " " * start + "^" + "~" * (width - 1),
                       style="bold red"))


def _source_lines(path: Path) -> list[str]:
    try:  # bounded: a finding's file was read by the analysis, but may have changed since
        _, data = read_regular(path, EXCERPT_LIMIT)
    except OSError:
        return []
    return python_lines(data.decode("utf-8", errors="replace"))


def _emit_summary(console: Console, report: CheckReport) -> None:
    style = "bold green" if not report.diagnostics else "bold red"
    console.print(Text(printable(summary_line(report)), style=style))
    counts = Counter(d.code for d in report.diagnostics)
    if counts:
        console.print(Text("  " + ", ".join(f"{code}: {n}" for code, n in sorted(
            counts.items())), style="dim"))
        console.print(Text("  Run 'archguard explain CODE' for why a rule exists and how to "
                           "fix its findings.", style="dim"))
