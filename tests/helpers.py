"""Test helpers: run the real checker on real source text and compare exact findings."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from archguard.diagnostics import Diagnostic
from archguard.project.config import Config
from archguard.run.runner import check_sources

Finding = tuple[str, str, int]  # (code, path, line)


def dedent(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented source) under ``root``."""
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run(files: Mapping[str, str | bytes], select: list[str] | None = None,
        config: Config | None = None) -> list[Diagnostic]:
    """Check an in-memory tree; sources are dedented."""
    prepared = {path: dedent(text) if isinstance(text, str) else text
                for path, text in files.items()}
    return check_sources(prepared, config=config, select=select)


def findings(files: Mapping[str, str | bytes], select: list[str],
             config: Config | None = None) -> list[Finding]:
    """Exact (code, path, line) triples, sorted as the checker sorts them."""
    return [(d.code, d.path, d.line) for d in run(files, select, config)]


# The project's declarative base, soft-delete mixin and filter helper (model and repository
# rules resolve models against it).
BASE = "cpv3/db/base.py"
BASE_SOURCE = dedent("""
    from __future__ import annotations

    from sqlalchemy import Boolean, ColumnElement
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class BaseModelMixin:
        is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)


    def not_deleted(model: type[BaseModelMixin]) -> ColumnElement[bool]:
        return model.is_deleted.is_(False)
""")
