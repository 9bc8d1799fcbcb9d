"""``--format concise``: one finding a line, ``path:line:col: CODE [slug] message``."""

from __future__ import annotations

from typing import TextIO

from archguard.report.emitters import EmitOptions
from archguard.report.emitters.summary import fix_mark, statistics_lines, summary_line
from archguard.report.result import CheckReport


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    if options.statistics:
        for line in statistics_lines(report):
            stream.write(line + "\n")
        return
    for d in report.diagnostics:
        stream.write(f"{d.path}:{d.line}:{d.column}: {d.code} [{d.rule}] "
                     f"{fix_mark(report, d)}{d.message}\n")
    stream.write(summary_line(report) + "\n")
