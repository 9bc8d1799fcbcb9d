"""``check --fix`` and ``--diff``: the rules' fixes applied in rounds.

A round checks the project, asks each rule's fixer for its findings in each file (one call per
rule and file, so a rule's own fixes never collide), turns the new texts into minimal edits,
keeps a rule's edits only when none of them overlaps an edit already kept for that file (the
rest waits for the next round, where it is computed again on the new text), and writes each
file whose result compiles (atomically). Rounds repeat until nothing changes, at most
``MAX_ROUNDS``. ``--diff`` runs one round and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from archguard.analysis.parsing import parse_module
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.fix.atomic import atomic_write_text
from archguard.fix.edits import Change, apply_changes, changes_between, unified_diff
from archguard.fix.parallel import run_fixers
from archguard.project.config import Config
from archguard.project.discovery import locate_project, package_files
from archguard.report.fixable import FixSettings
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.run.runner import CheckRequest, run_check

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    fixed: list[Diagnostic] = field(default_factory=list)  # as reported before their fix
    notes: list[str] = field(default_factory=list)  # fixes that were not made, and why
    before: dict[str, str | None] = field(default_factory=dict)  # path -> text (None: new)
    after: dict[str, str] = field(default_factory=dict)  # path -> text now
    rounds: int = 0

    def diff(self) -> str:
        return "".join(unified_diff(path, self.before[path], self.after[path])
                       for path in sorted(self.after) if self.before[path] != self.after[path])


@dataclass
class _Group:
    """One rule's findings in one file, and what its fixer made of them."""

    findings: list[Diagnostic]
    output: FixOutput
    changes: dict[str, list[Change]] = field(default_factory=dict)


def fix_project(request: CheckRequest, unsafe: bool, write: bool) -> FixOutcome:
    """Apply (or, without ``write``, compute one round of) the fixes the findings allow."""
    location = locate_project(request.paths, request.config_file)
    settings = FixSettings.build(location.config, unsafe)
    files = tuple(package_files(location))
    outcome = FixOutcome()
    quick = replace(request, semgrep=False, progress=None)  # no semgrep rule has a fix
    for _ in range(MAX_ROUNDS):
        report = run_check(quick)
        todo = [d for d in report.diagnostics if settings.applies(d)]
        if not todo:
            break
        outcome.rounds += 1
        texts = _Texts(location.root)
        written = _round(todo, texts, location.root, location.config, files, outcome,
                         request.jobs)
        for path, text in written.items():
            outcome.before.setdefault(path, texts.original(path))
            outcome.after[path] = text
            if write:
                _write(location.root / path, text)
        if not written or not write:
            break
    outcome.notes = list(dict.fromkeys(outcome.notes))  # a skipped fix is retried each round
    return outcome


def _write(target: Path, text: str) -> None:
    try:
        atomic_write_text(target, text)
    except OSError as error:
        raise ArchguardError(f"cannot write {target}: {error.strerror or error}") from None


class _Texts:
    """The current text of each file a round touches (None: the file does not exist)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, str | None] = {}

    def original(self, path: str) -> str | None:
        if path not in self.cache:
            target = self.root / path
            try:
                with open(target, encoding="utf-8", newline="") as stream:
                    self.cache[path] = stream.read()
            except (FileNotFoundError, IsADirectoryError):
                self.cache[path] = None if not target.is_dir() else ""
            except (OSError, UnicodeDecodeError):
                self.cache[path] = None
        return self.cache[path]


def _round(todo: list[Diagnostic], texts: _Texts, root: Path, config: Config,
           files: tuple[str, ...], outcome: FixOutcome, jobs: int) -> dict[str, str]:
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in todo:
        groups.setdefault((d.path, d.code), []).append(d)
    work = [(code, path, findings) for (path, code), findings in sorted(groups.items())
            if texts.original(path) is not None]
    outputs = run_fixers([(code, FixRequest(root, path, texts.original(path) or "",
                                            tuple(findings), config, files))
                          for code, path, findings in work], jobs)
    kept: list[_Group] = []
    for (code, path, findings), output in zip(work, outputs):
        group = _group(code, path, findings, output, texts, outcome)
        if group is None or not group.changes:
            continue
        if any(c.conflicts(k) for other in kept for p, cs in group.changes.items()
               for c in cs for k in other.changes.get(p, [])):
            continue  # the next round computes it again on the new text
        kept.append(group)
    written = _combine(kept, texts, outcome)
    for group in kept:
        skipped = {id(d) for d, _ in group.output.skipped}
        outcome.fixed.extend(d for d in group.findings if id(d) not in skipped)
    return written


def _combine(kept: list[_Group], texts: _Texts, outcome: FixOutcome) -> dict[str, str]:
    """Each file's kept edits applied together; a file whose result does not compile drops
    every group that edits it (in every file it edits, so no fix is half applied)."""
    while True:
        paths = sorted({p for group in kept for p in group.changes})
        written: dict[str, str] = {}
        failed: str | None = None
        for path in paths:
            changes = [c for group in kept for c in group.changes.get(path, [])]
            new = apply_changes(texts.original(path) or "", changes)
            if not _compiles(path, new, texts.original(path)):
                failed = path
                break
            written[path] = new
        if failed is None:
            return written
        outcome.notes.append(f"{failed}: the fixes together do not compile; dropped")
        kept[:] = [group for group in kept if failed not in group.changes]


def _group(code: str, path: str, findings: list[Diagnostic], output: FixOutput,
           texts: _Texts, outcome: FixOutcome) -> _Group | None:
    """The fixer's output as edits of each file; None when a result does not compile."""
    for d, why in output.skipped:
        outcome.notes.append(f"{d.path}:{d.line}:{d.column}: {d.code} not fixed: {why}")
    group = _Group(findings, output)
    for changed, new in output.changes.items():
        old = texts.original(changed)
        if old == new:
            continue
        if (texts.root / changed).is_symlink():
            outcome.notes.append(f"{changed}: a symbolic link; {code} fix not written")
            return None
        if not _compiles(changed, new, old):
            outcome.notes.append(f"{path}: {code} fix dropped: its result does not compile")
            return None
        group.changes[changed] = changes_between(old or "", new) if old is not None else [
            Change(0, 0, new)]
    return group


def _compiles(path: str, new: str, old: str | None) -> bool:
    """The new text compiles (byte code, so a misplaced ``__future__`` import counts);
    when the old text did not compile either (newer syntax than this Python), it parses."""
    if not path.endswith(".py"):
        return True
    try:
        compile(new, path, "exec", dont_inherit=True)
        return True
    except (SyntaxError, ValueError):
        pass
    if old is None:
        return False
    try:
        compile(old, path, "exec", dont_inherit=True)
        return False
    except (SyntaxError, ValueError):
        try:
            parse_module(new)
            return True
        except (SyntaxError, ValueError):
            return False
