"""semgrep's results per file, cached next to the per-file cache (``<key>.semgrep``).

semgrep's rules look at one file at a time, so a file's findings are a function of its path,
its content and the rule set: an entry is (content digest, diagnostics, suppressions of a
file outside the package), kept while the rule set (``rules_key``: semgrep's version, the
rule files' content, the layout) is the same. A warm run with nothing changed starts no
semgrep at all; with some files changed, semgrep scans only those.

Files outside the package (the tests folder) have no entry in the per-file cache, so their
stamps (stat + digest) live here, trusted by stat exactly like ``archguard.engine.cache`` does.
The cache key of ``archguard.engine.cache`` (archguard's version and code, the config, the Python
version, the project root) is part of the file name, so a change of any of those starts
afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archguard.diagnostics import Diagnostic
from archguard.engine.cache import RACY_WINDOW_NS, UNTRUSTED, FileCache, well_formed
from archguard.engine.pool import Stamp, read_file, stamp_of
from archguard.project.fileio import UnreadableFile
from archguard.report.suppressions import FileSuppressions, parse_suppressions

SUFFIX = ".semgrep"


@dataclass(slots=True)
class Entry:
    digest: bytes
    diagnostics: tuple[tuple[Any, ...], ...]  # Diagnostic fields, in __slots__ order
    suppressions: FileSuppressions | None  # for files outside the package (no FileResult)


@dataclass(slots=True)
class Snapshot:
    """A file as read just before semgrep started."""

    stamp: Stamp
    suppressions: FileSuppressions | None
    rules: tuple[str, ...] | None = None  # the rules that can match it (None: all)


class SemgrepCache:
    def __init__(self, cache: FileCache, rules_key: str) -> None:
        self.store, self.key, self.rules_key = cache.store, cache.key, rules_key
        self.stamps: dict[str, Stamp] = {}
        self.entries: dict[str, Entry] = {}
        self.filters: Any = None  # the prefilter's rule filters, derived for this rule set
        self.dirty = False
        payload = self.store.read(self.key + SUFFIX, self.key) if self.store else None
        if payload is not None:
            self._load(payload)

    def _load(self, payload: dict[str, Any]) -> None:
        try:
            stamps = {path: Stamp(*values) for path, values in payload["stamps"].items()}
            entries = dict(payload["files"]) if payload["rules"] == self.rules_key else {}
            if not all(_usable(entry) for entry in entries.values()):
                return  # a damaged file is an empty cache
        except Exception:  # a damaged file is an empty cache
            return
        self.stamps, self.entries = stamps, entries
        if payload["rules"] == self.rules_key:
            self.filters = payload.get("filters")

    def digest(self, root: Path, path: str, limit: int | None = None) -> bytes | None:
        """A file outside the package: its digest, by stat when the stat is unchanged."""
        old = self.stamps.get(path)
        try:
            if old is not None and old.same_stat(os.stat(root / path)):
                return old.digest
            st, data = read_file(root, path, limit)
        except OSError:
            return None
        self.remember_stamp(path, stamp_of(st, data))
        return self.stamps[path].digest

    def remember_stamp(self, path: str, stamp: Stamp) -> None:
        if time.time_ns() - stamp.mtime_ns < RACY_WINDOW_NS:  # see archguard.engine.cache
            stamp = Stamp(UNTRUSTED, stamp.ctime_ns, stamp.size, stamp.inode, stamp.digest)
        if self.stamps.get(path) != stamp:
            self.stamps[path] = stamp
            self.dirty = True

    def lookup(self, path: str, digest: bytes | None) -> Entry | None:
        entry = self.entries.get(path)
        return entry if entry is not None and digest is not None and \
            entry.digest == digest else None

    def put(self, path: str, snapshot: Snapshot, found: list[Diagnostic]) -> None:
        fields = tuple(tuple(getattr(d, name) for name in Diagnostic.__slots__) for d in found)
        self.entries[path] = Entry(snapshot.stamp.digest, fields, snapshot.suppressions)
        self.dirty = True

    def save(self, paths: set[str], outside: set[str]) -> None:
        """Write when something changed; entries of files no longer scanned are dropped."""
        if set(self.entries) - paths or set(self.stamps) - outside:
            self.entries = {p: e for p, e in self.entries.items() if p in paths}
            self.stamps = {p: s for p, s in self.stamps.items() if p in outside}
            self.dirty = True
        if not self.dirty or self.store is None:
            return
        stamps = {path: (s.mtime_ns, s.ctime_ns, s.size, s.inode, s.digest)
                  for path, s in self.stamps.items()}
        self.store.write(self.key + SUFFIX, self.key,
                         {"rules": self.rules_key, "stamps": stamps, "files": self.entries,
                          "filters": self.filters})
        self.dirty = False


def _usable(entry: object) -> bool:
    if not (isinstance(entry, Entry) and isinstance(entry.digest, bytes)
            and (entry.suppressions is None
                 or isinstance(entry.suppressions, FileSuppressions))):
        return False
    try:
        return all(well_formed(Diagnostic(*values)) for values in entry.diagnostics)
    except TypeError:
        return False


def snapshot(root: Path, path: str, outside: bool, limit: int | None = None,
             rules_for: Callable[[str, bytes], tuple[str, ...]] | None = None,
             ) -> Snapshot | str | None:
    """Read a file semgrep is about to scan: its stamp (stat before read), for a file
    outside the package its suppression comments (the native pass parses the others), and
    the rules that can match it (``rules_for``, the prefilter, on the same bytes).
    A file that cannot be scanned gives the reason (AG000 for a file outside the package);
    one that vanished gives None."""
    try:
        st, data = read_file(root, path, limit)
    except FileNotFoundError:
        return None
    except UnreadableFile as error:
        return str(error)
    except OSError as error:
        return f"cannot read file: {error.strerror or error}"
    suppressions = parse_suppressions(data.decode("utf-8", "replace")) if outside else None
    rules = rules_for(path, data) if rules_for is not None else None
    return Snapshot(stamp_of(st, data), suppressions, rules)


def unchanged_since(root: Path, path: str, snap: Snapshot) -> bool:
    """True when the file's stat did not move while semgrep ran. (An edit within the
    filesystem's timestamp granularity can hide; the entry is then keyed by the digest read
    before the run, which the next run no longer finds, since racy stamps are re-hashed.)"""
    try:
        return snap.stamp.same_stat(os.stat(root / path))
    except OSError:
        return False


def diagnostics_of(entry: Entry) -> list[Diagnostic]:
    return [Diagnostic(*values) for values in entry.diagnostics]
