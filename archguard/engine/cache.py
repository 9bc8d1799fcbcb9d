"""The per-file result cache: ``.archguard_cache/`` at the project root (or $ARCHGUARD_CACHE_DIR).

Two files per cache key, both pickles of plain data:

* ``<key>.index``: path -> stamp (stat + content digest) for every file, a small memo of
  finished reports keyed by everything they depend on (so a warm run with nothing changed
  loads no facts and runs no rule at all), the project pass's ``DurableMemo`` (results
  such as the module cycles, keyed by their own inputs), and each file's layout hints
  (``archguard.project.detect.file_hints``) by its content digest, so detecting the settings
  module and the database layer reads no unchanged file;
* ``<key>.pack``: path -> (content digest, pickled ``FileResult``, digest of its facts).

Besides the memo of finished reports (keyed by content), the index keeps the project rules'
findings keyed by the facts of every file: an edit that leaves a file's facts as they were
(a comment, a changed expression, lines appended) reuses them and runs no project rule.

The key hashes what a per-file result depends on besides the file: archguard's version and
code, the effective config, the registered rule codes, the Python version and the project
root. A change of any of them is a different key (never a stale read); old keys are pruned.

Trust: a file whose stat (mtime, ctime, size, inode) equals the stored one is taken as
unchanged without reading it. When the stat differs the content digest decides, so touching
a file costs a read and a hash, not an analysis. A file modified less than two seconds before
its stat was taken is stored without a trusted stat (its mtime may not change on the next
edit within the filesystem's timestamp granularity), and is re-hashed on the next run.

Concurrency: every write goes to a temporary file in the cache folder and is renamed over the
old one, so a reader sees a whole old or a whole new file. A missing, partial or corrupt file
is a miss, never an error. Pack entries are used only when their digest equals the file's
current digest, and memo keys include every digest, so an index and a pack written by two
different runs never combine into a wrong result.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from archguard.analysis.project_view import DurableMemo
from archguard.diagnostics import ArchguardError, Diagnostic
from archguard.analysis.facts import FileFacts
from archguard.engine.analyze import FileResult
from archguard.report.suppressions import FileSuppressions
from archguard.engine.pool import Analyzed, Stamp, digest_of, read_file, stamp_of
from archguard.project.config import Config
from archguard.project.fileio import atomic_write as fileio_atomic_write, read_regular
from archguard.rules.registry import all_rules

CACHE_DIR_NAME = ".archguard_cache"
CACHE_DIR_ENV = "ARCHGUARD_CACHE_DIR"
FORMAT = 3  # bump when the layout of the files below changes
KEEP_KEYS = 4  # cache keys kept (the current one and the most recently used others)
RACY_WINDOW_NS = 2_000_000_000
UNTRUSTED = -1  # mtime of a stamp whose stat must not be trusted (see the module docstring)
MEMO_SIZE = 8
TEMP_MAX_AGE_S = 3600  # leftovers of a run killed mid-write
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by archguard.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")


def cache_dir(root: Path) -> Path:
    override = os.environ.get(CACHE_DIR_ENV)
    return Path(override).expanduser() if override else root / CACHE_DIR_NAME


def cache_key(root: Path, config: Config) -> str:
    import archguard  # the version read at call time (an upgrade in place is a new key)

    parts = (FORMAT, archguard.__version__, code_fingerprint(), config.fingerprint(),
             tuple(rule.code for rule in all_rules()), sys.version_info[:2],
             str(root.resolve()))
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """archguard's own source files (name, size, mtime): an edited rule is a new key."""
    package = Path(__file__).resolve().parent.parent  # the whole archguard package
    digest = hashlib.blake2b(digest_size=12)
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(".py")):
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:  # removed meanwhile (an editor's save): its absence counts
                continue
            digest.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


MARKER = "ARCHGUARD_CACHE"  # names the format: a folder without it is not proven ours
MARKER_TEXT = "archguard cache\nformat {format}\n"
GITIGNORE = "*\n"
# The kinds of file kept per cache key: .semgrep is archguard.semgrep.cache's, .fixes
# archguard.fix.records'.
OWN_KINDS = ("index", "pack", "semgrep", "fixes")
OWN_FILE = re.compile(rf"^[0-9a-f]{{24}}\.({'|'.join(OWN_KINDS)})$")  # <cache key>.<kind>
OWN_TEMP = re.compile(rf"^([0-9a-f]{{24}}\.({'|'.join(OWN_KINDS)})|ARCHGUARD_CACHE|\.gitignore|"
                      r"CACHEDIR\.TAG)\.\d+\.[0-9a-f]{12}\.tmp$")  # fileio.atomic_write's


class CacheStore:
    """The files of one cache folder: atomic writes, reads that never fail, pruning.
    Only files archguard provably wrote are ever replaced or deleted."""

    def __init__(self, directory: Path, rebuild: bool = False) -> None:
        self.directory = directory
        self.rebuild = rebuild  # read nothing, overwrite everything (an unusable cache)

    @classmethod
    def for_project(cls, root: Path, rebuild: bool = False) -> CacheStore:
        directory = cache_dir(root)
        refuse_unsafe(directory, root)
        return cls(directory, rebuild)

    def read(self, name: str, key: str) -> dict[str, Any] | None:
        if self.rebuild:
            return None
        try:
            with open(self.directory / name, "rb") as handle:
                payload = pickle.load(handle)
        except Exception:  # noqa: BLE001 - missing, truncated, corrupt, other version: a miss
            return None
        if isinstance(payload, dict) and payload.get("format") == FORMAT and \
                payload.get("key") == key:
            return payload
        return None

    def write(self, name: str, key: str, payload: dict[str, Any]) -> bool:
        data = pickle.dumps({"format": FORMAT, "key": key, **payload}, pickle.HIGHEST_PROTOCOL)
        try:
            self._prepare()
            atomic_write(self.directory / name, data)
        except OSError:  # read-only checkout, full disk: the run goes on without a cache
            return False
        return True

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        marker = MARKER_TEXT.format(format=FORMAT)
        for name, text in ((MARKER, marker), (".gitignore", GITIGNORE),
                           ("CACHEDIR.TAG", CACHEDIR_TAG)):
            path = self.directory / name
            if not path.exists() or (name == MARKER and _read_text(path) != marker):
                atomic_write(path, text.encode())

    def prune(self, key: str) -> None:
        """Drop other keys beyond the most recent few, and stale temporary files: only
        names archguard gives its own files."""
        try:
            entries = [(e.stat(follow_symlinks=False).st_mtime, e.name)
                       for e in os.scandir(self.directory)
                       if e.is_file(follow_symlinks=False) and _own(e.name)]
        except OSError:
            return
        now = time.time()
        keys: dict[str, float] = {}
        for mtime, name in entries:
            if OWN_TEMP.match(name):
                if now - mtime > TEMP_MAX_AGE_S:
                    _unlink(self.directory / name)
            elif OWN_FILE.match(name):
                stem = name.rsplit(".", 1)[0]
                keys[stem] = max(keys.get(stem, 0.0), mtime)
        others = sorted((k for k in keys if k != key), key=lambda k: keys[k], reverse=True)
        for stale in others[KEEP_KEYS - 1:]:
            for kind in OWN_KINDS:
                _unlink(self.directory / f"{stale}.{kind}")


def _read_text(path: Path) -> str | None:
    try:
        return read_regular(path, 64 * 1024)[1].decode("utf-8", errors="replace")
    except OSError:
        return None


def _own(name: str) -> bool:
    """A name archguard gives its files (the marker, its .gitignore and CACHEDIR.TAG are
    checked by content elsewhere)."""
    return bool(OWN_FILE.match(name) or OWN_TEMP.match(name))


def foreign_entries(directory: Path) -> list[str]:
    """Entries of a cache folder archguard did not write (sorted)."""
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):  # not there yet (or cannot be)
        return []
    foreign = []
    for entry in entries:
        name = entry.name
        regular = entry.is_file(follow_symlinks=False)
        if regular and _own(name):
            continue
        if regular and name == ".gitignore" and _read_text(Path(entry.path)) == GITIGNORE:
            continue
        if regular and name == "CACHEDIR.TAG" and _read_text(Path(entry.path)) == CACHEDIR_TAG:
            continue
        if regular and name == MARKER and (_read_text(Path(entry.path)) or "").startswith(
                "archguard cache\n"):
            continue
        foreign.append(name)
    return sorted(foreign)


def has_marker(directory: Path) -> bool:
    return (_read_text(directory / MARKER) or "").startswith("archguard cache\n")


def refuse_unsafe(directory: Path, root: Path) -> None:
    """A cache folder that is (or holds) the project, or that holds files archguard did not
    write, is refused: archguard writes a ``.gitignore`` of ``*`` there and prunes it."""
    reason = unsafe_reason(directory, root)
    if reason:
        raise ArchguardError(f"cache folder {directory} {reason}: not used (point "
                             f"{CACHE_DIR_ENV} at an empty folder, or run with --no-cache)")


def unsafe_reason(directory: Path, root: Path) -> str | None:
    try:
        resolved, project = directory.resolve(), root.resolve()
    except (OSError, RuntimeError):
        return "cannot be resolved"
    if resolved == project:
        return "is the project root"
    if resolved in project.parents:
        return "holds the project"
    if os.path.lexists(directory) and not directory.is_dir():
        return "is not a folder"
    if has_marker(directory):
        return None  # archguard's own folder: foreign files in it are left alone
    try:
        foreign = foreign_entries(directory)
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        return f"holds files archguard did not write ('{foreign[0]}'{more})"
    return None


def atomic_write(path: Path, data: bytes) -> None:
    """Cache files: atomic, not fsynced (a cache lost in a crash is only a miss)."""
    fileio_atomic_write(path, data, durable=False, keep_mode=False)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # already gone (another run pruned it) or not ours to delete


def _unpack(entry: object, digest: bytes | None, path: str) -> FileResult | None:
    """A pack entry's result if it is for this content; a damaged entry is a miss."""
    try:
        stored, blob, _ = entry  # type: ignore[misc]
        if digest is None or stored != digest:
            return None
        result = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: analyse the file again
        return None
    return result if well_formed_result(result, path) else None


def clean(root: Path) -> Path | None:
    """Remove the project's cache; returns the folder if there was one.

    Only files archguard provably wrote are deleted (its own file names, and the marker,
    ``.gitignore`` and ``CACHEDIR.TAG`` with archguard's content), then the folder if it is
    empty; a folder that is the project or holds the project, or holds other files and no
    marker, is refused. A mistaken ARCHGUARD_CACHE_DIR can never wipe anything else."""
    directory = cache_dir(root)
    if not directory.is_dir():
        return None
    refuse_unsafe(directory, root)
    foreign = set(foreign_entries(directory))
    for entry in os.scandir(directory):
        if entry.name not in foreign and entry.is_file(follow_symlinks=False):
            _unlink(Path(entry.path))
    try:
        directory.rmdir()
    except OSError:
        pass  # something else lives there
    return directory


_FIELD_TYPES = (str, int, int, str, str, str, int, int, str, str, str)  # Diagnostic's fields


def well_formed(diagnostic: object) -> bool:
    """A stored diagnostic with the right field types (anything else is a miss)."""
    return isinstance(diagnostic, Diagnostic) and all(
        type(getattr(diagnostic, name)) is kind
        for name, kind in zip(Diagnostic.__slots__, _FIELD_TYPES))


def well_formed_result(result: object, path: str) -> bool:
    return (isinstance(result, FileResult) and result.path == path
            and isinstance(result.facts, FileFacts) and isinstance(result.diagnostics, list)
            and all(map(well_formed, result.diagnostics))
            and isinstance(result.suppressions, FileSuppressions))


class DiagnosticMemo:
    """The most recent few lists of diagnostics, by a key of everything they depend on;
    stored in the index as plain tuples. A ``None`` key (an unknown input) is never kept."""

    def __init__(self, entries: dict[str, tuple[tuple[Any, ...], ...]] | None = None) -> None:
        self.entries = dict(entries or {})
        self.changed = False

    def recall(self, key: str | None) -> list[Diagnostic] | None:
        found = self.entries.get(key) if key else None
        if found is None:
            return None
        try:
            diagnostics = [Diagnostic(*values) for values in found]
        except TypeError:  # a memo from a different Diagnostic shape
            return None
        return diagnostics if all(map(well_formed, diagnostics)) else None

    def remember(self, key: str | None, diagnostics: list[Diagnostic]) -> None:
        if key is None:
            return
        self.entries.pop(key, None)
        self.entries[key] = tuple(tuple(getattr(d, name) for name in Diagnostic.__slots__)
                                  for d in diagnostics)
        while len(self.entries) > MEMO_SIZE:
            del self.entries[next(iter(self.entries))]
        self.changed = True


class FileCache:
    """One run's view of the cache. ``FileCache.disabled()`` (``--no-cache``) reads and
    writes nothing and answers every question with "unknown"."""

    def __init__(self, store: CacheStore | None, key: str = "",
                 max_bytes: int | None = None) -> None:
        self.store, self.key, self.max_bytes = store, key, max_bytes
        self.stamps: dict[str, Stamp] = {}
        self.reports = DiagnosticMemo()  # finished reports, by every file's content
        self.project_rules = DiagnosticMemo()  # project rules' findings, by every file's facts
        self.durable = DurableMemo()
        self.hints: dict[str, tuple[bytes, int]] = {}  # path -> (content digest, layout hints)
        index = store.read(f"{key}.index", key) if store else None
        if index is not None:
            self._load_index(index)
        self.digests: dict[str, bytes] = {}  # files known unchanged in this run
        self.facts_digests: dict[str, bytes] = {}  # of the results loaded or stored
        self._pack: dict[str, tuple[bytes, bytes, bytes | None]] | None = None
        self._index_dirty = self._pack_dirty = False

    @classmethod
    def open(cls, root: Path, config: Config, rebuild: bool = False) -> FileCache:
        """``rebuild``: ignore what is stored (it could not be used) and replace it."""
        return cls(CacheStore.for_project(root, rebuild), cache_key(root, config),
                   config.max_file_bytes)

    @classmethod
    def disabled(cls) -> FileCache:
        return cls(None)

    def refresh(self, root: Path, paths: list[str]) -> None:
        """Learn which files are unchanged: by stat, or by digest when the stat moved."""
        base = os.fspath(root)
        for path in paths:
            old = self.stamps.get(path)
            if old is None:
                continue
            try:
                st = os.stat(os.path.join(base, path))  # no Path object per file
                if old.same_stat(st):
                    self.digests[path] = old.digest
                    continue
                st, data = read_file(root, path, self.max_bytes)
            except OSError:
                continue
            new = stamp_of(st, data)
            if new.digest == old.digest:
                self.digests[path] = new.digest
                self._set_stamp(path, new)

    def layout_hints(self, path: str) -> int | None:
        """The file's stored layout hints, if its content is known unchanged."""
        entry, digest = self.hints.get(path), self.digests.get(path)
        if entry is None or digest is None:
            return None
        try:
            stored, hints = entry
        except (TypeError, ValueError):  # a damaged entry is a miss
            return None
        return hints if stored == digest and type(hints) is int else None

    def remember_layout_hints(self, path: str, data: bytes, hints: int) -> None:
        """Keep a file's layout hints by the digest of the bytes they were read from."""
        if self.store is not None:
            self.hints[path] = (digest_of(data), hints)
            self._index_dirty = True

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def memo_key(self, paths: list[str], parts: Iterable[object]) -> str | None:
        """A key for the finished report, if every file is known unchanged."""
        return self._key(self.digests, paths, parts)

    def project_key(self, paths: list[str], parts: Iterable[object]) -> str | None:
        """A key for the project rules' findings, if every file's facts digest is known."""
        return self._key(self.facts_digests, paths, parts)

    def _key(self, digests: dict[str, bytes], paths: list[str],
             parts: Iterable[object]) -> str | None:
        if self.store is None or any(path not in digests for path in paths):
            return None
        text = repr(([(path, digests[path]) for path in paths], tuple(parts)))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def cached_results(self, paths: list[str]) -> tuple[dict[str, FileResult], list[str]]:
        """Results of unchanged files from the pack, and the paths left to analyse."""
        pack = self._load_pack() if self.digests else {}
        results: dict[str, FileResult] = {}
        todo: list[str] = []
        for path in paths:
            entry = pack.get(path)
            result = _unpack(entry, self.digests.get(path), path)
            if result is None:
                todo.append(path)
                continue
            results[path] = result
            if entry[2] is not None:  # type: ignore[index]
                self.facts_digests[path] = entry[2]  # type: ignore[index]
        return results, todo

    def store_results(self, analyzed: list[Analyzed]) -> None:
        if self.store is None:
            return
        pack = self._load_pack()
        for item in analyzed:
            if item.stamp is None:  # unreadable: report it again next time
                continue
            blob = item.blob or pickle.dumps(item.result, pickle.HIGHEST_PROTOCOL)
            pack[item.path] = (item.stamp.digest, blob, item.facts_digest)
            if item.facts_digest is not None:
                self.facts_digests[item.path] = item.facts_digest
            self.digests[item.path] = item.stamp.digest
            self._set_stamp(item.path, item.stamp)
            self._pack_dirty = True

    def save(self, paths: list[str]) -> None:
        """Write what changed (entries of files no longer there are dropped), then prune."""
        if self.store is None:
            return
        current = set(paths)
        if set(self.stamps) - current:
            self.stamps = {p: s for p, s in self.stamps.items() if p in current}
            self._index_dirty = True
        if set(self.hints) - current:
            self.hints = {p: h for p, h in self.hints.items() if p in current}
            self._index_dirty = True
        if self._pack is not None and set(self._pack) - current:
            self._pack = {p: e for p, e in self._pack.items() if p in current}
            self._pack_dirty = True
        if self._pack_dirty and self._pack is not None:
            self.store.write(f"{self.key}.pack", self.key, {"results": self._pack})
        if self.durable.changed or self.reports.changed or self.project_rules.changed:
            self._index_dirty = True
        if self._index_dirty:
            stamps = {path: (s.mtime_ns, s.ctime_ns, s.size, s.inode, s.digest)
                      for path, s in self.stamps.items()}
            if self.store.write(f"{self.key}.index", self.key,
                                {"stamps": stamps, "memo": self.reports.entries,
                                 "project_memo": self.project_rules.entries,
                                 "durable": self.durable.entries, "hints": self.hints}):
                self.store.prune(self.key)
        self._index_dirty = self._pack_dirty = False
        self.durable.changed = self.reports.changed = self.project_rules.changed = False

    def _set_stamp(self, path: str, stamp: Stamp) -> None:
        if time.time_ns() - stamp.mtime_ns < RACY_WINDOW_NS:
            stamp = Stamp(UNTRUSTED, stamp.ctime_ns, stamp.size, stamp.inode, stamp.digest)
        if self.stamps.get(path) != stamp:
            self.stamps[path] = stamp
            self._index_dirty = True

    def _load_index(self, index: dict[str, Any]) -> None:
        try:
            stamps = {path: Stamp(*values) for path, values in index["stamps"].items()}
            reports = DiagnosticMemo(dict(index["memo"]))
            project_rules = DiagnosticMemo(dict(index["project_memo"]))
            durable = DurableMemo(dict(index["durable"]))
            hints = dict(index["hints"])
        except Exception:  # noqa: BLE001 - a damaged index is an empty one
            return
        self.stamps, self.durable, self.hints = stamps, durable, hints
        self.reports, self.project_rules = reports, project_rules

    def _load_pack(self) -> dict[str, tuple[bytes, bytes, bytes | None]]:
        if self._pack is None:
            payload = self.store.read(f"{self.key}.pack", self.key) if self.store else None
            results = payload.get("results") if payload else None
            self._pack = results if isinstance(results, dict) else {}
        return self._pack
