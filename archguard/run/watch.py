"""``archguard check --watch``: check again whenever a file of the project is saved.

Every run goes through ``run_check`` with the cache on, so a save re-analyses only the
files that changed. watchfiles (a Rust notifier) is imported only here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

WATCHED_SUFFIXES = (".py", ".toml", ".yaml", ".yml", ".json")
SKIPPED_PARTS = frozenset({".git", "__pycache__", ".archguard_cache", ".venv", "node_modules"})
CLEAR_SCREEN = "\x1b[2J\x1b[H"


def watched(path: str) -> bool:
    """Project sources and settings; never the cache or the report archguard writes."""
    parts = Path(path).parts
    return path.endswith(WATCHED_SUFFIXES) and not SKIPPED_PARTS.intersection(parts)


def watch(root: Path, run_once: Callable[[], None], announce: Callable[[str], None],
          max_runs: int | None = None, stop: Callable[[], bool] | None = None,
          ignored: Callable[[str], bool] = lambda path: False) -> int:
    """Run, then run again after every batch of saves; returns the number of runs.
    ``max_runs`` and ``stop`` bound the loop (tests); Ctrl-C ends it otherwise."""
    from watchfiles import watch as changes

    runs = 1
    run_once()
    if max_runs is not None and runs >= max_runs:
        return runs
    announce(f"watching {root} for changes (Ctrl-C to stop)")
    for batch in changes(root, watch_filter=lambda _, path: watched(path) and not ignored(path),
                         stop_event=_StopEvent(stop) if stop else None, debounce=200,
                         rust_timeout=500, yield_on_timeout=stop is not None):
        if not batch:
            continue
        runs += 1
        run_once()
        if max_runs is not None and runs >= max_runs:
            break
        announce(f"watching {root} for changes (Ctrl-C to stop)")
    return runs


class _StopEvent:
    """watchfiles polls ``is_set()`` of its stop event; a callable is enough here."""

    def __init__(self, stop: Callable[[], bool]) -> None:
        self.stop = stop

    def is_set(self) -> bool:
        return self.stop()
