"""The ``ast`` trees the fixes read of a file's text, parsed once per text (several fixes of
one file read it; none changes it). No libcst here: a fix made on the text (AG301, AG801,
AG802 in the usual shapes) then never imports it, about 0.1 s of a one-file run."""

from __future__ import annotations

import ast
import functools
import warnings

from archguard.analysis.parsing import parse_module


def ast_or_none(text: str) -> ast.Module | None:
    """The file's ``ast`` tree (``parse_module``'s), or None when it does not parse."""
    return plain_ast_or_none(text) or _shimmed_ast_or_none(text)


@functools.lru_cache(maxsize=8)
def plain_ast_or_none(text: str) -> ast.Module | None:
    """``ast.parse`` of the text as it is (what ``parse_module`` tries first), or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return ast.parse(text, type_comments=False)
        except (SyntaxError, ValueError):
            return None


@functools.lru_cache(maxsize=8)
def _shimmed_ast_or_none(text: str) -> ast.Module | None:
    try:
        return parse_module(text)
    except (SyntaxError, ValueError):
        return None
