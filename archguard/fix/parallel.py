"""Running the rules' fixers, in a process pool when there are many files: parsing with
libcst dominates ``--fix`` (about 30 ms a file), and each file's fix is independent."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from archguard.fix.edits import Change, changes_between
from archguard.rules.fixing import FixOutput, FixRequest
from archguard.rules.registry import find_rule

# Below either a pool costs more than it saves: its workers take time to start and each
# imports libcst again, and a fixer's time goes with the text it parses (about 0.4 s a
# megabyte; a fix that reads the other project files counts as the whole limit). Serial
# instead of pooled: a one-file JSON run on tracecat (27 cheap cross-file layout fixes and
# one service's) 0.85 -> 0.82 s, the 300-module tree's cold JSON run (18 fixes) 1.11 ->
# 1.08 s.
PARALLEL_MIN_GROUPS = 16
PARALLEL_MIN_CHARS = 512 * 1024
T = TypeVar("T")


def run_fixers(work: list[tuple[str, FixRequest]], jobs: int = 0) -> list[FixOutput]:
    """Each (code, request)'s fixer output, in the order given. ``jobs``: 0 = one process
    per core, 1 = serial. Forked workers only (they inherit the registered rules); where
    fork is unsafe or missing, serial."""
    return _pooled(_run_packed, work, jobs)


def run_fixers_with_changes(work: list[tuple[str, FixRequest]], jobs: int = 0,
                            ) -> list[tuple[FixOutput, dict[str, list[Change]]]]:
    """``run_fixers``, and for the file each request fixes the changes from its text to the
    fixed text: the line diff costs about as much as the fix, so it runs in the same
    worker (the fix records of a JSON run)."""
    return _pooled(_run_with_changes, work, jobs)


def _pooled(func: Callable[[tuple[str, FixRequest]], T], work: list[tuple[str, FixRequest]],
            jobs: int) -> list[T]:
    workers = jobs or os.cpu_count() or 1
    if workers < 2 or len(work) < PARALLEL_MIN_GROUPS or _weight(work) < PARALLEL_MIN_CHARS or \
            threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        return [func(item) for item in work]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(work) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(func, work, chunksize=chunk))


def _weight(work: list[tuple[str, FixRequest]]) -> int:
    """The text the fixers parse, a fix that reads the project counting as the limit."""
    return sum(PARALLEL_MIN_CHARS if find_rule(code).fix_reads_project else len(request.text)
               for code, request in work)


def run_fixer(code: str, request: FixRequest) -> FixOutput:
    fixer = find_rule(code).fixer()
    return fixer(request) if fixer is not None else FixOutput()


def _run_packed(item: tuple[str, FixRequest]) -> FixOutput:
    return run_fixer(*item)


def _run_with_changes(item: tuple[str, FixRequest],
                      ) -> tuple[FixOutput, dict[str, list[Change]]]:
    output = run_fixer(*item)
    request = item[1]
    new = output.changes.get(request.path)
    return output, ({} if new is None else {request.path: changes_between(request.text, new)})
