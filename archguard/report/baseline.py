"""Baselines: adopt archguard on a codebase that does not conform yet.

``archguard baseline`` records today's findings in a JSON file; ``archguard check --baseline
FILE`` hides those and reports (and exits on) new findings only.

A finding is identified by a fingerprint that survives unrelated edits: its code, its path,
the flagged source line with whitespace collapsed, and its occurrence index among findings
with the same (code, path, line text). Line numbers are not part of it, so inserting lines
above a finding or moving a function does not resurrect it; editing the flagged line itself
makes it a new finding. Folder and file findings have no source line: their message stands
in for it. SARIF ``partialFingerprints`` and GitLab ``fingerprint`` use the same value.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archguard import __version__
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.analysis.parsing import python_lines
from archguard.project.fileio import read_regular, write_user_file
from archguard.report.result import CheckReport

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".archguard-baseline.json"
READ_LIMIT = 64 * 1024 * 1024  # anchors are not read from larger files
_STALE_NAMED = 10  # stale entries named in the one-line summary; json lists them all


@dataclass(frozen=True)
class BaselineEntry:
    code: str
    path: str
    fingerprint: str
    line: int  # for the reader of the file only: never used to match
    message: str

    def label(self) -> str:
        return f"{self.code} {self.path}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...] = ()


@dataclass(frozen=True)
class BaselineStatus:
    """What ``--baseline`` did: findings it hid, and entries that no longer occur."""

    matched: int
    stale: tuple[BaselineEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {"matched": self.matched, "stale": len(self.stale),
                "stale_entries": [entry.to_json() for entry in self.stale]}

    def notes(self, baseline_file: str) -> list[str]:
        notes = [f"{self.matched} baselined finding{'s' if self.matched != 1 else ''} hidden"]
        if self.stale:
            named = ", ".join(entry.label() for entry in self.stale[:_STALE_NAMED])
            more = len(self.stale) - _STALE_NAMED
            named += f" and {more} more" if more > 0 else ""
            notes.append(f"{len(self.stale)} stale baseline entr"
                         f"{'ies' if len(self.stale) != 1 else 'y'} no longer found ({named}): "
                         f"run 'archguard baseline --prune {baseline_file}' to drop them")
        return notes


class SourceLines:
    """Reads the lines of files under the project root once each."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str:
        if path not in self._cache:
            self._cache[path] = _read_lines(self._root / path)
        lines = self._cache[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""


def _read_lines(path: Path) -> list[str]:
    try:  # bounded: the file may have been replaced by a FIFO or grown since the analysis
        _, data = read_regular(path, READ_LIMIT)
    except OSError:  # a folder, or a file that vanished: the message stands in
        return []
    return python_lines(data.decode("utf-8", errors="replace"))


def _anchor(diagnostic: Diagnostic, lines: SourceLines) -> str:
    """The normalised flagged line, or the message for folder and whole-file findings."""
    whole_file = (diagnostic.line, diagnostic.column, diagnostic.end_line,
                  diagnostic.end_column) == (1, 1, 1, 1)
    if diagnostic.path.endswith(".py") and not whole_file:
        text = " ".join(lines.line(diagnostic.path, diagnostic.line).split())
        if text:
            return "line:" + text
    return "message:" + diagnostic.message


def fingerprints(diagnostics: Iterable[Diagnostic], root: Path) -> list[str]:
    """One fingerprint per diagnostic, in order (diagnostics come sorted by position)."""
    lines = SourceLines(root)
    seen: Counter[tuple[str, str, str]] = Counter()
    result = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.path, _anchor(diagnostic, lines))
        text = "\0".join((*key, str(seen[key])))
        seen[key] += 1
        result.append(hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32])
    return result


def record(report: CheckReport) -> Baseline:
    """Today's findings as a baseline."""
    prints = fingerprints(report.diagnostics, report.root)
    return Baseline(tuple(
        BaselineEntry(d.code, d.path, fingerprint, d.line, d.message)
        for d, fingerprint in zip(report.diagnostics, prints)))


def _match(report: CheckReport, baseline: Baseline,
           ) -> tuple[list[Diagnostic], list[BaselineEntry], list[BaselineEntry]]:
    """(new diagnostics, entries for the matched diagnostics, unmatched entries)."""
    remaining = Counter(entry.fingerprint for entry in baseline.entries)
    new: list[Diagnostic] = []
    matched: list[BaselineEntry] = []
    for d, fingerprint in zip(report.diagnostics, fingerprints(report.diagnostics,
                                                               report.root)):
        if remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
            matched.append(BaselineEntry(d.code, d.path, fingerprint, d.line, d.message))
        else:
            new.append(d)
    unmatched = []
    for entry in baseline.entries:
        if remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
            unmatched.append(entry)
    return new, matched, unmatched


def apply_baseline(report: CheckReport, baseline: Baseline,
                   baseline_file: str = DEFAULT_BASELINE,
                   in_scope: Callable[[str], bool] = lambda path: True) -> CheckReport:
    """Hide baselined findings. Entries count as stale only where this run looked: inside
    the checked paths (``in_scope``) and for the selected rules."""
    new, matched, unmatched = _match(report, baseline)
    looked = set(report.rules)
    stale = tuple(entry for entry in unmatched
                  if in_scope(entry.path) and (not looked or entry.code in looked))
    status = BaselineStatus(len(matched), stale)
    return dataclasses.replace(report, diagnostics=new, baseline=status,
                               notes=[*report.notes, *status.notes(baseline_file)])


def prune(report: CheckReport, baseline: Baseline) -> tuple[Baseline, int]:
    """The baseline without its stale entries (nothing new is added), and how many went."""
    _, matched, unmatched = _match(report, baseline)
    return Baseline(tuple(matched)), len(unmatched)


def load(path: Path) -> Baseline:
    try:
        data = json.loads(read_regular(path, READ_LIMIT)[1].decode("utf-8"))
    except FileNotFoundError:
        raise ArchguardError(f"baseline file not found: {path} (create it with "
                             f"'archguard baseline -o {path}')") from None
    except OSError as error:
        raise ArchguardError(f"cannot read baseline {path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ArchguardError(f"{path}: not a valid baseline file: {error}") from None
    except RecursionError:
        raise ArchguardError(f"{path}: not a valid baseline file: JSON nested too "
                             f"deeply") from None
    return _parse(data, path)


def _parse(data: Any, path: Path) -> Baseline:
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise ArchguardError(f"{path}: not an archguard baseline (version "
                             f"{BASELINE_VERSION}); re-create it with 'archguard baseline'")
    try:
        return Baseline(tuple(
            BaselineEntry(str(e["code"]), str(e["path"]), str(e["fingerprint"]),
                          int(e.get("line", 0)), str(e.get("message", "")))
            for e in data["findings"]))
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise ArchguardError(f"{path}: malformed baseline entry ({error!r}); re-create it "
                             f"with 'archguard baseline'") from None


def dump(baseline: Baseline, path: Path) -> None:
    entries = sorted(baseline.entries, key=lambda e: (e.path, e.line, e.code, e.fingerprint))
    document = {"version": BASELINE_VERSION, "tool": f"archguard {__version__}",
                "findings": [entry.to_json() for entry in entries]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    # A file name with undecodable bytes is a lone surrogate: written as its escape, so the
    # file stays valid UTF-8 (and still matches: the fingerprint hashes the same escape).
    write_user_file(path, text.encode("utf-8", "backslashreplace"))
