"""Which files semgrep needs to see: a text requirement per rule, derived from its YAML.

A requirement is a disjunction of terms, each term a set of alternatives (regular
expressions over the file's bytes) that must all be found: a file that meets no term cannot
hold a match of the rule, so semgrep is not given it for that rule. A rule whose requirement
cannot be derived (taint mode, ``match:``, an operator archguard does not know, a pattern
without a fixed word) has none (``None``) and sees every file.

How a formula combines (the same reasoning as semgrep's own prefilter,
``src/optimizing/Analyze_rule.ml``, which skips rules per file; archguard's skips the file
before semgrep starts, so a file no rule can match costs semgrep nothing):

- ``pattern`` / ``pattern-inside``: every identifier the pattern spells outside strings,
  metavariables (``$X``, ``$...X``) and Python keywords must occur in a matching file, so
  the requirement is one term holding all of them. This holds through imports: semgrep
  matches ``a.b.c(...)`` against ``c(...)`` after ``from a.b import c`` (or
  ``from a.b import *``), against ``z.c(...)`` after ``import a.b as z``, against
  ``b.c(...)`` after ``from a import b`` and against ``d(...)`` after
  ``from a.b import c as d``, but every such file spells ``a``, ``b`` and ``c`` (in the import
  statement, or in the use); semgrep resolves names only through a file's own imports. The
  words of a typed metavariable's type (``($X : Foo)``) are left out (semgrep matches the
  type without it being written). A name the pattern calls (``a.b.Session(...)``,
  ``$X.read_text(...)``) must be called in a matching file (``Session(``, spaces, a line
  continuation, a comment or a closing parenthesis before the parenthesis), imported under
  another name (``Session as S``) or used as a decorator (semgrep matches ``@lru_cache``
  with ``lru_cache(...)``): a file that only annotates with ``AsyncSession`` cannot hold a
  call of it. A decorator's (``@app.get(...)``) and a class's (``class $C(...)``) names stay plain
  words: semgrep may match them without the parentheses.
- ``patterns`` (all must hold): the cross product of the conjuncts' terms (each product term
  holds one term of every conjunct). Negations (``pattern-not*``), ``focus-metavariable``,
  ``metavariable-pattern``/``-comparison`` and unknown conjuncts add nothing. A product is
  kept at most ``MAX_TERMS`` terms long: from the most selective conjunct down, one that
  would make it longer is left out (a conjunct left out only loosens the requirement).
- ``pattern-either`` (one must hold): the union of the branches' terms; none if a branch has
  none.
- ``pattern-regex``, and ``metavariable-regex`` on a metavariable whose text is the matched
  code (not a string literal that constant propagation may have folded from pieces, as
  ``"$X"`` can be unless the rule sets ``constant_propagation: false``): every literal run
  (characters and simple classes) of a sequence must occur, a group repeated at least once
  needs its body, an alternation (``a|b``) is a union, and an optional part, a lookaround or
  a run of classes only needs nothing; an optional character inside a run stays in the
  run's search (``access[_-]?key`` is one search, not ``access`` and ``key`` anywhere).
  A metavariable bound to code starts and ends at a token's edge, so in its regex an anchor
  beside a word character is a word boundary in the file (``actor$``: ``actor\\b``).
  Such an alternative is trusted on ASCII files only (on others a Unicode-aware engine may
  match a class or a case-folded letter that a bytes search does not), so any non-ASCII file
  meets it.

Terms are kept small: an alternative another of its term implies is left out (the whole word
``requests`` implies the plain ``request``), and so is a term of a union that implies
another (``patch.object`` implies ``patch``). ``Prefilter.rules_for`` tests each distinct
alternative at most once per file, the cheap ``key in bytes`` first.

``paths.include``/``paths.exclude`` are honoured for the path semgrep is given (the rule text
as semgrep gets it: shipped globs rewritten for the layout). An include is read broadly (a
glob that matches anywhere or a folder's content) and an exclude narrowly (the glob as
written); a glob archguard cannot read never excludes a file.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, NamedTuple

from archguard.project.config import Config
from archguard.semgrep.rules import SemgrepRuleInfo, rule_text

KEYWORDS = frozenset(keyword.kwlist + keyword.softkwlist)
_STRING = re.compile(r"""[rRbBuUfF]{0,2}('''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'"""
                     r"""|"(?:\\.|[^"\\\n])*")""", re.S)
_METAVARIABLE = re.compile(r"\$(?:\.\.\.)?[A-Z_][A-Z0-9_]*")
_TYPED = re.compile(r"\$(?:\.\.\.)?[A-Z_][A-Z0-9_]*\s*:\s*[A-Za-z_][\w.]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A name called in a pattern (not a decorator's or a class's: `@foo(...)` and
# `class $C(...)` may match code without the parentheses).
_CALLED = re.compile(r"(?<![\w@.$])(?<!class )(?:[A-Za-z_]\w*\s*\.\s*)*([A-Za-z_]\w*)\s*\(")
_COMMENT = re.compile(r"#[^\n]*")
_NUMBER = re.compile(r"(?<![\w$])\d[\w.]*")  # 1e5, 0x1F, 1_000: semgrep compares values
# Regular expressions Python's parser reads differently from semgrep's PCRE: no requirement.
# A POSIX class opens with an unescaped `[:` (`\[::1\]` is a literal IPv6 loopback).
_FOREIGN_REGEX = re.compile(r"(?<!\\)(?:\\\\)*\[:|\\[NQEpPxX]|\(\?[^:P=!<]*x")
POSITIVE = ("pattern", "pattern-inside")
NEUTRAL = ("pattern-not", "pattern-not-inside", "pattern-not-regex", "focus-metavariable",
           "metavariable-pattern", "metavariable-comparison", "metavariable-type",
           "metavariable-analysis")
RULE_FORMULAS = ("pattern", "patterns", "pattern-either", "pattern-regex")
PYTHON = ("python", "py", "python3")


class Alternative(NamedTuple):
    """One way a file meets a requirement: ``source`` found in its bytes."""

    source: str  # a bytes regular expression
    weight: float  # how selective (about the number of fixed characters)
    any_text: bool  # True: valid on any file; False: on ASCII files only (see above)
    key: str = ""  # characters every match contains (a cheap test before the search)
    fold: bool = False  # ``key`` is lower-case, to find in the lower-cased bytes

    @property
    def plain(self) -> bool:
        """Met exactly when ``key`` is found (in the lower-cased bytes if ``fold``)."""
        escaped = re.escape(self.key)
        return self.source == (f"(?i:{escaped})" if self.fold else escaped)


Term = frozenset[Alternative]  # all of them must be met
Requirement = frozenset[Term] | None  # some term must be met; None: every file
MAX_TERMS = 32  # a conjunction's product is kept at most this long (see ``conjunction``)


def requirement_of(*alternatives: Alternative) -> Requirement:
    """One term: all of ``alternatives`` (none: every file)."""
    return frozenset({frozenset(alternatives)}) if alternatives else None


def conjunction(conjuncts: Iterable[Requirement]) -> Requirement:
    """The requirement of ``conjuncts`` that all hold: the cross product of their terms.
    A conjunct without a requirement adds nothing. From the most selective conjunct down, one
    whose product would exceed ``MAX_TERMS`` terms is left out: leaving a conjunct out only
    loosens the requirement (a file meeting all conjuncts meets the rest)."""
    known = sorted((c for c in conjuncts if c), key=_order)
    product: Requirement = None
    for conjunct in known:
        if product is None:
            product = conjunct
            continue
        if len(product) * len(conjunct) <= MAX_TERMS:
            product = _absorb(frozenset(a | b for a in product for b in conjunct))
    return product


def union(branches: Iterable[Requirement]) -> Requirement:
    """The requirement of a disjunction: any branch's terms (none if a branch has none)."""
    found: set[Term] = set()
    for branch in branches:
        if not branch:
            return None
        found |= branch
    return _absorb(frozenset(found)) if found else None


def _implies(a: Alternative, b: Alternative) -> bool:
    """Every file meeting ``a`` meets ``b``: the same, or ``b`` a plain search for a part of
    ``a``'s key (which a file meeting ``a`` holds unless it is met as non-ASCII)."""
    return a == b or (b.plain and a.fold == b.fold and b.key in a.key
                      and (a.any_text or not b.any_text))


def _absorb(terms: frozenset[Term]) -> frozenset[Term]:
    """The same requirement, simpler: an alternative another of its term implies is left
    out, and so is a term that implies another (meeting it meets the other)."""
    lean = {frozenset(a for a in term if not any(
                b != a and _implies(b, a) and (not _implies(a, b) or b < a) for b in term))
            for term in terms}  # of two that imply each other, the smaller is kept
    return frozenset(t for t in lean if not any(
        u != t and _covers(u, t) and (not _covers(t, u) or sorted(u) < sorted(t))
        for u in lean))


def _covers(weaker: Term, stronger: Term) -> bool:
    """Every file meeting ``stronger`` meets ``weaker``."""
    return all(any(_implies(s, w) for s in stronger) for w in weaker)


def _term_order(term: Term) -> list[str]:
    return sorted(a.source for a in term)


def _order(requirement: frozenset[Term]) -> tuple[float, list[list[str]]]:
    """Most selective first (the weakest term decides), the same order every run."""
    weakest = min(sum(a.weight for a in term) for term in requirement)
    return -weakest + 0.01 * len(requirement), sorted(_term_order(t) for t in requirement)


# --- patterns -----------------------------------------------------------------------------

def pattern_requirement(text: str) -> Requirement:
    """Any one of the identifiers a semgrep Python pattern spells (see the module doc)."""
    code = _COMMENT.sub(" ", _STRING.sub(" ", text))
    code = _TYPED.sub(" ", _NUMBER.sub(" ", code))
    spaced = re.sub(r"\s+", " ", _METAVARIABLE.sub("__metavariable__", code))  # `class  X(`
    called = set(_CALLED.findall(spaced))
    code = _METAVARIABLE.sub(" ", code)
    words = sorted({w for w in _WORD.findall(code) if w not in KEYWORDS})
    return requirement_of(*(
        Alternative(called_source(w), len(w) + 2, True, w) if w in called
        else Alternative(rf"\b{w}\b", len(w) + 1.5, True, w)
        for w in words))


def called_source(name: str) -> str:
    """Where semgrep can match a call of ``name``: called (spaces, line continuations,
    comments or a closing parenthesis before the ``(``: ``(time.sleep)(1)``), imported
    under another name (``sleep as snooze``, split over lines too), or a decorator
    (``@lru_cache`` meets ``lru_cache(...)``)."""
    # possessive: a run of spaces, comments or dots is read one way (no backtracking: a
    # `# ####` banner or a long run of words after an `@` costs one pass, not 2**n)
    gap = r"(?:[\s\\]|#[^\n]*+)"
    return (rf"\b{name}(?:[\s\\)]|#[^\n]*+)*+\(|\b{name}{gap}++as\b"
            rf"|@[\s\\]*+(?:\w++[\s\\]*+\.[\s\\]*+)*+{name}\b")


def string_metavariables(text: str) -> set[str]:
    """Metavariables written inside a string literal of a pattern (``"$X"``)."""
    return {m for s in _STRING.findall(text) for m in _METAVARIABLE.findall(s)}


# --- regular expressions ------------------------------------------------------------------

_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D",
               sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_SPACE: r"\S",
               sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_STARTS = (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING)
_ENDS = (sre.AT_END, sre.AT_END_STRING)
_WORD_CHAR = re.compile(r"\w\Z")


def regex_requirement(regex: str, code: bool = False) -> Requirement:
    """The literal runs any match of ``regex`` contains (None when it has none, or when
    Python cannot read it as semgrep would). ``code``: the regex is matched against the text
    of a metavariable bound to code, which starts and ends at a token's edge, so an anchor
    next to a word character is a word boundary in the file (``actor$`` needs ``actor\\b``,
    which ``factory`` does not have)."""
    if _FOREIGN_REGEX.search(regex):
        return None
    try:
        parsed = sre_parse.parse(regex)
    except (re.error, RecursionError, OverflowError):
        return None
    return _sequence(list(parsed), bool(parsed.state.flags & re.IGNORECASE), code)


def _atom(op: Any, av: Any) -> tuple[str, float, str] | None:
    """A one-character item as (source, weight, the character if a literal), or None."""
    if op is sre.LITERAL:
        return (re.escape(chr(av)), 1.0, chr(av)) if av < 128 else None
    if op is sre.NOT_LITERAL:
        return (f"[^{re.escape(chr(av))}]", 0.2, "") if av < 128 else None
    if op is sre.ANY:
        return r"(?s:.)", 0.0, ""
    if op is sre.IN:
        parts = []
        for item_op, item in av:
            if item_op is sre.NEGATE:
                parts.append("^")
            elif item_op is sre.LITERAL and item < 128:
                parts.append(re.escape(chr(item)))
            elif item_op is sre.RANGE and item[1] < 128:
                parts.append(f"{re.escape(chr(item[0]))}-{re.escape(chr(item[1]))}")
            elif item_op is sre.CATEGORY and item in _CATEGORIES:
                parts.append(_CATEGORIES[item])
            else:
                return None
        if parts == ["^"]:
            return None
        return f"[{''.join(parts)}]", 0.4, ""
    return None


def _folds(source: str, literal: str) -> bool:
    """Whether case-insensitive matching changes what an atom matches: a letter, or a class
    holding one (`[a-z]`, `[^x]`; not `\\d`, `\\w`, which hold both cases or none)."""
    if literal:
        return literal.isalpha()
    if source.startswith("(?:"):  # an optional item: `(?:x){0,1}`, `(?:[a-z])*`
        source = source[3:source.rindex(")")]
        if len(source) == 1 or (source.startswith("\\") and len(source) == 2):
            return source[-1].isalpha() and not source.startswith("\\")
    return source.startswith("[") and any(
        c.isalpha() for c in re.sub(r"\\[dDsSwW]", "", source))


def _sequence(items: list[tuple[Any, Any]], icase: bool, code: bool = False) -> Requirement:
    parts: list[Requirement] = []  # all of them hold
    run: list[tuple[str, float, str]] = []
    edge = False  # an anchor just before: a word character next is a word's start

    def close() -> None:
        while run and not run[-1][1]:  # optional items at the ends narrow nothing
            run.pop()
        while run and not run[0][1]:
            run.pop(0)
        if run:
            source = "".join(s for s, _, _ in run)
            if icase and any(_folds(s, c) for s, _, c in run):
                source = f"(?i:{source})"
            weight = sum(w for _, w, _ in run)
            literals = "".join(c or "\0" for _, _, c in run).split("\0")
            key = max(literals, key=len)
            run.clear()
            if not key:  # classes only (`\w+`): as good as none
                return
            # a key without letters is found in the bytes as they are (a faster search)
            folded = icase and any(c.isalpha() for c in key)
            parts.append(requirement_of(Alternative(source, weight, False,
                                                    key.lower() if folded else key, folded)))

    for op, av in items:
        atom = _atom(op, av)
        if atom is not None:
            if edge and not run and _WORD_CHAR.match(atom[2]):
                run.append((r"\b", 0.01, ""))
            edge = False
            run.append(atom)
            continue
        if code and op is sre.AT and av in (*_STARTS, *_ENDS):
            if av in _ENDS and run and _WORD_CHAR.match(run[-1][2]):
                run.append((r"\b", 0.01, ""))
            close()
            edge = av in _STARTS
            continue
        edge = False
        if op in _REPEATS:
            low, high, body = av
            inner = _atom(*body[0]) if len(body) == 1 else None
            if inner is not None and low == 0 and inner[2] != "\n":
                # an optional character (`access[_-]?key`) stays in the run's search; it
                # ends the run's literal (the key is the longest literal part)
                times = "*" if high == sre.MAXREPEAT else f"{{0,{high}}}"
                run.append((f"(?:{inner[0]}){times}", 0.0, ""))
                continue
            if inner is not None and low >= 1:
                run.extend([inner] * min(low, 4))
                if high != low:
                    close()
                continue
            close()
            if low >= 1:
                parts.append(_sequence(list(body), icase, code))
            continue
        close()
        if op is sre.SUBPATTERN:
            _group, add, remove, body = av
            inner_icase = (icase or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            parts.append(_sequence(list(body), inner_icase, code))
        elif op is sre.ATOMIC_GROUP:
            parts.append(_sequence(list(av), icase, code))
        elif op is sre.BRANCH:
            parts.append(union(_sequence(list(b), icase, code) for b in av[1]))
        # AT, ASSERT, ASSERT_NOT, GROUPREF, ...: match no characters of their own
    close()
    return conjunction(parts)


# --- rules --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleFilter:
    """One rule's prefilter: its text requirement and its ``paths:``."""

    rule_id: str
    requirement: Requirement
    include: tuple[re.Pattern[str], ...] | None  # None: every path
    exclude: tuple[re.Pattern[str], ...]

    def applies_to(self, path: str) -> bool:
        if self.include is not None and not any(g.match(path) for g in self.include):
            return False
        return not any(g.match(path) for g in self.exclude)


def rule_filter(rule: dict[str, Any]) -> RuleFilter:
    """The prefilter of one rule (a parsed YAML mapping)."""
    paths = rule.get("paths")
    include: tuple[re.Pattern[str], ...] | None = None
    exclude: tuple[re.Pattern[str], ...] = ()
    if isinstance(paths, dict):
        include = _globs(paths.get("include"), broad=True)
        exclude = _globs(paths.get("exclude"), broad=False) or ()
    return RuleFilter(str(rule.get("id")), _rule_requirement(rule), include, exclude)


def _rule_requirement(rule: dict[str, Any]) -> Requirement:
    languages = rule.get("languages")
    if not isinstance(languages, list) or not languages or \
            any(str(lang).lower() not in PYTHON for lang in languages):
        return None
    if rule.get("mode", "search") != "search":
        return None
    formulas = [key for key in rule if key in RULE_FORMULAS]
    if len(formulas) != 1 or "match" in rule:
        return None
    options = rule.get("options")
    if options is not None and not isinstance(options, dict):
        return None
    folded = (options or {}).get("constant_propagation", True) is not False
    strings = _string_metavariables(rule[formulas[0]]) if folded else set()
    return _formula(formulas[0], rule[formulas[0]], strings)


def _formula(key: str, value: Any, strings: set[str]) -> Requirement:
    """The requirement of one operator (``key: value``) of a formula."""
    if key in POSITIVE:
        if isinstance(value, str):
            return pattern_requirement(value)
        return _formula_node(value, strings)
    if key == "patterns" and isinstance(value, list):
        return conjunction(_formula_node(item, strings, conjunct=True) for item in value)
    if key == "pattern-either" and isinstance(value, list):
        return union(_formula_node(item, strings) for item in value)
    if key == "pattern-regex" and isinstance(value, str):
        return regex_requirement(value)
    if key == "metavariable-regex" and isinstance(value, dict):
        variable, regex = value.get("metavariable"), value.get("regex")
        if not isinstance(regex, str) or not isinstance(variable, str) or \
                variable in strings or value.get("constant-propagation") is True:
            return None
        return regex_requirement(regex, code=True)
    return None


def _formula_node(node: Any, strings: set[str], conjunct: bool = False) -> Requirement:
    """A list item or nested mapping: exactly one operator. In a conjunction an operator
    that narrows (a negation, a condition) or is unknown adds nothing; elsewhere an
    unknown one means no requirement."""
    if isinstance(node, dict) and len(node) == 1:
        ((key, value),) = node.items()
        if conjunct and key in NEUTRAL:
            return None
        return _formula(str(key), value, strings)
    return None


def _string_metavariables(node: Any) -> set[str]:
    """Metavariables that appear inside string literals of any pattern of the formula."""
    if isinstance(node, str):
        return string_metavariables(node)
    if isinstance(node, dict):
        return set().union(*(_string_metavariables(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_string_metavariables(v) for v in node))
    return set()


# --- paths --------------------------------------------------------------------------------

def _globs(value: Any, broad: bool) -> tuple[re.Pattern[str], ...] | None:
    """Compiled ``paths:`` globs; None (include: every path) when one cannot be read."""
    if value is None:
        return None
    if not isinstance(value, list):
        return None if broad else ()
    found: list[re.Pattern[str]] = []
    for glob in value:
        compiled = glob_regex(glob) if isinstance(glob, str) else None
        if compiled is None:
            if broad:
                return None  # an include we cannot read: every path may be included
            continue  # an exclude we cannot read excludes nothing
        found.append(compiled)
        if broad:  # also anywhere, and a folder's content
            found += [p for p in (glob_regex(f"**/{glob}"), glob_regex(f"{glob}/**"),
                                  glob_regex(f"**/{glob}/**")) if p is not None]
    return tuple(found)


def glob_regex(glob: str) -> re.Pattern[str] | None:
    """A gitignore-style glob (``**``, ``*``, ``?``) as a regex over a relative path; None
    for the other forms (character classes, braces, negation, escapes, absolute)."""
    glob = glob.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    if not glob or glob.startswith(("/", "!")) or any(c in glob for c in "[]{}\\"):
        return None
    out = []
    parts = glob.rstrip("/").split("/")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:.*/)?")
            continue
        out.append("".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c)
                           for c in part))
        if not last:
            out.append("/")
    return re.compile("".join(out) + r"\Z")


# --- the run's prefilter ------------------------------------------------------------------

class Prefilter:
    """The selected rules' filters: which of them a file (path and bytes) can match."""

    def __init__(self, filters: list[RuleFilter]) -> None:
        tested = [None if not f.requirement else
                  [{_test(a) for a in term} for term in sorted(f.requirement, key=sorted)]
                  for f in filters]
        shared = Counter(t for terms in tested for term in terms or () for t in term)
        index: dict[_Test, int] = {}
        self.filters: list[tuple[RuleFilter, list[tuple[int, ...]] | None]] = []

        def first(test: _Test) -> tuple[int, int, tuple[bytes, bool, str, bool]]:
            """In a term, the test most terms share first (its result is kept for them all),
            then the longest key (the likeliest to be missing)."""
            key, fold, search, any_text = test
            return -shared[test], -len(key), (key, fold, search or "", any_text)

        for rule, terms in zip(filters, tested):
            self.filters.append((rule, None if terms is None else [
                tuple(index.setdefault(t, len(index)) for t in sorted(term, key=first))
                for term in terms]))
        self.tests: list[_Compiled] = [
            (key, fold, None if search is None else re.compile(search.encode()), every)
            for key, fold, search, every in sorted(index, key=index.__getitem__)]

    def rules_for(self, path: str, data: bytes) -> tuple[str, ...]:
        found = []
        text = _Text(data)
        tests = self.tests
        met: list[bool | None] = [None] * len(tests)  # each test run once per file
        for rule, terms in self.filters:
            if not rule.applies_to(path):
                continue
            if terms is None:
                found.append(rule.rule_id)
                continue
            for term in terms:  # plain loops: this runs for every file and test
                for test in term:
                    result = met[test]
                    if result is None:
                        result = met[test] = text.meets(*tests[test])
                    if not result:
                        break
                else:
                    found.append(rule.rule_id)
                    break
        return tuple(found)


_Test = tuple[bytes, bool, "str | None", bool]
_Compiled = tuple[bytes, bool, "re.Pattern[bytes] | None", bool]


def _test(alternative: Alternative) -> _Test:
    """(key, fold, the search to confirm a found key or None, valid on any text)."""
    search = None if alternative.plain else alternative.source
    return alternative.key.encode("ascii"), alternative.fold, search, alternative.any_text


class _Text:
    """A file's bytes, with what the tests need computed once: ASCII or not, lower-cased."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._ascii: bool | None = None
        self._lower: bytes | None = None

    def meets(self, key: bytes, fold: bool, search: re.Pattern[bytes] | None,
              any_text: bool) -> bool:
        if not any_text:
            if self._ascii is None:
                self._ascii = self.data.isascii()
            if not self._ascii:
                return True
        if fold:
            if self._lower is None:
                self._lower = self.data.lower()
            if key not in self._lower:
                return False
        elif key not in self.data:
            return False
        return search is None or search.search(self.data) is not None


def rule_filters(rules: list[SemgrepRuleInfo], config: Config) -> list[RuleFilter]:
    """Each rule's filter, in order (one with no requirement when its YAML cannot be read:
    semgrep then reports the rule file itself)."""
    import yaml

    documents: dict[Path, dict[str, dict[str, Any]]] = {}
    filters = []
    for info in rules:
        if info.file not in documents:
            try:
                document = yaml.load(rule_text(info, config).decode("utf-8"),
                                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                listed = document.get("rules") if isinstance(document, dict) else None
                documents[info.file] = {str(r.get("id")): r for r in listed or ()
                                        if isinstance(r, dict)}
            except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
                documents[info.file] = {}
        rule = documents[info.file].get(info.rule_id)
        filters.append(rule_filter(rule) if rule is not None
                       else RuleFilter(info.rule_id, None, None, ()))
    return filters
