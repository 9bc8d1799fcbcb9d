"""Fix of AG201: a relative import becomes the absolute import it names (same names, same
aliases, same place). The usual one-line spelling (``from .x import y``) is rewritten on the
text, where parsing the file with libcst cost ~30 ms (most of a cold JSON report's fix
records); any other spelling goes through libcst (``imports_fix_cst``, imported only then)."""

from __future__ import annotations

import re

from archguard.rules.fixing import FixOutput, FixRequest, text_lines
from archguard.rules.imports import absolute_import


# ``from`` + blanks + the dots + the module + blanks + ``import``, at the finding's column
_RELATIVE = re.compile(r"from(?P<before>[ \t]+)(?P<dots>\.+)(?P<module>[A-Za-z_][\w.]*)?"
                       r"(?P<after>[ \t]+)import\b")


def make_absolute(request: FixRequest) -> FixOutput:
    found = _on_text(request)
    if found is not None:
        return found
    from archguard.rules.imports_fix_cst import absolute_with_libcst

    return absolute_with_libcst(request)


def _on_text(request: FixRequest) -> FixOutput | None:
    """The fix as a text edit of each import's first line; None when any finding's import
    is not spelled the usual way (libcst then decides, for the whole file)."""
    lines = text_lines(request.text)
    output = FixOutput()
    edits: list[tuple[int, int, int, str]] = []  # line index, start, end, replacement
    for finding in request.findings:
        index, start = finding.line - 1, finding.column - 1
        match = _RELATIVE.match(lines[index], start) if index < len(lines) else None
        if match is None:
            return None
        absolute = absolute_import(request.path, len(match["dots"]), match["module"],
                                   request.config)
        if not absolute:
            output.skip(finding, "the import climbs above the package root")
            continue
        edits.append((index, match.start("dots"), match.end("dots") if match["module"] is None
                      else match.end("module"), absolute))
    for index, begin, end, absolute in sorted(edits, reverse=True):
        lines[index] = lines[index][:begin] + absolute + lines[index][end:]
    if edits:
        output.changes[request.path] = "".join(lines)
    return output
