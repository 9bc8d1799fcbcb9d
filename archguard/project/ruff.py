"""Which ruff rules a project's ruff configuration enables (``archguard init`` leaves out
the archguard rules that duplicate them).

Read from ``ruff.toml``, ``.ruff.toml`` or ``[tool.ruff]`` of ``pyproject.toml`` at the
project root (ruff's own order), top-level or under ``lint``. A code is enabled when the
longest matching ``select``/``extend-select`` prefix is longer than the longest matching
``ignore`` prefix (ruff's rule: the more specific wins). Two rules only duplicate
archguard's under one setting: TID252 with ``ban-relative-imports = "all"``, I002 with
``from __future__ import annotations`` among ``required-imports``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_SELECT = ["E4", "E7", "E9", "F"]  # ruff's default rule set
FUTURE_IMPORT = "from __future__ import annotations"


def ruff_settings(root: Path) -> tuple[Path, dict[str, Any]] | None:
    """(the file, its ruff settings) or None when the project does not configure ruff."""
    for name in ("ruff.toml", ".ruff.toml"):
        path = root / name
        if path.is_file():
            document = _read(path)
            return (path, document) if document is not None else None
    path = root / "pyproject.toml"
    document = _read(path) if path.is_file() else None
    tool = document.get("tool") if document else None
    if isinstance(tool, dict) and isinstance(tool.get("ruff"), dict):
        return path, tool["ruff"]
    return None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # ruff will complain itself; init goes on without the overlap check


def _lint_value(settings: dict[str, Any], key: str) -> Any:
    lint = settings.get("lint")
    if isinstance(lint, dict) and key in lint:
        return lint[key]
    return settings.get(key)


def _codes(value: Any) -> list[str]:
    return [str(v).upper() for v in value] if isinstance(value, list) else []


def _letters(code: str) -> str:
    return re.match(r"[A-Z]*", code)[0]  # type: ignore[index]  (always matches)


def _matches(selector: str, code: str) -> bool:
    """ruff's selectors name a linter, then part of a code: ``A`` (flake8-builtins) does not
    select ``ANN401``, ``ANN`` and ``ANN4`` do."""
    return selector == "ALL" or (code.startswith(selector)
                                 and _letters(selector) == _letters(code))


def _longest(code: str, prefixes: list[str]) -> int:
    """How specific the most specific matching selector is (ALL: 0); -1 when none."""
    return max((0 if p == "ALL" else len(p) for p in prefixes if _matches(p, code)),
               default=-1)


def enabled(settings: dict[str, Any], code: str) -> bool:
    select = _codes(_lint_value(settings, "select")) or (
        [] if _lint_value(settings, "select") is not None else DEFAULT_SELECT)
    select += _codes(_lint_value(settings, "extend-select"))
    ignore = _codes(_lint_value(settings, "ignore"))
    chosen = _longest(code, select)
    if chosen < 0 or _longest(code, ignore) >= chosen:
        return False
    return _setting_agrees(settings, code)


def _setting_agrees(settings: dict[str, Any], code: str) -> bool:
    if code == "TID252":
        tidy = _lint_value(settings, "flake8-tidy-imports")
        return isinstance(tidy, dict) and tidy.get("ban-relative-imports") == "all"
    if code == "I002":
        isort = _lint_value(settings, "isort")
        required = isort.get("required-imports") if isinstance(isort, dict) else None
        return isinstance(required, list) and any(
            " ".join(str(item).split()) == FUTURE_IMPORT for item in required)
    return True


def duplicated(root: Path, overlaps: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """archguard code -> the ruff codes that already cover it in this project (every code
    of the overlap must be enabled)."""
    found = ruff_settings(root)
    if found is None:
        return {}
    settings = found[1]
    return {code: ruff for code, ruff in overlaps.items()
            if ruff and all(enabled(settings, r) for r in ruff)}
