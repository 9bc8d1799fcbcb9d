"""The fixes of the reported findings as JSON/SARIF describe them: each fixable finding's
fix computed alone, as edits of the current files.

Computing them needs libcst; a warm run must not. They are stored in the cache folder
(``<key>.fixes``) file by file: a file's fixes under a key of its findings and its content
digest, so after an edit only the edited files' fixes are computed again. The digest is the
one the check itself read (``CheckReport.checked``), so a warm run reads no file here; a
file the check has no digest of is read. Fixes computed from a text whose digest is not the
key's (the file changed since the check) are reported but not stored. The fixes that span
files (``PER_FINDING``) are keyed by their findings and the stat of every package file.
"""

from __future__ import annotations

import hashlib
import os

from archguard.diagnostics import Diagnostic, Edit, Fix
from archguard.engine.cache import CacheStore, cache_dir, cache_key
from archguard.engine.pool import digest_of
from archguard.fix.edits import Change, changes_between, to_edit
from archguard.fix.parallel import run_fixers_with_changes
from archguard.project.discovery import ProjectLocation, locate_project, package_files
from archguard.report.result import CheckReport
from archguard.rules.fixing import FixRequest
from archguard.rules.registry import find_rule
from archguard.run.runner import CheckRequest


def attach_fixes(report: CheckReport, request: CheckRequest) -> None:
    """Fill ``report.fixes`` for every finding whose fix the config allows (what the JSON
    and SARIF formats show; the CLI calls it for them, library users may too)."""
    wanted = [d for d in report.diagnostics if report.fix_settings.has_fix(d)]
    if not wanted:
        return
    location = locate_project(request.paths, request.config_file)
    checked = report.checked
    files = checked.paths if checked is not None else tuple(package_files(location))
    digests = checked.digests if checked is not None else {}
    units = _units(wanted)
    if not request.use_cache:  # nothing to key: every fix is computed
        report.fixes.update(fixes_of([d for found in units.values() for d in found],
                                     location, files, jobs=request.jobs))
        return
    store = CacheStore(cache_dir(location.root))
    name = f"{cache_key(location.root, location.config)}.fixes"
    stored = store.read(name, STORE_KEY)
    known: dict[str, tuple[str, dict[Diagnostic, Fix]]] = stored["entries"] if stored else {}
    entries: dict[str, tuple[str, dict[Diagnostic, Fix]]] = {}
    content: dict[str, bytes | None] = {}  # the digest each fresh unit's key was made with
    todo: list[Diagnostic] = []
    for unit, findings in units.items():
        digest = None if unit == CROSS_FILE else digests.get(unit) or _digest_on_disk(
            location, unit)
        key = _unit_key(location, unit, findings, files, digest)
        entry = known.get(unit)
        if entry is not None and entry[0] == key:
            entries[unit] = entry
        else:
            entries[unit] = (key, {})
            content[unit] = digest
            todo.extend(findings)
    texts = {d.path: _read(location, d.path) for d in todo}
    fresh = fixes_of(todo, location, files, texts, request.jobs) if todo else {}
    for d, fix in fresh.items():
        entries[_unit_of(d)][1][d] = fix
    for _, fixes in entries.values():
        report.fixes.update(fixes)
    for unit, digest in content.items():  # changed since the check: not kept under its key
        text = texts.get(unit)
        if digest is not None and (text is None or digest_of(text.encode()) != digest):
            del entries[unit]
    if todo or entries.keys() != known.keys():
        store.write(name, STORE_KEY, {"entries": entries})


STORE_KEY = "per-file fixes 2"  # the layout of the stored entries and their keys
CROSS_FILE = "<fixes that span files>"  # the unit of the PER_FINDING codes


def _unit_of(d: Diagnostic) -> str:
    return CROSS_FILE if d.code in PER_FINDING else d.path


def _units(findings: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
    units: dict[str, list[Diagnostic]] = {}
    for d in findings:
        units.setdefault(_unit_of(d), []).append(d)
    return units


def _unit_key(location: ProjectLocation, unit: str, findings: list[Diagnostic],
              files: tuple[str, ...], content: bytes | None) -> str:
    """A file's findings and its content digest (``None``: unreadable); for the fixes that
    span files, their findings and the stat of every package file (``_key``)."""
    if unit == CROSS_FILE:
        return _key(location, findings, files)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr([tuple(getattr(d, n) for n in Diagnostic.__slots__)
                        for d in findings]).encode("utf-8", "surrogateescape"))
    digest.update(b"<unreadable>" if content is None else content)
    return digest.hexdigest()


def _digest_on_disk(location: ProjectLocation, path: str) -> bytes | None:
    """The content digest of a file the check has none of (``None``: unreadable)."""
    try:
        return digest_of((location.root / path).read_bytes())
    except OSError:
        return None


PER_FINDING = frozenset({"AG103", "AG502"})  # their fixes span files: computed one by one


def fixes_of(findings: list[Diagnostic], location: ProjectLocation, files: tuple[str, ...],
             texts: dict[str, str | None] | None = None, jobs: int = 0,
             ) -> dict[Diagnostic, Fix]:
    """Each finding's fix as edits; left out when its fixer cannot make it.

    One fixer run per rule and file (parsing and printing a file per finding would cost
    minutes on a large project): a finding's fix is the edits on its own lines plus the
    edits on no finding's lines (the constants AG501 hoists, an import AG305 adds), so it
    is complete applied alone. Fixes that span files are computed finding by finding.
    ``texts``: the findings' files as already read (path -> text, None: unreadable);
    ``jobs``: fixer processes as ``--jobs`` says (0: one per core, 1: none)."""
    if texts is None:
        texts = {d.path: _read(location, d.path) for d in findings}
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in findings:
        if texts[d.path] is not None:
            key = (d.path, d.code if d.code not in PER_FINDING else f"{d.code}@{id(d)}")
            groups.setdefault(key, []).append(d)
    work = [(group[0].code, FixRequest(location.root, path, texts[path] or "", tuple(group),
                                       location.config, files))
            for (path, _), group in groups.items()]
    fixes: dict[Diagnostic, Fix] = {}
    for (code, request), (output, diffed) in zip(work, run_fixers_with_changes(work, jobs)):
        skipped = {id(d) for d, _ in output.skipped}
        edits: list[Edit] = []
        for path, new in sorted(output.changes.items()):
            old = texts[path] if path in texts else _read(location, path)
            changes = diffed[path] if path in diffed else \
                [Change(0, 0, new)] if old is None else changes_between(old, new)
            edits.extend(to_edit(path, old or "", change) for change in changes)
        title = find_rule(code).fix_title()
        owners = _owners(edits, list(request.findings), request.path)
        for d in request.findings:
            own = [e for e, owner in owners if owner is d]
            shared = [e for e, owner in owners if owner is None]
            if id(d) in skipped or not (own or len(request.findings) == 1):
                continue
            fixes[d] = Fix(d.fix, title, tuple(own + shared))
    return fixes


def _owners(edits: list[Edit], findings: list[Diagnostic], path: str,
            ) -> list[tuple[Edit, Diagnostic | None]]:
    """Each edit with the finding it fixes: the last finding at or above it in the file
    (a ``-> None`` lands on the line that closes a long signature); None for an edit above
    every finding or in another file (the constants and imports a fix adds)."""
    ordered = sorted(findings, key=lambda d: (d.line, d.column))
    owned: list[tuple[Edit, Diagnostic | None]] = []
    for edit in edits:
        above = [d for d in ordered if edit.path == path and (d.line, d.column) <= (
            edit.line, edit.column)] if len(findings) > 1 else []
        owned.append((edit, above[-1] if above else None))
    return owned


def _read(location: ProjectLocation, path: str) -> str | None:
    target = location.root / path
    if target.is_dir():
        return ""
    try:
        with open(target, encoding="utf-8", newline="") as stream:
            return stream.read()
    except (OSError, UnicodeDecodeError):
        return None


def _key(location: ProjectLocation, wanted: list[Diagnostic], files: tuple[str, ...]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr([tuple(getattr(d, n) for n in Diagnostic.__slots__)
                        for d in wanted]).encode("utf-8", "surrogateescape"))
    for path in files:
        try:
            st = os.stat(location.root / path)
        except OSError:
            continue
        # surrogateescape: a file name with bytes that are not UTF-8 is still a key
        digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}\n".encode(
            "utf-8", "surrogateescape"))
    return digest.hexdigest()
