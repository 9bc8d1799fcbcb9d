"""``--format concise``: one finding a line, ``path:line:col: CODE [slug] message``."""

from __future__ import annotations

from typing import TextIO

from archguard.report.emitters import EmitOptions, printable
from archguard.report.emitters.locations import display_path
from archguard.report.emitters.summary import (
    fix_mark, severity_label, statistics_lines, summary_line,
)
from archguard.report.result import CheckReport


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    if options.statistics:
        for line in statistics_lines(report):
            stream.write(printable(line) + "\n")
        return
    for d in report.diagnostics:
        stream.write(printable(f"{display_path(report.root, d.path)}:{d.line}:{d.column}: "
                               f"{d.code} [{d.rule}] {fix_mark(report, d)}"
                               f"{severity_label(d.severity)}{d.message}") + "\n")
    if not options.quiet:
        stream.write(printable(summary_line(report)) + "\n")
