from __future__ import annotations

MIN_PROGRESS = 0
MAX_PROGRESS = 100


def clamp_progress(value: int) -> int:
    """Keep a reported progress value inside 0..100."""
    return max(MIN_PROGRESS, min(MAX_PROGRESS, value))


def progress_from_counts(done: int, total: int) -> int:
    """Percentage of `done` out of `total`, 0 when the total is unknown."""
    if total <= 0:
        return MIN_PROGRESS
    return clamp_progress(done * MAX_PROGRESS // total)
