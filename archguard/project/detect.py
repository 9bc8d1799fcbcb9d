"""What the configuration leaves unset and the code shows: the settings module(s) and the
database layer.

Found from the files' text, before any parsing (semgrep, which runs alongside the native
pass, needs them for its ``paths:``): a settings module is a file defining a
``BaseSettings`` subclass, or a ``settings.py``/``config.py`` reading the environment; the
database layer is ``<package>/db/`` and ``<package>/infrastructure/`` when they exist, plus
every file that builds a session factory or engine or defines the session dependency
(``get_db``): the file that owns the sessions' lifecycle is the database layer by definition.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Mapping

from archguard.project.config import Config

_BASE_SETTINGS = re.compile(r"^class\s+\w+\s*\([^)]*\bBaseSettings\b", re.M)
_READS_ENV = re.compile(r"\bos\.environ\b|\bgetenv\s*\(|\bfrom\s+os\s+import\b[^\n]*\benviron\b")
_SETTINGS_NAMES = ("settings.py", "config.py")
_SESSION_FACTORY = re.compile(
    r"\b(async_sessionmaker|sessionmaker|create_async_engine|create_engine|scoped_session)"
    r"\s*\(")
# Every name _SESSION_FACTORY matches contains one of these: a file without any is skipped
# before the regex (the regex tries its alternatives at every word of every file).
_SESSION_FACTORY_WORDS = ("sessionmaker", "engine", "scoped_session")


def _builds_sessions(text: str) -> bool:
    return any(word in text for word in _SESSION_FACTORY_WORDS) and bool(
        _SESSION_FACTORY.search(text))


def _defines_dependency(text: str, names: list[str]) -> bool:
    return any(name in text and re.search(rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(",
                                          text, re.M)
               for name in names)


def detect_layout(config: Config, texts: Mapping[str, str]) -> tuple[Config, list[str]]:
    """``config`` with unset ``settings-module``/``db-layer`` detected from ``texts``
    (relative path -> source), and notes for configured paths that do not exist."""
    notes: list[str] = []
    changes: dict[str, object] = {}
    if config.settings_module is None:
        changes["settings_module"] = detect_settings(texts)
    else:
        notes += [f"settings-module '{path}' does not exist" for path in config.settings_modules
                  if path not in texts]
    if config.db_layer is None:
        changes["db_layer"] = detect_db_layer(config, texts)
    else:
        notes += [f"db-layer '{glob}' matches no file" for glob in config.db_layer_globs
                  if not any(_in_glob(path, glob) for path in texts)]
    return (dataclasses.replace(config, **changes) if changes else config), notes


def detect_settings(texts: Mapping[str, str]) -> list[str]:
    """Files defining a ``BaseSettings`` subclass, and ``settings.py``/``config.py`` files
    reading the environment (a loader beside the settings class is settings code too)."""
    return [path for path, text in sorted(texts.items())
            if ("BaseSettings" in text and _BASE_SETTINGS.search(text)) or (
                path.rsplit("/", 1)[-1] in _SETTINGS_NAMES and _READS_ENV.search(text))]


def detect_db_layer(config: Config, texts: Mapping[str, str]) -> list[str]:
    package = config.package.replace(".", "/")
    globs = [f"{package}/{layer}/**" for layer in ("db", "infrastructure")
             if any(p.startswith(f"{package}/{layer}/") for p in texts)]
    dependencies = config.session.dependencies
    for path, text in sorted(texts.items()):
        if any(_in_glob(path, glob) for glob in globs):
            continue
        if _builds_sessions(text) or _defines_dependency(text, dependencies):
            globs.append(path)
    return globs


def _in_glob(path: str, glob: str) -> bool:
    if glob.endswith("/**"):
        return path.startswith(glob[:-2])
    return fnmatch.fnmatch(path, glob) or path.startswith(glob.rstrip("/") + "/")


def in_db_layer(path: str, config: Config) -> bool:
    return any(_in_glob(path, glob) for glob in config.db_layer_globs)
