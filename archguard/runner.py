"""The library API: ``run_check`` for a project on disk, ``check_sources`` for in-memory trees.

The CLI is a thin layer over these; tests and other tools call them without a subprocess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archguard.config import Config
from archguard.diagnostics import Diagnostic
from archguard.discovery import (
    ProjectLocation, folders_from_paths, locate_project, module_folders, package_files,
)
from archguard.engine import (
    PARSE_ERROR, FileResult, ProjectInput, Selection, analyze_file, finish, path_filter,
)
from archguard.facts import FileFacts, Span, module_name_for
from archguard.registry import find_rule
from archguard.suppressions import FileSuppressions


@dataclass
class CheckRequest:
    paths: list[Path] = field(default_factory=lambda: [Path(".")])
    config_file: Path | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None


@dataclass
class CheckReport:
    root: Path
    config: Config
    diagnostics: list[Diagnostic]
    files: int
    notes: list[str] = field(default_factory=list)


def run_check(request: CheckRequest) -> CheckReport:
    location = locate_project(request.paths, request.config_file)
    selection = Selection.build(location.config, request.select, request.ignore)
    paths = package_files(location)
    results = analyze_paths(location, paths)
    exists, folders = module_folders(location)
    in_scope = path_filter(location.root, request.paths)
    diagnostics = finish(ProjectInput(location.config, results, folders, exists), selection,
                         in_scope)
    return CheckReport(location.root, location.config, diagnostics,
                       sum(1 for p in paths if in_scope(p)))


def analyze_paths(location: ProjectLocation, paths: list[str]) -> list[FileResult]:
    return [_analyze_on_disk(location, path) for path in paths]


def _analyze_on_disk(location: ProjectLocation, path: str) -> FileResult:
    try:
        data = (location.root / path).read_bytes()
    except OSError as error:
        return unreadable_file(path, error)
    return analyze_file(path, data, location.config)


def unreadable_file(path: str, error: OSError) -> FileResult:
    module, is_init = module_name_for(path)
    rule = find_rule(PARSE_ERROR)
    diagnostic = rule.diagnostic(path, Span(1, 1, 1, 1),
                                 f"cannot read file: {error.strerror or error}")
    return FileResult(path, FileFacts(path, module, is_init), [diagnostic], FileSuppressions())


def check_sources(sources: Mapping[str, str | bytes], config: Config | None = None,
                  select: list[str] | None = None, ignore: list[str] | None = None,
                  ) -> list[Diagnostic]:
    """Check an in-memory tree: ``{"cpv3/modules/users/service.py": "source", ...}``.

    Non-Python paths take part in the layout rules only.
    """
    config = config or Config()
    selection = Selection.build(config, select, ignore)
    results = [
        analyze_file(path, text.encode() if isinstance(text, str) else text, config)
        for path, text in sorted(sources.items()) if path.endswith(".py")
    ]
    exists, folders = folders_from_paths(list(sources), config)
    return finish(ProjectInput(config, results, folders, exists), selection)
