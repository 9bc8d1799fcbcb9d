"""Python versions: the project's ``requires-python`` and files that need a newer Python.

archguard parses with the Python it runs on. A file using newer syntax (PEP 695 type
parameters, PEP 701 f-strings, PEP 758 ``except A, B:``, PEP 750 t-strings) fails to parse;
its AG000 names the version, and the run ends with one note saying how many files need it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from archguard.diagnostics import ArchguardError
from archguard.project.config import read_pyproject

NEEDS = re.compile(r"this syntax needs Python (\d+)\.(\d+) or newer")
_LOWER_BOUND = re.compile(r"(>=|~=|==|>)\s*(\d+)\.(\d+)")


def requires_python(root: Path) -> str | None:
    """``[project] requires-python`` of the project's pyproject.toml, if any."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        return project_requires_python(read_pyproject(path))
    except ArchguardError:
        return None  # the config loader reports a broken file; this is only a hint


def project_requires_python(document: dict[str, object]) -> str | None:
    """``[project] requires-python`` of a parsed pyproject.toml, if any."""
    project = document.get("project")
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) else None


def minimum(spec: str | None) -> tuple[int, int] | None:
    """The lowest Python a specifier allows: ``">= 3.12, < 3.15"`` -> (3, 12)."""
    bounds = [(int(major), int(minor) + (op == ">")) for op, major, minor
              in _LOWER_BOUND.findall(spec or "")]
    return max(bounds) if bounds else None


def running() -> tuple[int, int]:
    return sys.version_info[:2]


def newer_python_note(needed: list[tuple[int, int]]) -> str | None:
    """One note for every file that needs a newer Python than archguard runs on."""
    if not needed:
        return None
    low, high = "%d.%d" % min(needed), "%d.%d" % max(needed)
    count = len(needed)
    newest = sum(1 for version in needed if version == max(needed))
    also = f" ({newest} of them {high}+)" if low != high else ""
    return (f"{count} file{'s' if count != 1 else ''} need{'' if count != 1 else 's'} "
            f"Python {low}+{also}: run archguard with Python {high} or newer for complete "
            f"results")


def untold_syntax_hint(spec: str) -> str:
    """AG000's hint for a syntax error archguard cannot tell from newer syntax, when the
    project requires a newer Python than archguard runs on."""
    return (f"the project requires Python {spec.strip()} and archguard runs on "
            f"{'%d.%d' % running()}: if the file is valid there, run archguard with that "
            f"Python; otherwise fix the syntax")
