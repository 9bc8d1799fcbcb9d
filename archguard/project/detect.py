"""What the configuration leaves unset and the code shows: the settings module(s), the
database layer and the actor bounds the broker sets.

Found from the files' text, before any parsing (semgrep, which runs alongside the native
pass, needs them for its ``paths:``): a settings module is a file defining a
``BaseSettings`` subclass, or a ``settings.py``/``config.py``/``configs.py`` or a module of a
``settings``/``config``/``configs``/``conf`` package reading the environment; the
database layer is ``<package>/db/`` and ``<package>/infrastructure/`` when they exist, plus
every file that builds a session factory or engine or defines the session dependency
(``get_db``): the file that owns the sessions' lifecycle is the database layer by definition.
The broker's middleware bounds every actor when the project configures Dramatiq's
``Retries(max_retries=...)`` or ``TimeLimit(time_limit=...)``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Mapping

from archguard.project.config import Config

_BASE_SETTINGS = re.compile(r"^class\s+\w+\s*\([^)]*\bBaseSettings\b", re.M)
_READS_ENV = re.compile(r"\bos\.environ\b|\bgetenv\s*\(|\bfrom\s+os\s+import\b[^\n]*\benviron\b")
_SETTINGS_NAMES = ("settings.py", "config.py", "configs.py")
_SETTINGS_FOLDERS = ("settings", "config", "configs", "conf")  # a package of settings files
# a call of the middleware with the bound as a keyword (one level of nested parentheses)
_BROKER_BOUNDS = {
    "max_retries": re.compile(r"\bRetries\s*\((?:[^()]|\([^()]*\))*?\bmax_retries\s*="),
    "time_limit": re.compile(r"\bTimeLimit\s*\((?:[^()]|\([^()]*\))*?\btime_limit\s*="),
}
_SESSION_FACTORY = re.compile(
    r"\b(async_sessionmaker|sessionmaker|create_async_engine|create_engine|scoped_session)"
    r"\s*\(")
# Each regex runs only on a file that holds a word every match contains: most files hold
# none, and a regex tries its alternatives at every word of every file.
_SESSION_FACTORY_WORDS = ("sessionmaker", "engine", "scoped_session")
_BOUND_WORDS = {"max_retries": "Retries", "time_limit": "TimeLimit"}


def _builds_sessions(text: str) -> bool:
    return any(word in text for word in _SESSION_FACTORY_WORDS) and bool(
        _SESSION_FACTORY.search(text))


def _defines_dependency(text: str, names: list[str]) -> bool:
    return any(name in text and re.search(rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(",
                                          text, re.M)
               for name in names)


SETTINGS_HINT = 1  # the file defines a BaseSettings subclass, or is a settings.py/config.py
# or a module of a settings package, reading the environment
DB_HINT = 2  # the file builds a session factory or engine, or defines the session dependency
# the file gives every actor a bound through the broker's middleware
BOUND_HINTS = {"max_retries": 4, "time_limit": 8}


def _is_settings_file(path: str, config: Config) -> bool:
    """``settings.py``/``config.py``/``configs.py``, or any module of a ``settings``/``config``/``configs``/
    ``conf`` package (onyx's ``onyx/configs/app_configs.py``) that is not a business module
    (tracecat's ``settings`` module is the organisation-settings feature)."""
    folder, _, name = path.rpartition("/")
    return name in _SETTINGS_NAMES or (folder.rpartition("/")[2] in _SETTINGS_FOLDERS
                                       and config.layout.place(path) is None)


def defines_settings_class(text: str) -> bool:
    """The file defines a pydantic ``BaseSettings`` subclass."""
    return "BaseSettings" in text and _BASE_SETTINGS.search(text) is not None


def file_hints(path: str, text: str, config: Config) -> int:
    """What the detection needs to know of one file (``SETTINGS_HINT | DB_HINT`` and the
    ``BOUND_HINTS``): a function
    of its path, its text and the configuration as written, so a cache can keep it by the
    file's content. Only the settings the configuration leaves unset are looked for."""
    hints = 0
    if config.settings_module is None and (defines_settings_class(text) or (
            _is_settings_file(path, config) and _READS_ENV.search(text))):
        hints |= SETTINGS_HINT
    if config.db_layer is None and (_builds_sessions(text) or _defines_dependency(
            text, config.session.dependencies)):
        hints |= DB_HINT
    if config.actor_bounds is None:
        for bound, hint in BOUND_HINTS.items():
            if _BOUND_WORDS[bound] in text and _BROKER_BOUNDS[bound].search(text):
                hints |= hint
    return hints


def needs_hints(config: Config) -> bool:
    """Whether detection reads any file (something is left unset)."""
    return config.settings_module is None or config.db_layer is None \
        or config.actor_bounds is None


def detect_layout(config: Config, texts: Mapping[str, str]) -> tuple[Config, list[str]]:
    """``config`` with unset ``settings-module``/``db-layer``/``actor-bounds`` detected from
    ``texts`` (relative path -> source), and notes for configured paths that do not exist."""
    return layout_from_hints(config, {path: file_hints(path, text, config)
                                      for path, text in texts.items()})


def layout_from_hints(config: Config, hints: Mapping[str, int]) -> tuple[Config, list[str]]:
    """``detect_layout`` from every file's ``file_hints`` (relative path -> hints)."""
    notes: list[str] = []
    changes: dict[str, object] = {}
    if config.settings_module is None:
        changes["settings_module"] = [path for path in sorted(hints)
                                      if hints[path] & SETTINGS_HINT]
    else:
        notes += [f"settings-module '{path}' does not exist" for path in config.settings_modules
                  if path not in hints]
    if config.actor_bounds is None:
        changes["actor_bounds"] = [bound for bound, hint in BOUND_HINTS.items()
                                   if any(found & hint for found in hints.values())]
    if config.db_layer is None:
        changes["db_layer"] = _db_layer(config, hints)
    else:
        notes += [f"db-layer '{glob}' matches no file" for glob in config.db_layer_globs
                  if not any(_in_glob(path, glob) for path in hints)]
    return (dataclasses.replace(config, **changes) if changes else config), notes


def _db_layer(config: Config, hints: Mapping[str, int]) -> list[str]:
    """``<package>/db/**`` and ``<package>/infrastructure/**`` (under the ``source-root``)
    when they exist, then every other file that owns the sessions' lifecycle."""
    source = config.source_root.strip("/")
    package = (source + "/" if source else "") + config.package.replace(".", "/")
    globs = [f"{package}/{layer}/**" for layer in ("db", "infrastructure")
             if any(p.startswith(f"{package}/{layer}/") for p in hints)]
    for path in sorted(hints):
        if hints[path] & DB_HINT and not any(_in_glob(path, glob) for glob in globs):
            globs.append(path)
    return globs


def _in_glob(path: str, glob: str) -> bool:
    if glob.endswith("/**"):
        return path.startswith(glob[:-2])
    return fnmatch.fnmatch(path, glob) or path.startswith(glob.rstrip("/") + "/")


def in_db_layer(path: str, config: Config) -> bool:
    return any(_in_glob(path, glob) for glob in config.db_layer_globs)
