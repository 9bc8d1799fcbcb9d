"""``--format gitlab``: a GitLab Code Quality report (a JSON list of Code Climate issues).

Severity: archguard's ``error`` maps to ``major`` (``critical``/``blocker`` are GitLab's
grades for security-level defects; an architecture violation blocks the merge through the
exit code, not through the grade), ``warning`` to ``minor``, anything else to ``info``.
The fingerprint is the baseline fingerprint, so an issue keeps its identity when code moves.
"""

from __future__ import annotations

from typing import Any, TextIO

from archguard.report.baseline import fingerprints
from archguard.report.emitters import EmitOptions, dump_json
from archguard.report.emitters.locations import repository_base
from archguard.report.result import CheckReport

SEVERITIES = {"error": "major", "warning": "minor"}


def code_quality(report: CheckReport) -> list[dict[str, Any]]:
    prefix = repository_base(report.root)[1]  # GitLab resolves paths in the repository
    issues = []
    for d, fingerprint in zip(report.diagnostics,
                              fingerprints(report.diagnostics, report.root)):
        issues.append({
            "type": "issue",
            "engine_name": "archguard",
            "check_name": d.code,
            "description": f"{d.code} [{d.rule}] {d.message}",
            **({"content": {"body": d.hint}} if d.hint else {}),
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(d.severity, "info"),
            "location": {"path": prefix + d.path,
                         "lines": {"begin": d.line, "end": max(d.end_line, d.line)}},
        })
    return issues


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    dump_json(code_quality(report), stream)
