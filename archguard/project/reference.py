"""The configuration reference: one Markdown table of every ``[tool.archguard]`` key, generated
from the dataclasses of ``archguard.project.config`` (their ``setting(default, doc, example)``
metadata), so the docs cannot miss a key or state a stale default."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterator
from typing import Any

from archguard.project.config import Config


@dataclasses.dataclass(frozen=True)
class Key:
    """One documented key: ``name`` as written in TOML, dotted for a nested table."""

    name: str
    hint: Any
    default: Any
    doc: str
    example: str
    default_text: str | None


def documented_keys(cls: type = Config, prefix: str = "") -> Iterator[Key]:
    """Every leaf key, depth first in field order; a nested table yields its own keys.

    A field without ``doc`` or ``example`` metadata is an error here, so the test that
    regenerates the reference fails on an undocumented key."""
    hints = typing.get_type_hints(cls)
    defaults = cls()
    for item in dataclasses.fields(cls):
        name = prefix + item.name.replace("_", "-")
        hint = hints[item.name]
        if not item.metadata.get("doc") or not item.metadata.get("example"):
            raise ValueError(f"config key '{name}' has no doc/example: define it with setting()")
        if dataclasses.is_dataclass(hint):
            yield from documented_keys(hint, f"{name}.")
            continue
        yield Key(name, hint, getattr(defaults, item.name), item.metadata["doc"],
                  item.metadata["example"], item.metadata.get("default_text"))


def type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in typing.get_args(hint) if a is not type(None))
    if origin is list:
        return f"list of {_plural(type_name(typing.get_args(hint)[0]))}"
    if origin is dict:
        return f"table of {_plural(type_name(typing.get_args(hint)[1]))}"
    return {str: "string", int: "integer", bool: "boolean"}[hint]


def _plural(name: str) -> str:
    head, _, rest = name.partition(" ")
    return f"{head}s {rest}".rstrip()


def toml_value(value: Any) -> str:
    """A default as it would be written in TOML (JSON's notation for these types)."""
    if isinstance(value, dict) and not value:
        return "{}"
    return json.dumps(value, ensure_ascii=False).replace('": ', '" = ') if isinstance(
        value, dict) else json.dumps(value, ensure_ascii=False)


def markdown_reference() -> str:
    rows = ["| key | type | default | example | meaning |", "|---|---|---|---|---|"]
    for key in documented_keys():
        default = key.default_text or f"`{toml_value(key.default)}`"
        rows.append(f"| `{key.name}` | {type_name(key.hint)} | {_cell(default)} "
                    f"| `{_cell(key.example)}` | {_cell(key.doc)} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
