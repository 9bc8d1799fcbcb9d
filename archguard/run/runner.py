"""The library API: ``run_check`` for a project on disk, ``check_sources`` for in-memory trees.

The CLI is a thin layer over these; tests and other tools call them without a subprocess.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from archguard.diagnostics import ArchguardError, Diagnostic, sort_diagnostics
from archguard.engine.analyze import (
    PARSE_ERROR, FileResult, ProjectInput, Selection, analyze_file, file_problem, finish,
    path_filter, project_rule_findings,
)
from archguard.engine.cache import FileCache
from archguard.engine.pool import ProgressCallback, analyze_on_disk, relaxed_gc
from archguard.project.config import Config
from archguard.project.detect import detect_layout, file_hints, layout_from_hints, needs_hints
from archguard.project.fileio import read_regular
from archguard.project.discovery import (
    Problems, ProjectLocation, check_configured_paths, folders_from_paths, locate_project,
    module_folders, package_files,
)
from archguard.report.result import CheckedFiles, CheckReport
from archguard.rules.registry import all_rules
from archguard.semgrep.scan import SemgrepPlan


@dataclass
class CheckRequest:
    paths: list[Path] = field(default_factory=lambda: [Path(".")])
    config_file: Path | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    since: str | None = None  # git revision: report only files changed since it
    baseline: Path | None = None  # hide the findings recorded in this baseline file
    config_baseline: bool = True  # apply [tool.archguard] baseline (--no-baseline: False)
    jobs: int = 0  # processes for per-file work: 0 = one per core, 1 = serial
    use_cache: bool = True  # read and write .archguard_cache/ (--no-cache: neither)
    progress: ProgressCallback | None = None  # (done, total) while files are analysed
    # (label, files) when a stage that reports no progress starts (semgrep, after the native
    # pass); the progress bar shows it.
    on_stage: Callable[[str, int], None] | None = None
    semgrep: bool = True  # run the semgrep rules too (--no-semgrep: False)


def run_check(request: CheckRequest) -> CheckReport:
    location = locate_project(request.paths, request.config_file)
    check_configured_paths(location)
    problems: Problems = []
    paths = package_files(location, problems)
    cache, cache_error = _open_cache(location, request)
    cache.refresh(location.root, paths)
    location, layout_notes = _detected(location, paths, cache)
    semgrep = SemgrepPlan.build(location, request.semgrep)
    selection = semgrep.restrict(Selection.build(location.config, request.select,
                                                 request.ignore, semgrep.custom_codes,
                                                 semgrep.custom_aliases))
    in_scope = scope(location.root, request)
    apply_baseline = _baseline_filter(baseline_file(location, request))  # fail before work
    notes = [*location.notes, *semgrep.notes()]  # _findings_and_cache adds vanished files
    if cache_error is not None:  # reported where the cache is first needed, as before
        raise cache_error
    found, cache = _findings_and_cache(location, paths, selection, request, semgrep, notes,
                                       cache)
    found += [file_problem(path, message) for path, message in problems
              if PARSE_ERROR in selection]
    diagnostics = sort_diagnostics([d for d in found if in_scope(d.path)])
    diagnostics, python_notes = _python_versions(location.root, diagnostics)
    files = sum(1 for p in paths if in_scope(p))
    under_paths = path_filter(location.root, request.paths)  # --since may narrow to none
    if not any(under_paths(p) for p in paths) and not diagnostics:
        # a green result that checked nothing is not one
        where = ", ".join(str(p) for p in request.paths)
        raise ArchguardError(f"no Python file to check under {where} (package "
                             f"'{location.config.package}' in {location.root})")
    report = CheckReport(location.root, location.config, diagnostics, files,
                         notes=layout_notes + python_notes + notes,
                         rules=tuple(r.code for r in all_rules() if r.code in selection),
                         checked=CheckedFiles(tuple(paths), cache.digests))
    return apply_baseline(report, in_scope)


def _open_cache(location: ProjectLocation, request: CheckRequest,
                ) -> tuple[FileCache, ArchguardError | None]:
    """The run's cache (disabled with --no-cache), and the error of a cache folder that
    must not be used (then a disabled cache)."""
    if not request.use_cache:
        return FileCache.disabled(), None
    try:
        return FileCache.open(location.root, location.config), None
    except ArchguardError as error:
        return FileCache.disabled(), error


def _detected(location: ProjectLocation, paths: list[str], cache: FileCache,
              ) -> tuple[ProjectLocation, list[str]]:
    """The location with the settings module and database layer detected when unset: from
    each file's layout hints, read from the cache for the files known unchanged."""
    config = location.config
    hints = dict.fromkeys(paths, 0)
    if needs_hints(config):
        for path in paths:
            known = cache.layout_hints(path)
            hints[path] = known if known is not None else _hints_on_disk(location, path, cache)
    config, notes = layout_from_hints(config, hints)
    return dataclasses.replace(location, config=config, configured=location.config), notes


def _hints_on_disk(location: ProjectLocation, path: str, cache: FileCache) -> int:
    try:  # bounded: never a FIFO or a device, never above the size limit
        data = read_regular(location.root / path, location.config.max_file_bytes)[1]
    except OSError:
        return file_hints(path, "", location.config)
    hints = file_hints(path, data.decode("utf-8", errors="replace"), location.config)
    cache.remember_layout_hints(path, data, hints)
    return hints


def _findings_and_cache(location: ProjectLocation, paths: list[str], selection: Selection,
                        request: CheckRequest, semgrep: SemgrepPlan | None,
                        notes: list[str] | None, cache: FileCache | None,
                        ) -> tuple[list[Diagnostic], FileCache]:
    """Every finding of the project, before the PATHs/--since scope is applied (so one
    cached report serves every scope): from the cache's memo when no input changed; and
    the cache that produced them. Files deleted during the run are left out, named in
    ``notes``. A cache whose stored entries cannot be used (tampered with, written by a
    broken build) is rebuilt: it never fails a run. ``cache``: the run's cache, already
    refreshed (else opened here)."""
    try:
        return _project_findings(location, paths, selection, request, semgrep, notes,
                                 cache=cache)
    except ArchguardError:
        raise
    except Exception:
        if not request.use_cache:
            raise  # a real error: the cache played no part
        if notes is not None:
            notes.append("the cache could not be used and was rebuilt")
        return _project_findings(location, paths, selection, request, semgrep, notes,
                                 rebuild=True)


def _project_findings(location: ProjectLocation, paths: list[str], selection: Selection,
                      request: CheckRequest, semgrep: SemgrepPlan | None,
                      notes: list[str] | None, rebuild: bool = False,
                      cache: FileCache | None = None,
                      ) -> tuple[list[Diagnostic], FileCache]:
    exists, folders = module_folders(location)
    if cache is None or rebuild:
        configured = location.configured or location.config
        cache = FileCache.open(location.root, configured, rebuild) if request.use_cache \
            else FileCache.disabled()
        cache.refresh(location.root, paths)
    scan = (semgrep or SemgrepPlan.off()).scan(location, paths, selection, cache)
    memo_parts = (selection, folders, exists, scan.memo_part)
    found = cache.reports.recall(cache.memo_key(paths, memo_parts))
    if found is None:
        with relaxed_gc():
            with scan.running(_stage(request, "semgrep rules")):  # beside or after this pass
                results, vanished = analyze_paths(location, paths, request, cache)
            if vanished and notes is not None:
                notes.append(vanished_note(sorted(vanished)))
            project_input = ProjectInput(location.config, results, folders, exists,
                                         cache.durable)
            found = finish(project_input, selection, extra=scan.diagnostics,
                           extra_suppressions=scan.suppressions,
                           project_found=_project_rules(project_input, selection, paths,
                                                        cache))
        cache.reports.remember(cache.memo_key(paths, memo_parts), found)
    cache.save(paths)
    return found, cache


def _python_versions(root: Path, diagnostics: list[Diagnostic],
                     ) -> tuple[list[Diagnostic], list[str]]:
    """One note for the files that need a newer Python; when the project's requires-python
    is newer than the running Python, AG000s of unrecognised syntax say so in their hint."""
    from archguard.project import pythons

    needed, unknown = [], False
    for d in diagnostics:
        if d.code == PARSE_ERROR:
            match = pythons.NEEDS.search(d.message)
            if match:
                needed.append((int(match[1]), int(match[2])))
            unknown = unknown or (match is None and d.message.startswith("syntax error"))
    note = pythons.newer_python_note(needed)
    spec = pythons.requires_python(root) if unknown else None
    least = pythons.minimum(spec)
    if spec and least and least > pythons.running():
        hint = pythons.untold_syntax_hint(spec)
        diagnostics = [replace(d, hint=hint) if d.code == PARSE_ERROR
                       and d.message.startswith("syntax error")
                       and not pythons.NEEDS.search(d.message) else d for d in diagnostics]
    return diagnostics, [note] if note else []


def _stage(request: CheckRequest, label: str) -> Callable[[int], None] | None:
    on_stage = request.on_stage
    return None if on_stage is None else (lambda files: on_stage(label, files))


def _project_rules(project_input: ProjectInput, selection: Selection, paths: list[str],
                   cache: FileCache) -> list[Diagnostic]:
    """The project rules' findings: from the cache when every file's facts are as then."""
    key = cache.project_key(paths, (selection, project_input.module_folders,
                                    project_input.modules_dir_exists))
    found = cache.project_rules.recall(key)
    if found is None:
        found = project_rule_findings(project_input, selection)
        cache.project_rules.remember(key, found)
    return found


def scope(root: Path, request: CheckRequest) -> Callable[[str], bool]:
    """Which paths are reported: under the PATHs given, and changed since ``--since``."""
    in_scope = path_filter(root, request.paths)
    if request.since is None:
        return in_scope
    from archguard.project.since import changed_filter, intersect

    return intersect(in_scope, changed_filter(root, request.since))


def baseline_file(location: ProjectLocation, request: CheckRequest, must_exist: bool = True,
                  ) -> Path | None:
    """``--baseline FILE``, else the configured ``baseline`` (relative to the project root)
    unless ``--no-baseline``."""
    if request.baseline is not None:
        return request.baseline
    configured = location.config.baseline
    if configured is None or not request.config_baseline:
        return None
    path = location.root / configured
    if must_exist and not path.is_file():
        from archguard.diagnostics import ArchguardError

        raise ArchguardError(f"baseline file not found: {path} ([tool.archguard] baseline); "
                             f"create it with 'archguard baseline', or run with --no-baseline")
    return path


def _baseline_filter(baseline_file: Path | None,
                     ) -> Callable[[CheckReport, Callable[[str], bool]], CheckReport]:
    """``--baseline``: applied last, after suppressions, over the reported findings."""
    if baseline_file is None:
        return lambda report, in_scope: report
    from archguard.report.baseline import apply_baseline, load

    baseline = load(baseline_file)
    return lambda report, in_scope: apply_baseline(report, baseline, str(baseline_file),
                                                   in_scope)


def analyze_paths(location: ProjectLocation, paths: list[str], request: CheckRequest,
                  cache: FileCache) -> tuple[list[FileResult], list[str]]:
    """Per-file results in ``paths`` order: unchanged files from the cache, the rest
    analysed (in a process pool when there are many); and the files that vanished."""
    results, todo = cache.cached_results(paths)
    fresh = analyze_on_disk(location.root, todo, location.config, request.jobs,
                            request.progress, digest_facts=cache.enabled)
    cache.store_results(fresh)
    vanished = [item.path for item in fresh if item.vanished]
    results.update((item.path, item.result) for item in fresh if not item.vanished)
    return [results[path] for path in paths if path in results], vanished


def vanished_note(paths: list[str]) -> str:
    named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"{len(paths)} file{'s' if len(paths) != 1 else ''} deleted during the run, " \
           f"not checked: {named}"


def check_sources(sources: Mapping[str, str | bytes], config: Config | None = None,
                  select: list[str] | None = None, ignore: list[str] | None = None,
                  ) -> list[Diagnostic]:
    """Check an in-memory tree: ``{"cpv3/modules/users/service.py": "source", ...}``.

    Non-Python paths take part in the layout rules only.
    """
    texts = {path: text if isinstance(text, str) else text.decode("utf-8", "replace")
             for path, text in sources.items() if path.endswith(".py")}
    config, _ = detect_layout(config or Config(), texts)
    selection = Selection.build(config, select, ignore)
    results = [
        analyze_file(path, text.encode() if isinstance(text, str) else text, config)
        for path, text in sorted(sources.items()) if path.endswith(".py")
    ]
    exists, folders = folders_from_paths(list(sources), config)
    return finish(ProjectInput(config, results, folders, exists), selection)
