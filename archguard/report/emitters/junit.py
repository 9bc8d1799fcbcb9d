"""``--format junit``: JUnit XML for CI test-report views (GitLab, Jenkins, Azure).

One test suite; one test case per rule that ran (and per code that reported); a passing
rule is a test case without failure, a failing one carries a ``failure`` per finding. Paths
are those of the other CI formats (``archguard.report.emitters.locations``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TextIO

from archguard.diagnostics import Diagnostic
from archguard.report.emitters import EmitOptions, valid_unicode, writes_utf8
from archguard.report.emitters.locations import ci_base
from archguard.report.emitters.summary import summary_line
from archguard.report.result import CheckReport
from archguard.rules.registry import all_rules

# Characters XML 1.0 cannot carry at all (a message quoting odd source must not break it).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", valid_unicode(text))


def junit_tree(report: CheckReport) -> ET.Element:
    prefix = ci_base(report.root)[1]
    slugs = {rule.code: rule.name for rule in all_rules()}
    by_code: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_code[d.code].append(d)
        slugs.setdefault(d.code, d.rule)
    codes = sorted(set(report.rules or slugs) | set(by_code))
    failed = sum(1 for code in codes if by_code[code])
    counts = {"tests": str(len(codes)), "failures": str(failed), "errors": "0",
              "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "archguard", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "archguard", **counts})
    for code in codes:
        case = ET.SubElement(suite, "testcase", {"classname": "archguard",
                                                 "name": _clean(f"{code} {slugs[code]}")})
        for d in by_code[code]:
            failure = ET.SubElement(case, "failure", {"message": _clean(d.message),
                                                      "type": _clean(d.code)})
            failure.text = _clean(_failure_text(d, prefix))
    ET.SubElement(suite, "system-out").text = _clean(summary_line(report))
    return suites


def _failure_text(d: Diagnostic, prefix: str) -> str:
    text = f"{prefix}{d.path}:{d.line}:{d.column}: {d.code} [{d.rule}] {d.message}"
    return text + (f"\nhint: {d.hint}" if d.hint else "")


def emit(report: CheckReport, stream: TextIO, options: EmitOptions) -> None:
    tree = junit_tree(report)
    ET.indent(tree)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    if writes_utf8(stream):
        stream.write(ET.tostring(tree, encoding="unicode"))
    else:  # character references: the document stays what its declaration says
        stream.write(ET.tostring(tree, encoding="us-ascii", xml_declaration=False).decode())
    stream.write("\n")
