"""``--format full`` (default): grouped by file, the source line with a caret, a hint."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.text import Text

from archguard.diagnostics import Diagnostic
from archguard.report.emitters import EmitOptions
from archguard.report.emitters.summary import fix_mark, statistics_lines, summary_line
from archguard.report.result import CheckReport


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    console = Console(file=stream, color_system="auto" if options.color else None,
                      force_terminal=options.color, highlight=False, soft_wrap=True)
    if options.statistics:
        for line in statistics_lines(report):
            console.print(Text(line))
        return
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        _emit_file(console, report, path, list(group), options)
    _emit_summary(console, report)


def _emit_file(console: Console, report: CheckReport, path: str,
               diagnostics: list[Diagnostic], options: EmitOptions) -> None:
    console.print(Text(path, style="bold underline"))
    lines = _source_lines(report.root / path) if options.show_source else []
    for d in diagnostics:
        heading = Text("  ")
        heading.append(f"{d.line}:{d.column}", style="dim")
        heading.append("  ")
        heading.append(d.code, style="bold red")
        heading.append(f" [{d.rule}] ", style="magenta")
        heading.append(fix_mark(report, d), style="bold cyan")
        heading.append(d.message)
        console.print(heading)
        if 0 < d.line <= len(lines):
            _emit_source(console, lines[d.line - 1], d)
        if d.hint:
            console.print(Text("      hint: ", style="cyan").append(d.hint, style="default"))
    console.print()


def _emit_source(console: Console, source: str, d: Diagnostic) -> None:
    gutter = f"    {d.line:>4} | "
    console.print(Text(gutter, style="blue").append(source.rstrip()))
    start = max(d.column - 1, 0)
    end = d.end_column - 1 if d.end_line == d.line and d.end_column > d.column else len(
        source.rstrip())
    width = max(end - start, 1)
    console.print(Text(" " * len(gutter) + " " * start + "^" + "~" * (width - 1),
                       style="bold red"))


def _source_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _emit_summary(console: Console, report: CheckReport) -> None:
    style = "bold green" if not report.diagnostics else "bold red"
    console.print(Text(summary_line(report), style=style))
    counts = Counter(d.code for d in report.diagnostics)
    if counts:
        console.print(Text("  " + ", ".join(f"{code}: {n}" for code, n in sorted(
            counts.items())), style="dim"))
        console.print(Text("  Run 'archguard explain CODE' for why a rule exists and how to "
                           "fix its findings.", style="dim"))
