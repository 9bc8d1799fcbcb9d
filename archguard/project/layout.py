"""The project's module folders as found on disk: what the layout rules and the graph see."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModuleFolder:
    """One folder under modules-dir, as found on disk (for the layout rules)."""

    name: str
    files: tuple[str, ...]  # file names directly inside, dot-files excluded
    subdirs: tuple[str, ...]  # folder names directly inside, __pycache__/dot-dirs excluded
