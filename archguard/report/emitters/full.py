"""``--format full`` (default): grouped by file, the source line with a caret.

Each rule's hint is printed once, in a "how to fix" footer (``--show-hints``: under every
finding); a hint that says something about one finding (not the rule's own hint) stays
under it. Source lines longer than the terminal wrap under their gutter.
"""

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
from archguard.report.emitters.summary import (
    fix_mark, severity_label, statistics_lines, summary_line,
)
from archguard.report.result import CheckReport
from archguard.rules.registry import all_rules
from archguard.rules.wording import fill

SEVERITY_STYLES = {"error": "bold red", "warning": "bold yellow"}  # else: info
MIN_SOURCE_WIDTH = 20  # narrower than this, wrapping helps nobody: print the line whole


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
    # each rule's hint as its findings carry it (worded from the project's configuration)
    rule_hints = {rule.code: fill(rule.hint, report.config) for rule in all_rules()}
    footer: dict[str, tuple[str, str]] = {}  # code -> (slug, hint), in order of appearance
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        _emit_file(console, report, path, list(group), options, rule_hints, footer)
    if options.quiet:
        return
    _emit_footer(console, footer)
    _emit_summary(console, report)


def _emit_file(console: Console, report: CheckReport, path: str,
               diagnostics: list[Diagnostic],
               options: EmitOptions, rule_hints: dict[str, str],
               footer: dict[str, tuple[str, str]]) -> None:
    root = report.root
    console.print(Text(printable(display_path(root, path)), style="bold underline"))
    lines = _source_lines(root / path) if options.show_source else []
    for d in diagnostics:
        heading = Text("  ")
        heading.append(f"{d.line}:{d.column}", style="dim")
        heading.append("  ")
        heading.append(d.code, style=SEVERITY_STYLES.get(d.severity, "bold blue"))
        heading.append(f" [{printable(d.rule)}] ", style="magenta")
        heading.append(fix_mark(report, d), style="bold cyan")
        heading.append(severity_label(d.severity) + printable(d.message))
        console.print(heading)
        if 0 < d.line <= len(lines):
            _emit_source(console, lines[d.line - 1], d, options.width)
        generic = d.hint == rule_hints.get(d.code, d.hint)  # the rule's own hint
        if d.hint and (options.show_hints or not generic):
            console.print(Text("      hint: ", style="cyan").append(printable(d.hint),
                                                                   style="default"))
        elif d.hint:
            footer.setdefault(d.code, (d.rule, d.hint))
    console.print()


def _emit_source(console: Console, source: str, d: Diagnostic, width: int | None) -> None:
    text = printable(source.rstrip())
    gutter = f"    {d.line:>4} | "
    start = max(d.column - 1, 0)
    end = d.end_column - 1 if d.end_line == d.line and d.end_column > d.column else len(text)
    room = (width - len(gutter)) if width else 0
    if room < MIN_SOURCE_WIDTH or len(text) <= room:
        room = max(len(text), start + 1)
    blank = " " * (len(gutter) - 2) + "| "
    for offset in range(0, max(len(text), 1), room):
        chunk = text[offset:offset + room]
        console.print(Text(gutter if offset == 0 else blank, style="blue").append(chunk))
        if offset <= start < offset + room or (offset + room >= len(text) and start >= offset):
            carets = max(min(end, offset + room) - start, 1)
            console.print(Text(" " * (len(gutter) + start - offset) + "^" + "~" * (carets - 1),
                               style="bold red"))


def _source_lines(path: Path) -> list[str]:
    try:  # bounded: a finding's file was read by the analysis, but may have changed since
        _, data = read_regular(path, EXCERPT_LIMIT)
    except OSError:
        return []
    return python_lines(data.decode("utf-8", errors="replace"))


def _emit_footer(console: Console, footer: dict[str, tuple[str, str]]) -> None:
    if not footer:
        return
    console.print(Text("How to fix:", style="bold"))
    for code in sorted(footer):
        slug, hint = footer[code]
        console.print(Text(f"  {code} ", style="bold").append(f"[{slug}] ", style="magenta")
                      .append(printable(hint), style="default"))
    console.print()


def _emit_summary(console: Console, report: CheckReport) -> None:
    style = "bold green" if not report.diagnostics else "bold red"
    console.print(Text(printable(summary_line(report)), style=style))
    counts = Counter(d.code for d in report.diagnostics)
    if counts:
        console.print(Text("  " + ", ".join(f"{code}: {n}" for code, n in sorted(
            counts.items())), style="dim"))
        console.print(Text("  Run 'archguard explain CODE' for why a rule exists and how to "
                           "fix its findings.", style="dim"))
