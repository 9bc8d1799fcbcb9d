"""``check --show-settings`` and ``check --show-files``: what a check would use, without
running it.

``--show-settings`` prints every setting as TOML with where its value came from: the
default, the configuration file, or the command line.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from archguard.project.config import archguard_table, read_pyproject
from archguard.project.discovery import ProjectLocation, locate_project, package_files
from archguard.run.runner import CheckRequest, baseline_file, scope

DEFAULT = "default"


def configured_keys(location: ProjectLocation) -> set[str]:
    """Dotted keys (``roles.router``) set in the configuration file."""
    if location.config_file is None:
        return set()
    document = read_pyproject(location.config_file)
    table = archguard_table(document)
    if table is None:
        table = {} if location.config_file.name == "pyproject.toml" else document
    return set(_dotted(table))


def _dotted(table: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in table.items():
        keys.append(prefix + key)
        if isinstance(value, dict):
            keys += _dotted(value, f"{prefix}{key}.")
    return keys


def settings_text(request: CheckRequest, run_options: dict[str, tuple[object, str]]) -> str:
    """The resolved settings; ``run_options``: option -> (value, source) of the command
    line's own settings (format, jobs, ...)."""
    location = locate_project(request.paths, request.config_file)
    keys = configured_keys(location)
    source = str(location.config_file) if location.config_file else ""
    cli = {"select": (request.select, "--select"), "baseline": (request.baseline, "--baseline")}
    lines = [f"# archguard settings for {location.root}",
             f"# configuration: {source or 'none found (every value is a default)'}"]
    values = _rows(dataclasses.asdict(location.config), keys, source, cli)
    values += [(f"command-line.{key}", value, origin)
               for key, (value, origin) in run_options.items()]
    values += _cli_rows(request, location)
    tables: dict[str, list[tuple[str, object, str]]] = {}
    for key, value, origin in values:
        table, _, name = key.rpartition(".")
        tables.setdefault(table, []).append((name, value, origin))
    for table, rows in tables.items():
        if table:
            lines += ["", f"[{table}]"]
        lines += [f"{name} = {_toml(value)}  # {origin}" for name, value, origin in rows]
    return "\n".join(lines)


def _rows(values: dict[str, Any], keys: set[str], source: str,
          cli: dict[str, tuple[object, str]], prefix: str = "",
          ) -> list[tuple[str, object, str]]:
    rows: list[tuple[str, object, str]] = []
    nested: list[tuple[str, object, str]] = []
    for field, value in values.items():
        key = prefix + field.replace("_", "-")
        if isinstance(value, dict) and field not in ("per_file_ignores", "severity"):
            nested += _rows(value, keys, source, cli, key + ".")
            continue
        override = cli.get(key)
        if override is not None and override[0] is not None:
            rows.append((key, override[0], f"command line ({override[1]})"))
        else:
            rows.append((key, value, source if key in keys else DEFAULT))
    return rows + nested


def _cli_rows(request: CheckRequest, location: ProjectLocation,
              ) -> list[tuple[str, object, str]]:
    rows: list[tuple[str, object, str]] = []
    if request.ignore:
        rows.append(("command-line.extend-ignore", request.ignore, "command line (--ignore)"))
    applied = baseline_file(location, request, must_exist=False)
    origin = ("command line (--baseline)" if request.baseline is not None else
              "command line (--no-baseline)" if not request.config_baseline and
              location.config.baseline else "configuration" if applied else DEFAULT)
    rows.append(("command-line.baseline-file", str(applied) if applied else None, origin))
    return rows


def _toml(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) \
            + " }"
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


def files_to_check(request: CheckRequest) -> list[str]:
    """``--show-files``: the package's Python files in scope (PATHs, ``--since``),
    relative to the project root."""
    location = locate_project(request.paths, request.config_file)
    in_scope = scope(location.root, request)
    return [path for path in package_files(location) if in_scope(path)]
