"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=...,line=...,col=...,endLine=...,endColumn=...,title=AG201 relative-import::msg``
with GitHub's escaping (as in @actions/core): in the message ``%``, CR and LF; in property
values also ``:`` and ``,``. Paths are relative to the working directory (CI runs from the
repository root; see ``archguard.report.emitters.locations``).
"""

from __future__ import annotations

from typing import TextIO

from archguard.diagnostics import Diagnostic
from archguard.report.emitters import EmitOptions, printable
from archguard.report.emitters.locations import display_path
from archguard.report.emitters.summary import summary_line
from archguard.report.result import CheckReport

COMMANDS = {"error": "error", "warning": "warning"}  # anything else is a notice


def escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(text)  # other control characters never reach the log raw


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(d: Diagnostic, path: str | None = None) -> str:
    properties = {
        "file": d.path if path is None else path,
        "line": str(d.line),
        "col": str(d.column),
        "endLine": str(max(d.end_line, d.line)),
        "endColumn": str(d.end_column),
        "title": f"{d.code} {d.rule}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return f"::{COMMANDS.get(d.severity, 'notice')} {joined}::{escape_data(message)}"


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    stream.writelines(command(d, display_path(report.root, d.path)) + "\n"
                      for d in report.diagnostics)
    if not options.quiet:  # plain log text, not a command
        stream.write(printable(summary_line(report)) + "\n")
