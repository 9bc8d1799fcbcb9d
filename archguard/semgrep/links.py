"""AG702's judgement that needs the enclosing function: a link for people, returned.

The rule leaves a URL alone when the name it is bound to says it is a link for people
(``avatar_url = ...``, ``"weblink": ...``, ``data["icon"] = ...``: the regexes of
``hardcoded-config.yaml``). The same link built in the ``return`` of a function or property
whose name says so (``def avatar_url(self)``, ``def icon_to_github_url(...)``), as the
returned text itself, is the same thing written another way; semgrep cannot tie a literal to
its function's name, so such findings are dropped here. A file that cannot be read or parsed
keeps its findings.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from archguard.analysis.parsing import ParsedSource, parse_source
from archguard.diagnostics import Diagnostic
from archguard.project.fileio import read_regular

CODE = "AG702"
# the words of the YAML's name exemption (kept in step with it)
LINK_NAME = re.compile(r"(?i)(docs?(?![a-z])|documentation|guide|help|troubleshoot|tutorial|faq|"
                       r"author(?!i[sz])|homepage|website|repository|license|href|link|icon|"
                       r"logo|avatar|image|examples?)")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def drop_returned_links(root: Path, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` without the AG702 findings in a link-named function's ``return``."""
    candidates = [d for d in diagnostics if d.code == CODE]
    if not candidates:
        return diagnostics
    spans: dict[str, list[tuple[int, int]]] = {}
    dropped: set[int] = set()
    for diagnostic in candidates:
        if diagnostic.path not in spans:
            spans[diagnostic.path] = _returned_link_spans(root, diagnostic.path)
        if any(start <= diagnostic.line <= end for start, end in spans[diagnostic.path]):
            dropped.add(id(diagnostic))
    return [d for d in diagnostics if id(d) not in dropped]


def _returned_link_spans(root: Path, path: str) -> list[tuple[int, int]]:
    """Line spans of the text values link-named functions return (the innermost function
    owns a ``return``; a returned call, ``httpx.get(url).content``, fetches the URL)."""
    try:
        parsed = parse_source(read_regular(root / path)[1])
    except OSError:  # UnreadableFile included
        return []
    if not isinstance(parsed, ParsedSource):
        return []
    found: list[tuple[int, int]] = []
    pending: list[tuple[ast.AST, str | None]] = [(parsed.tree, None)]
    while pending:
        node, owner = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCTIONS):
                pending.append((child, child.name))
            elif isinstance(child, ast.Return) and _is_text(child.value) and \
                    owner is not None and LINK_NAME.search(owner):
                end = child.value.end_lineno or child.value.lineno
                found.append((child.value.lineno, end))
            else:
                pending.append((child, owner))
    return found


def _is_text(value: ast.expr | None) -> bool:
    """A string built in place: a literal, an f-string, a ``+``/``%`` of them, or
    ``"...".format(...)``."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    if isinstance(value, ast.JoinedStr):
        return True
    if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Mod)):
        return _is_text(value.left) or _is_text(value.right)
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
        value.func.attr == "format" and _is_text(value.func.value)
