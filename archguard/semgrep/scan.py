"""The semgrep engine inside ``archguard check``: which rules run, on which files, and when.

``SemgrepPlan`` is decided once per run, before the selection is built: whether the engine
is on (``--no-semgrep``, ``semgrep = false``, ``ARCHGUARD_NO_SEMGREP``) and the user's own
rules (``semgrep-rules``), whose codes ``--select``/``--ignore`` accept. ``SemgrepScan`` is the
run itself: the selected rules over the package and the tests folder, beside the native
pass or after it (``running``), with per-file results from
``archguard.semgrep.cache`` so that semgrep starts only for files it has not seen, and only
for the files one of the selected rules can match (``archguard.semgrep.prefilter``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.diagnostics import Diagnostic
from archguard.engine.analyze import Selection, file_problem
from archguard.engine.cache import FileCache
from archguard.project.config import Config
from archguard.project.discovery import ProjectLocation, walk_python_files
from archguard.report.suppressions import FileSuppressions
from archguard.semgrep.binary import semgrep_version
from archguard.semgrep.cache import (
    SemgrepCache, Snapshot, diagnostics_of, snapshot, unchanged_since,
)
from archguard.semgrep.config_literals import drop_non_config_literals
from archguard.semgrep.env_reads import drop_non_setting_reads
from archguard.semgrep.placeholders import drop_placeholder_mocks
from archguard.semgrep.targeting import (
    exclusion_patterns, skipped_targets, utf8_name, with_exclusions,
)
from archguard.semgrep.trees import Trees
from archguard.semgrep.rules import (
    SemgrepRuleInfo, load_custom_rules, needs_copy, rule_text, rules_fingerprint,
    selected_rules, semgrep_codes,
)

if TYPE_CHECKING:
    from archguard.semgrep.process import SemgrepProcess

# A file whose name is not UTF-8 (it reads as lone surrogates) cannot be handed to semgrep,
# which fails the whole run on it: it is left out and reported, package file or not.
UNNAMEABLE = "semgrep cannot scan a file whose name is not UTF-8: rename it"
UNNAMEABLE_HINT = "give the file a UTF-8 name; its content is not the problem"

# Set (not "0"/"false"/""): --no-semgrep without the note in the summary, for tools and
# test suites that run archguard over and over (archguard's own suite sets it).
ENV_OFF = "ARCHGUARD_NO_SEMGREP"

# A scan of at most this much source starts before the native pass and runs beside it: its
# start-up (reading the rules, about 0.3 s) hides there. A larger one starts after the pass:
# semgrep runs one OCaml domain per core and slows down more than the overlap saves when the
# native workers share the cores (2 cores, cold runs: tracecat 8.7 -> 8.1 s, polar 8.8 ->
# 8.5 s; a one-file run 1.66 s beside the pass, 1.73 s after it).
OVERLAP_MAX_BYTES = 1024 * 1024


@dataclass
class SemgrepPlan:
    enabled: bool
    reason: str = ""  # why the engine is off, for the report's summary line
    custom: list[SemgrepRuleInfo] = field(default_factory=list)

    @classmethod
    def build(cls, location: ProjectLocation, use_semgrep: bool = True) -> SemgrepPlan:
        config = location.config
        custom = load_custom_rules(location.root, config) if config.semgrep_rules else []
        reason = ("--no-semgrep" if not use_semgrep else
                  "semgrep = false" if not config.semgrep else "")
        return cls(not reason and not env_off(), reason, custom)

    @classmethod
    def off(cls) -> SemgrepPlan:
        return cls(False)

    @property
    def custom_codes(self) -> list[str]:
        return [info.code for info in self.custom]

    @property
    def custom_aliases(self) -> dict[str, str]:
        """Slug -> code of the user's rules (a slug works wherever a code does)."""
        return {info.slug: info.code for info in self.custom if info.slug != info.code}

    def restrict(self, selection: Selection) -> Selection:
        """With the engine off its rules are not selected (so no AG001 for their
        suppression comments, and they are not listed as rules that ran)."""
        if self.enabled:
            return selection
        off = tuple(code.upper() for code in semgrep_codes() + self.custom_codes)
        return dataclasses.replace(selection, ignore=selection.ignore + off)

    def notes(self) -> list[str]:
        return [f"semgrep rules off: {self.reason}"] if self.reason else []

    def scan(self, location: ProjectLocation, paths: list[str], selection: Selection,
             cache: FileCache) -> SemgrepScan:
        rules = selected_rules(selection, self.custom, location.config) if self.enabled else []
        return SemgrepScan(location.root, location.config, rules, self.custom, paths, cache)


def env_off() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no")


class SemgrepScan:
    """One run's semgrep findings (``diagnostics``) and the suppression comments of the
    scanned files outside the package (``suppressions``), for ``engine.finish``."""

    def __init__(self, root: Path, config: Config, rules: list[SemgrepRuleInfo],
                 custom: list[SemgrepRuleInfo], paths: list[str], cache: FileCache) -> None:
        self.root, self.config, self.rules = root, config, rules
        self.catalog = {info.rule_id: info for info in rules + custom}  # check_id -> rule
        self.diagnostics: list[Diagnostic] = []
        self.suppressions: dict[str, FileSuppressions] = {}
        self.memo_part: object = None  # what the finished report depends on beyond paths
        if not rules:
            return
        self.package = paths
        self.outside = outside_files(root, config, set(paths))
        self.store = SemgrepCache(cache, rules_fingerprint(rules, config, semgrep_version()))
        self.known: dict[str, bytes | None] = dict(cache.digests)
        self.known.update((path, self.store.digest(root, path, config.max_file_bytes))
                          for path in self.outside)
        self.memo_part = (self.store.rules_key, tuple((p, self.known[p]) for p in self.outside))
        self.store.save(set(paths) | set(self.outside), set(self.outside))  # fresh stamps

    @contextmanager
    def running(self, on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        """semgrep's findings of the files the body's native pass checks. A small scan runs
        in its own process while the body runs (its start-up hides there), a large one
        (``OVERLAP_MAX_BYTES``) after it; ``on_wait(files)`` is called when the body is done
        and semgrep is still at work."""
        if not self.rules:
            yield
            return
        from archguard.semgrep.process import (
            SemgrepProcess, diagnostics_by_path, file_errors, normal_path,
        )

        todo = self._todo()
        targets = [path for path, snap in todo.items()
                   if isinstance(snap, Snapshot) and snap.rules != ()]
        readable = {path: snap for path, snap in todo.items() if isinstance(snap, Snapshot)}
        if readable and not targets:  # semgrep still reads the rules: a broken one is an error
            probe = min(readable, key=lambda path: readable[path].stamp.size)
            todo[probe] = dataclasses.replace(readable[probe], rules=None)
            targets = [probe]
        process = SemgrepProcess(self.root, self.config.semgrep_timeout,
                                 self.config.max_file_bytes) if targets else None
        sizes = {path: readable[path].stamp.size for path in targets}
        overlapped = sum(sizes.values()) <= OVERLAP_MAX_BYTES
        try:
            if process is not None and overlapped:
                self._start(process, todo, targets, sizes)
            yield
            if process is not None and not overlapped:
                self._start(process, todo, targets, sizes)
            if process is not None and on_wait is not None and not process.finished():
                on_wait(len(targets))
            report = process.wait() if process is not None else {}
            fresh = diagnostics_by_path(report, self.catalog, self.root,
                                        self.config.max_file_bytes)
            scanned = {normal_path(str(p)) for p in report.get("scanned") or []}
            failed = file_errors(report.get("errors") or [])
            self._collect(todo, fresh, scanned, failed)
            trees = Trees(self.root)  # the judgements after the scan parse a file once
            self.diagnostics = drop_placeholder_mocks(trees, self.diagnostics,
                                                      self.package + self.outside)
            self.diagnostics = drop_non_setting_reads(trees, self.diagnostics, self.config,
                                                      self.package)
            self.diagnostics = drop_non_config_literals(trees, self.diagnostics)
        finally:
            if process is not None:
                process.close()

    def _start(self, process: SemgrepProcess, todo: dict[str, Snapshot | str | None],
               targets: list[str], sizes: dict[str, int]) -> None:
        chosen = {path: todo[path] for path in targets}  # the probe's rules: all
        skipped = exclusion_patterns(skipped_targets(
            targets, (info.rule_id for info in self.rules),
            lambda path: _rules_of(chosen[path])), targets)
        process.start(self._rule_files(process.workdir, skipped), targets, sizes)

    def _todo(self) -> dict[str, Snapshot | str | None]:
        """Files without a cached result for their current content, read now, with the
        rules that can match each (``archguard.semgrep.prefilter``)."""
        paths = [path for path in self.package + self.outside
                 if self.store.lookup(path, self.known.get(path)) is None]
        if not paths:
            return {}
        from archguard.semgrep.prefilter import Prefilter, RuleFilter, rule_filters

        filters = self.store.filters  # kept with the rule set: no YAML read after an edit
        if not (isinstance(filters, list) and all(isinstance(f, RuleFilter) for f in filters)
                and [f.rule_id for f in filters] == [info.rule_id for info in self.rules]):
            self.store.filters = filters = rule_filters(self.rules, self.config)
            self.store.dirty = True
        rules_for = Prefilter(filters).rules_for
        outside = set(self.outside)
        limit = self.config.max_file_bytes
        todo = {path: snapshot(self.root, path, path in outside, limit, rules_for)
                for path in paths}
        for path, snap in todo.items():
            if isinstance(snap, Snapshot) and snap.rules != () and not utf8_name(path):
                todo[path] = UNNAMEABLE  # semgrep fails on the whole run with it
        return todo

    def _rule_files(self, workdir: Path, skipped: dict[str, list[str]]) -> list[Path]:
        """The rule files semgrep reads: copies where archguard changes them (shipped globs
        rewritten for this layout, the targets each rule cannot match excluded, see
        ``archguard.semgrep.targeting``), else the files themselves."""
        files: dict[Path, Path] = {}
        for info in self.rules:
            if info.file in files:
                continue
            text = rule_text(info, self.config)
            # only the shipped files are rewritten: PyYAML reads YAML 1.1, semgrep 1.2, and a
            # user's unquoted `10:30` would come back as 630
            narrowed = with_exclusions(text, skipped) if skipped and info.builtin else None
            if narrowed is None and not needs_copy(info, self.config):
                files[info.file] = info.file
                continue
            copy = workdir / "rules" / str(len(files)) / info.file.name
            copy.parent.mkdir(parents=True)
            copy.write_bytes(narrowed if narrowed is not None else text)
            files[info.file] = copy
        return list(files.values())

    def _collect(self, todo: dict[str, Snapshot | str | None],
                 fresh: dict[str, list[Diagnostic]], scanned: set[str],
                 failed: dict[str, str]) -> None:
        """Cache only what semgrep says it scanned without error: a file it skipped or
        failed on has no "no findings" to remember. Such a file outside the package is an
        AG000 finding (the native pass reports package files itself); a file that vanished
        meanwhile is simply gone."""
        outside = set(self.outside)
        for path in self.package + self.outside:
            if path in todo:
                snap = todo[path]
                found = fresh.pop(path, [])
                supp = snap.suppressions if isinstance(snap, Snapshot) else None
                if isinstance(snap, str):  # not a regular file, too large, unreadable
                    found = [file_problem(path, snap)] if path in outside else []
                    if snap == UNNAMEABLE:  # its content is fine: the hint says so
                        found = [dataclasses.replace(file_problem(path, snap),
                                                     hint=UNNAMEABLE_HINT)]
                elif snap is not None and snap.rules == ():  # no rule can match: no findings
                    self.store.put(path, snap, found)
                elif snap is not None and path in failed:
                    if os.path.lexists(self.root / path):  # not a file that vanished
                        found = [*found, file_problem(
                            path, f"semgrep could not scan this file ({failed[path]})")]
                elif snap is not None and path in scanned and \
                        unchanged_since(self.root, path, snap):
                    self.store.put(path, snap, found)
            else:
                entry = self.store.lookup(path, self.known.get(path))
                assert entry is not None
                found, supp = diagnostics_of(entry), entry.suppressions
            self.diagnostics.extend(found)
            if supp is not None and supp.items:
                self.suppressions[path] = supp
        for found in fresh.values():  # a path semgrep spelled differently: still reported
            self.diagnostics.extend(found)
        self.store.save(set(self.package) | set(self.outside), set(self.outside))


def outside_files(root: Path, config: Config, package: set[str]) -> list[str]:
    """Python files of the tests folder (AG805, custom rules) that are not package files."""
    tests = root / config.tests_dir.strip("/")
    if not tests.is_dir() or tests.resolve() == root.resolve():
        return []
    return [p for p in walk_python_files(root, tests, config) if p not in package]


def _rules_of(snap: Snapshot | str | None) -> tuple[str, ...] | None:
    return snap.rules if isinstance(snap, Snapshot) else None
