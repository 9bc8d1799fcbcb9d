"""Output formats: separate emitters over the one diagnostic type.

An emitter takes the finished report and a text stream. Adding a format is adding a module
and one entry in ``EMITTERS``.
"""

from __future__ import annotations

import codecs
import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from archguard.report.result import CheckReport


@dataclass(frozen=True)
class EmitOptions:
    color: bool = False
    statistics: bool = False
    show_source: bool = True
    show_hints: bool = False  # every finding's hint inline, not once per rule in a footer
    quiet: bool = False  # the findings only: no summary, no footer
    width: int | None = None  # wrap source excerpts to this many columns (a terminal's)


Emitter = Callable[[CheckReport, TextIO, EmitOptions], None]


# format -> module; only the chosen one is imported (rich is for the human formats only).
_EMITTER_MODULES = {
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}


def get_emitter(name: str) -> Emitter:
    module = importlib.import_module(f"archguard.report.emitters.{_EMITTER_MODULES[name]}")
    emit: Emitter = module.emit
    return emit


FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab", "junit")
MACHINE_FORMATS = frozenset({"json", "sarif", "github", "gitlab", "junit"})


# --- repository text on its way out ----------------------------------------------------
# File names, messages and hints quote the checked repository: a file name may hold
# undecodable bytes (kept by Python as lone surrogates) and any text may hold control
# characters (ESC would drive the terminal). Each format gets them escaped its own way.

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _byte_escape(char: str) -> str:
    """A lone surrogate of an undecodable file-name byte as that byte: ``\\xe9``."""
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """For the text formats: control characters, line separators and undecodable bytes as
    Python-style escapes (one finding stays one line, and the terminal stays untouched)."""
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda m: _byte_escape(m.group()) if _SURROGATE.match(m.group())
                        else repr(m.group())[1:-1], text)


def valid_unicode(value: Any) -> Any:
    """For the structured formats (which escape control characters themselves): every
    string of a JSON-like value made valid Unicode, undecodable bytes as ``\\xNN`` text."""
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: _byte_escape(m.group()), value) \
            if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [valid_unicode(v) for v in value]
    return value


def writes_utf8(stream: TextIO) -> bool:
    encoding = getattr(stream, "encoding", None)
    return encoding is None or codecs.lookup(encoding).name == "utf-8"


def dump_json(data: Any, stream: TextIO) -> None:
    """JSON that stays valid whatever the stream: ASCII escapes when the stream's encoding
    is not UTF-8 (``PYTHONIOENCODING=cp1252``)."""
    # One write of the whole text: json.dump writes every token to the stream on its own.
    utf8 = writes_utf8(stream)
    text = indented_json(data) if utf8 else None
    if text is None or _SURROGATE.search(text):  # rare: undecodable bytes in a name
        text = json.dumps(valid_unicode(data), indent=2, ensure_ascii=not utf8)
    stream.write(text + "\n")


_CONSTANTS = {None: "null", True: "true", False: "false"}


def indented_json(data: Any) -> str | None:
    """``json.dumps(data, indent=2, ensure_ascii=False)``, byte for byte, about twice as
    fast: with ``indent`` the stdlib encodes in Python token by token, while this joins
    each container's items once and encodes strings in C. Only for plain JSON data (str
    keys; str, int, bool, None, list, tuple, dict values): anything else gives None (the
    caller falls back to ``json.dumps``)."""
    from json.encoder import encode_basestring  # the C encoder where there is one

    def encode(value: Any, indent: str) -> str:
        kind = type(value)
        if kind is str:
            return encode_basestring(value)
        if kind is dict:
            if not value:
                return "{}"
            inner = indent + "  "
            items = []
            for key, item in value.items():
                if type(key) is not str:
                    raise _NotPlain
                items.append(f"{encode_basestring(key)}: {encode(item, inner)}")
            return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
        if kind is list or kind is tuple:
            if not value:
                return "[]"
            inner = indent + "  "
            return "[\n" + inner + (",\n" + inner).join([encode(item, inner) for item in value]) \
                + "\n" + indent + "]"
        if kind is int:
            return int.__repr__(value)
        if value is None or kind is bool:
            return _CONSTANTS[value]
        raise _NotPlain

    try:
        return encode(data, "")
    except (_NotPlain, RecursionError):
        return None


class _NotPlain(Exception):
    """A value ``indented_json`` does not encode itself."""
