"""The semgrep prefilter (issue 15): files no selected rule can match are not handed to semgrep.

The derived requirements are checked rule by rule, the derivation on custom rules that have
none, and, with real semgrep (one module-scoped project), that a file without any required
word is left out, that import aliases still reach semgrep, and that the per-file cache stays
right when a left-out file gains a word.
"""

from __future__ import annotations

import os

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from archguard.project.config import Config
from archguard.rules.registry import Rule, all_rules
from archguard.run.runner import CheckRequest, run_check
from archguard.semgrep import prefilter, process
from archguard.semgrep import prefilter as prefilter_module
from archguard.semgrep.prefilter import (
    MAX_TERMS, Alternative, Prefilter, Requirement, RuleFilter, called_source, conjunction,
    glob_regex, pattern_requirement, regex_requirement, requirement_of, rule_filter,
    rule_filters, union,
)
from archguard.semgrep.rules import builtin_rule
from helpers import write_tree

SEMGREP_RULES = {rule.name: rule for rule in all_rules() if rule.engine == "semgrep"}


def call(name: str) -> str:
    """The alternative of a name a pattern calls: the call, an import alias, a decorator."""
    return called_source(name)


# The requirement of every shipped rule: a file holds a match only if it meets all the
# alternatives of one of these terms.
EXPECTED = {
    "actor-location": [
        [r"\bGenericActor\b", r"\bdramatiq\b"], [call("actor"), r"\bdramatiq\b"],
        [r"\bactor\b", r"\bdramatiq\b"], [r"actor\b"]],
    "blocking-call-in-async": [
        ["Client", r"\bhttpx\b"], ["Popen", r"\bsubprocess\b"],
        [call("Path"), r"\bopen\b", r"\bpathlib\b"], [r"\bhttpx\b", "delete"],
        [r"\bhttpx\b", "get"], [r"\bhttpx\b", "head"], [r"\bhttpx\b", "options"],
        [r"\bhttpx\b", "patch"], [r"\bhttpx\b", "post"], [r"\bhttpx\b", "put"],
        [r"\bhttpx\b", "request"], [r"\bhttpx\b", "stream"], [call("open")],
        [r"\bos\b", call("popen")], [r"\bos\b", call("system")], [call("read_bytes")],
        [call("read_text")], [r"\brequest\b", r"\burllib\b", call("urlopen")],
        [r"\brequests\b"], [call("sleep"), r"\btime\b"], [r"\bsubprocess\b", "call"],
        [r"\bsubprocess\b", "check_output"], [r"\bsubprocess\b", "getoutput"],
        [r"\bsubprocess\b", "getstatusoutput"], [r"\bsubprocess\b", "run"],
        [call("write_bytes")], [call("write_text")]],
    "environment-access": [
        [r"\benviron\b", r"\bos\b"], [r"\benvironb\b", r"\bos\b"], [call("getenv"), r"\bos\b"],
        [call("getenvb"), r"\bos\b"]],
    "hardcoded-config": [
        [r"(?i:access(?:[_\-]){0,1}key)"], ["(?i:amqp)", "://"],
        [r"(?i:api(?:[_\-]){0,1}key)"], ["(?i:backend)", r":[\d][\d]"],
        ["(?i:database)", r":[\d][\d]"], ["(?i:db)", r":[\d][\d]"],
        ["(?i:elasticsearch)", r":[\d][\d]"], ["(?i:frontend)", r":[\d][\d]"],
        ["(?i:ftp)", "://"], ["(?i:gs)", "://"], ["(?i:http)", "://"], ["(?i:kafka)", "://"],
        ["(?i:kafka)", r":[\d][\d]"], ["(?i:localhost)", r":[\d][\d]"],
        ["(?i:mariadb)", "://"], ["(?i:memcache)", "://"], ["(?i:memcached)", r":[\d][\d]"],
        ["(?i:minio)", "://"], ["(?i:minio)", r":[\d][\d]"], ["(?i:mongo)", r":[\d][\d]"],
        ["(?i:mongodb)", "://"], ["(?i:mssql)", "://"], ["(?i:mysql)", "://"],
        ["(?i:nats)", "://"], ["(?i:oracle)", "://"], ["(?i:passwd)"], ["(?i:password)"],
        ["(?i:postgres)", "://"], ["(?i:postgres)", r":[\d][\d]"],
        [r"(?i:private(?:[_\-]){0,1}key)"], ["(?i:rabbitmq)", r":[\d][\d]"],
        ["(?i:redis)", "://"], ["(?i:redis)", r":[\d][\d]"], ["(?i:remotion)", r":[\d][\d]"],
        ["(?i:s3)", "://"], ["(?i:secret)"], ["(?i:smtp)", "://"], ["(?i:sqlite)", "://"],
        ["(?i:token)"], ["(?i:ws)", "://"], [r":[\d][\d]", r"\."]],
    "manual-session": [
        [r"(?i:async_session\b)"], ["(?i:factory)", "(?i:session)"],
        ["(?i:local)", "(?i:session)"], ["(?i:maker)", "(?i:session)"],
        [call("AsyncSession"), r"\basyncio\b", r"\bext\b", r"\bsqlalchemy\b"],
        [call("async_sessionmaker"), r"\basyncio\b", r"\bext\b", r"\bsqlalchemy\b"],
        [r"\borm\b", call("sessionmaker"), r"\bsqlalchemy\b"]],
    "mocked-database": [
        [r"AsyncSession\b", "Mock"], [r"AsyncSession\b", "create_autospec"],
        ["Mock", r"\bdependency_overrides\b", r"get_db\b"],
        [r"\bdependency_overrides\b", "create_autospec", r"get_db\b"], ["patch"], ["setattr"]],
    "sync-database": [
        ["(?i:db)", call("query")], ["(?i:sess)", call("query")],
        [r"\bSession\b", r"\borm\b", r"\bsqlalchemy\b"], [r"\bSession\b", r"\bsqlmodel\b"],
        [call("create_engine"), r"\bsqlalchemy\b"], [call("create_engine"), r"\bsqlmodel\b"],
        [call("engine_from_config"), r"\bsqlalchemy\b"],
        [r"\borm\b", call("scoped_session"), r"\bsqlalchemy\b"],
        [r"\borm\b", call("sessionmaker"), r"\bsqlalchemy\b"]],
    "unbounded-actor": [
        [call("actor"), r"\bdramatiq\b"], [r"\bactor\b", r"\bdramatiq\b"], [r"actor\b"]],
}


def sources(requirement: Any) -> list[list[str]] | None:
    """The terms of a requirement, each as its alternatives' sources, sorted."""
    if requirement is None:
        return None
    return sorted(sorted(a.source for a in term) for term in requirement)


def filter_of(text: str) -> RuleFilter:
    (rule,) = yaml.safe_load(textwrap.dedent(text))["rules"]
    return rule_filter(rule)


@pytest.mark.parametrize("rule", SEMGREP_RULES.values(), ids=lambda r: r.code)
def test_requirement_of_every_shipped_rule(rule: Rule) -> None:
    prefilter = Prefilter(rule_filters([builtin_rule(rule)], Config()))
    ((derived, _),) = prefilter.filters
    assert sources(derived.requirement) == EXPECTED[rule.name]


def test_every_shipped_rule_has_a_requirement() -> None:
    assert set(EXPECTED) == set(SEMGREP_RULES)


def test_pattern_words_leave_out_metavariables_keywords_strings_and_types() -> None:
    assert sources(pattern_requirement("os.environ")) == [[r"\benviron\b", r"\bos\b"]]
    assert sources(pattern_requirement("$X.read_text(...)")) == [[call("read_text")]]
    assert sources(pattern_requirement('async def $F(...):\n  ...')) is None
    assert sources(pattern_requirement('$F("requests", $...ARGS)')) is None
    assert sources(pattern_requirement("($X : Foo).bar()")) == [[r"\bbar\b"]]
    assert sources(pattern_requirement("f(1e5)  # the_reason_why")) == [[call("f")]]
    # a called name must be called (or imported under another name) in a matching file;
    # a decorator's or a class's parentheses may be missing from the code semgrep matches
    assert sources(pattern_requirement("a.b.Session(...)")) == [
        [call("Session"), r"\ba\b", r"\bb\b"]]
    assert sources(pattern_requirement("@app.get(...)")) == [[r"\bapp\b", r"\bget\b"]]
    assert sources(pattern_requirement("class $C(Base):\n  ...")) == [[r"\bBase\b"]]
    assert sources(pattern_requirement("class\t Foo(...):\n  ...")) == [[r"\bFoo\b"]]
    assert sources(pattern_requirement("$X.execute(...).all()")) == [
        [r"\ball\b", call("execute")]]


def word(text: str) -> Alternative:
    return Alternative(rf"\b{text}\b", len(text) + 1.5, True, text)


def literal(text: str) -> Alternative:
    return Alternative(re.escape(text), len(text), False, text)


def test_conjunction_and_union() -> None:
    a, b, c, d = (requirement_of(word(w)) for w in ("alpha", "beta", "gamma", "delta"))
    either = union([a, b])
    assert sources(union([a, None])) is None  # a branch without a requirement: every file
    assert sources(conjunction([None, a, None])) == sources(a)  # None adds nothing
    assert conjunction([None, None]) is None
    assert sources(conjunction([either, union([c, d])])) == [
        [r"\balpha\b", r"\bdelta\b"], [r"\balpha\b", r"\bgamma\b"],
        [r"\bbeta\b", r"\bdelta\b"], [r"\bbeta\b", r"\bgamma\b"]]
    # a term that implies another is left out of a union: meeting it meets the other
    assert sources(union([conjunction([a, b]), a])) == sources(a)
    # a plain literal inside another alternative's key is implied by it
    assert sources(union([requirement_of(literal("patch.object")),
                          requirement_of(literal("patch"))])) == [["patch"]]
    assert sources(conjunction([requirement_of(word("requests")),
                                requirement_of(literal("request"))])) == [[r"\brequests\b"]]
    assert sources(conjunction([requirement_of(word("requests")),
                                requirement_of(literal("requests"))])) == [[r"\brequests\b"]]
    # not the other way round: a word test is no plain search, a regex literal is met on any
    # non-ASCII file, a case-folded one in more files
    assert sources(conjunction([requirement_of(literal("requests")),
                                requirement_of(word("request"))])) == \
        [[r"\brequest\b", "requests"]]
    everywhere = Alternative("token", 5, True, "token")
    assert sources(union([requirement_of(literal("tokens")), requirement_of(everywhere)])) == \
        [["token"], ["tokens"]]
    assert sources(union([requirement_of(Alternative("(?i:tokens)", 6, False, "tokens", True)),
                          requirement_of(literal("token"))])) == [["(?i:tokens)"], ["token"]]


def test_a_product_is_bounded_by_leaving_out_the_weakest_conjuncts() -> None:
    def branches(*words: str) -> Requirement:
        return union(requirement_of(word(w)) for w in words)

    strong = branches(*(f"strong_word_{i}" for i in range(8)))
    weak = branches(*(f"w{i}" for i in range(8)))
    single = requirement_of(word("s"))
    assert MAX_TERMS == 32
    # 8 x 8 terms would exceed the bound: the weak conjunct is left out, a one-term conjunct
    # (which never adds terms) is kept, whatever the order
    for order in ([weak, single, strong], [strong, weak, single], [single, strong, weak]):
        assert sources(conjunction(order)) == sorted(
            sorted([r"\bs\b", rf"\bstrong_word_{i}\b"]) for i in range(8))
    four = branches("w0", "w1", "w2", "w3")
    assert len(conjunction([strong, four]) or ()) == 32  # within the bound: kept
    # two terms of the same weight are more selective than four: the four are left out
    assert sources(conjunction([four, strong, branches("v0", "v1")])) == sorted(
        sorted([rf"\bv{j}\b", rf"\bstrong_word_{i}\b"]) for i in range(8) for j in range(2))


def test_combinations() -> None:
    both = filter_of("""
        rules:
          - id: r
            languages: [python]
            message: m
            severity: ERROR
            patterns:
              - pattern-inside: "def $F(...): ..."
              - pattern-not: foo.quite_long_name(...)
              - pattern-either:
                  - pattern: alpha(...)
                  - pattern: beta.gamma(...)
              - pattern: $X.delta
        """)
    assert sources(both.requirement) == [[call("alpha"), r"\bdelta\b"],
                                         [r"\bbeta\b", r"\bdelta\b", call("gamma")]]
    prefilter = Prefilter([both])
    assert prefilter.rules_for("a.py", b"alpha(x.delta)") == ("r",)
    assert prefilter.rules_for("a.py", b"alpha \\\n  (x.delta)") == ("r",)
    assert prefilter.rules_for("a.py", b"from m import alpha as a\na(x.delta)") == ("r",)
    assert prefilter.rules_for("a.py", b"beta.gamma(x.delta)") == ("r",)
    assert prefilter.rules_for("a.py", b"gamma(x.delta)") == ()  # beta is missing
    assert prefilter.rules_for("a.py", b"f(alpha, x.delta)") == ()  # named, never called
    # shapes semgrep matches too: a decorator, a callee in parentheses, a split alias
    for text in (b"@alpha\ndef f(x): return x.delta", b"(alpha)(x.delta)",
                 b"(m\n .alpha)(x.delta)", b"from m import alpha \\\n as a\na(x.delta)",
                 b"from m import (alpha  # c\n as a)\na(x.delta)"):
        assert prefilter.rules_for("a.py", text) == ("r",), text
    assert prefilter.rules_for("a.py", b"def f(s: alpha) -> None: x.delta") == ()
    # one pass over a commented-out decorator above commented-out code with nested `#`
    # (the search once tried every split of the comments: onyx's salesforce connector
    # never finished)
    comments = b"".join(b"    #     # step %d: count(rows) in tables\n" % i for i in range(40))
    text = b"    # @staticmethod\n    # def f(cls) -> None:\n" + comments + b"x.delta, alpha\n"
    assert prefilter.rules_for("a.py", text) == ()
    assert prefilter.rules_for("a.py", b"alpha(x.deltas)") == ()  # a word, not a part
    assert prefilter.rules_for("a.py", b"beta.gamma(alphabet)") == ()
    open_branch = filter_of("""
        rules:
          - id: r
            languages: [python]
            message: m
            severity: ERROR
            pattern-either:
              - pattern: alpha(...)
              - pattern: $F($X)
        """)
    assert open_branch.requirement is None  # a branch without a word: every file


@pytest.mark.parametrize("body", [
    # taint mode
    """
    mode: taint
    pattern-sources: [{pattern: source(...)}]
    pattern-sinks: [{pattern: sink(...)}]
    """,
    # the newer `match:` syntax, unknown to the prefilter
    "match: {pattern: foo(...)}",
    # a regex without a fixed character
    r"pattern-regex: '\w+'",
    # a string metavariable that constant propagation may have folded
    """
    patterns:
      - pattern: '"$X"'
      - metavariable-regex: {metavariable: $X, regex: ^https://}
    """,
    # another language
    "pattern: foo(...)\nlanguages: [generic]",
], ids=["taint", "match", "regex", "folded-string", "generic"])
def test_custom_rules_without_a_requirement_see_every_file(body: str) -> None:
    head = "rules:\n  - id: r\n    message: m\n    severity: ERROR\n"
    if "languages" not in body:
        head += "    languages: [python]\n"
    derived = filter_of(head + textwrap.indent(textwrap.dedent(body), "    "))
    assert derived.requirement is None
    prefilter = Prefilter([derived])
    assert prefilter.rules_for("pkg/empty.py", b"") == ("r",)


def test_regular_expressions() -> None:
    assert sources(regex_requirement(
        r"(?i)\b(async_?)?(db_?)?session_?(local|factory|maker)\b|\basync_session\b")) == [
        ["(?i:async_session)"], ["(?i:factory)", "(?i:session)"],
        ["(?i:local)", "(?i:session)"], ["(?i:maker)", "(?i:session)"]]
    assert sources(regex_requirement(r"^([\w.]*\.)?get_db$")) == [["get_db"]]
    # every literal run of a sequence, a repeated group's body, not an optional one
    assert sources(regex_requirement(r"ab\d+cd(ef)?(gh|ij)+")) == [
        ["ab[\\d]", "cd", "gh"], ["ab[\\d]", "cd", "ij"]]
    assert sources(regex_requirement(r"(?i:api)[_-]?(?-i:KEY)")) == [["(?i:api)", "KEY"]]
    assert sources(regex_requirement(r"(?!secret)token")) == [["token"]]  # no lookaround
    assert regex_requirement("a|") is None  # an empty branch
    assert regex_requirement("[[:alpha:]]+x") is None  # read differently by PCRE
    # an optional character stays in its run's search (the key is the longest literal)
    assert sources(regex_requirement(r"(?i)access[_-]?key")) == [
        [r"(?i:access(?:[_\-]){0,1}key)"]]
    assert sources(regex_requirement(r"a?bc_*")) == [["bc"]]  # not at the ends
    # a code metavariable's text starts and ends at a token's edge: an anchor beside a
    # word character is a word boundary (`factory` holds no `actor` at a word's end)
    assert sources(regex_requirement(r"^(.*[._])?actor$", code=True)) == [[r"actor\b"]]
    assert sources(regex_requirement(r"^get_db$", code=True)) == [[r"\bget_db\b"]]
    assert sources(regex_requirement(r"^get_db$")) == [["get_db"]]  # a file's lines
    actor = Prefilter([RuleFilter("r", regex_requirement(r"^(.*[._])?actor$", True), None, ())])
    assert [actor.rules_for("a.py", text) for text in (
        b"@dramatiq.actor\n", b"@my_actor(x)", b"factory()")] == [("r",), ("r",), ()]
    assert regex_requirement(r"\\[:alpha:]x") is None  # a backslash, then the class
    assert sources(regex_requirement(r"(?!\[::1\]$)host")) == [["host"]]  # a bracket
    assert regex_requirement("(unclosed") is None


def test_each_test_runs_once_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """An alternative in several terms and rules is searched for once per file."""
    rules = [filter_of(f"""
        rules:
          - id: {name}
            languages: [python]
            message: m
            severity: ERROR
            pattern-either:
              - pattern: shared.{name}_one
              - pattern: shared.{name}_two
        """) for name in ("r", "s")]
    prefilter = Prefilter(rules)
    assert len(prefilter.tests) == 5
    seen: list[bytes] = []
    real = prefilter_module._Text.meets

    def counting(self: Any, key: bytes, *rest: Any) -> bool:
        seen.append(key)
        return bool(real(self, key, *rest))

    monkeypatch.setattr(prefilter_module._Text, "meets", counting)
    assert prefilter.rules_for("a.py", b"shared.s_two\n") == ("s",)
    assert sorted(seen) == [b"r_one", b"r_two", b"s_one", b"s_two", b"shared"]


def test_a_case_insensitive_class_keeps_its_case_folding() -> None:
    """`(?i)[a-z]:\\\\`: the key `:\\` has no letter, but the class does: a file with
    `C:\\` must still be met (semgrep's engine folds the class)."""
    rule = Prefilter([RuleFilter("r", regex_requirement(r"(?i)[a-z]:\\\\"), None, ())])
    assert rule.rules_for("a.py", b'path = "C:\\\\x"\n') == ("r",)
    assert rule.rules_for("a.py", b'path = "1:\\\\x"\n') == ()
    assert sources(regex_requirement(r"(?i)y://")) == [["(?i:y://)"]]
    assert sources(regex_requirement(r"(?i)\d+://")) == [["://"]]  # nothing to fold
    # an optional letter or class between literal parts is folded too
    for regex in (r"(?i)12-?34", r"(?i)12[a-z]?34", r"(?i)12x?34"):
        folded = Prefilter([RuleFilter("r", regex_requirement(regex), None, ())])
        assert folded.rules_for("a.py", b"1234 12X34") == ("r",), regex
    assert Prefilter([RuleFilter("r", regex_requirement(r"(?i)12[a-z]?34"), None, ())]
                     ).rules_for("a.py", b"12-34") == ()


def test_a_regex_requirement_holds_on_any_non_ascii_file() -> None:
    derived = filter_of(r"""
        rules:
          - id: r
            languages: [python]
            message: m
            severity: ERROR
            pattern-regex: (?i)token
        """)
    prefilter = Prefilter([derived])
    assert prefilter.rules_for("a.py", b"x = 1\n") == ()
    assert prefilter.rules_for("a.py", b"x = 'TOKEN'\n") == ("r",)
    # a Unicode engine folds the Kelvin sign to k: never decided on bytes
    assert prefilter.rules_for("a.py", "x = 'to\u212aen'\n".encode()) == ("r",)
    # in a term, only the regex part is met by a non-ASCII file: its words are still needed
    both = Prefilter([filter_of(r"""
        rules:
          - id: r
            languages: [python]
            message: m
            severity: ERROR
            patterns:
              - pattern: requests.$FN(...)
              - metavariable-regex: {metavariable: $FN, regex: "^(?i:get)$"}
        """)])
    assert both.rules_for("a.py", "import requests  # \u00e9\n".encode()) == ("r",)
    assert both.rules_for("a.py", "import httpx  # g\u00e9t\n".encode()) == ()
    assert both.rules_for("a.py", b"import requests\n") == ()
    assert both.rules_for("a.py", b"import requests\nrequests.GET(1)\n") == ("r",)


def test_paths() -> None:
    tests = glob_regex("**/tests/**")
    assert tests is not None
    assert tests.match("tests/a.py") and tests.match("x/tests/b/a.py")
    assert not tests.match("xtests/a.py")
    assert glob_regex("[ab].py") is None
    derived = filter_of("""
        rules:
          - id: r
            languages: [python]
            message: m
            severity: ERROR
            pattern: foo(...)
            paths:
              include: [tests]
              exclude: ["[ab].py", "**/skip_*.py"]
        """)
    assert derived.applies_to("tests/a.py")  # an include matches anywhere, and below
    assert derived.applies_to("pkg/tests/x/a.py")
    assert not derived.applies_to("pkg/a.py")
    assert not derived.applies_to("tests/skip_me.py")
    assert derived.applies_to("tests/b.py")  # an exclude it cannot read excludes nothing


# --- with real semgrep --------------------------------------------------------------------

PROJECT = {
    "pyproject.toml": '[tool.archguard]\npackage = "cpv3"\n',
    "cpv3/__init__.py": "",
    "cpv3/plain.py": """
        def add(a: int, b: int) -> int:
            return a + b
        """,
    # every form semgrep resolves through the file's imports
    "cpv3/aliases.py": """
        import os as o
        from os import environ as ENV

        import dramatiq as dq
        from sqlalchemy.orm import Session as S


        def read() -> str | None:
            first = o.getenv("A")  # each alias on its own line: one finding per rule and line
            return first or ENV.get("B")


        def make() -> object:
            return S()


        @dq.actor
        def job() -> None:
            pass
        """,
    "cpv3/modules/tasks/service.py": """
        from dramatiq import actor as task


        @task
        def job() -> None:
            pass
        """,
}
ALIAS_FINDINGS = [("AG406", "cpv3/aliases.py", 14), ("AG703", "cpv3/aliases.py", 9),
                  ("AG703", "cpv3/aliases.py", 10), ("AG704", "cpv3/aliases.py", 18),
                  ("AG704", "cpv3/modules/tasks/service.py", 5),
                  ("AG705", "cpv3/aliases.py", 18)]


def semgrep_findings(root: Path) -> list[tuple[str, str, int]]:
    report = run_check(CheckRequest([root], select=[code for code in (
        "AG406", "AG407", "AG701", "AG702", "AG703", "AG704", "AG705", "AG805")]))
    return sorted((d.code, d.path, d.line) for d in report.diagnostics)


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """The targets of every semgrep start (semgrep runs for real)."""
    monkeypatch.delenv("ARCHGUARD_NO_SEMGREP", raising=False)
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))
    started: list[list[str]] = []
    real = process.launch

    def recording(command: list[str], *args: Any) -> Any:
        started.append(command[command.index("--") + 1:])
        return real(command, *args)

    monkeypatch.setattr(process, "launch", recording)
    return started


def test_aliases_reach_semgrep_and_a_file_without_a_word_does_not(
        tmp_path: Path, launches: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "project", PROJECT)
    assert semgrep_findings(root) == ALIAS_FINDINGS
    (targets,) = launches
    assert sorted(targets) == ["cpv3/aliases.py", "cpv3/modules/tasks/service.py"]
    # warm: the left-out files are cached as having no findings, semgrep is not started
    assert semgrep_findings(root) == ALIAS_FINDINGS
    assert len(launches) == 1
    # the left-out file gains a word: it alone is scanned, and its finding is reported; the
    # rule filters come from the cache (no YAML read again)
    def refuse(*args: object) -> None:
        raise AssertionError("rule filters derived again")

    monkeypatch.setattr(prefilter, "rule_filters", refuse)
    (root / "cpv3/plain.py").write_text("import os\n\nBUCKET = os.environ['BUCKET']\n")
    assert ("AG703", "cpv3/plain.py", 3) in semgrep_findings(root)
    assert launches[1] == ["cpv3/plain.py"]


@pytest.fixture
def excluded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list[str]]:
    """Rule id -> the anchored excludes archguard added to it in the rule files semgrep
    read (semgrep runs for real)."""
    monkeypatch.delenv("ARCHGUARD_NO_SEMGREP", raising=False)
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache"))
    found: dict[str, list[str]] = {}
    real = process.launch

    def reading(command: list[str], *args: Any) -> Any:
        for i, part in enumerate(command):
            if part == "--config":
                for rule in yaml.safe_load(Path(command[i + 1]).read_text())["rules"]:
                    found[rule["id"]] = [p for p in (rule.get("paths") or {}).get(
                        "exclude", []) if p.startswith("/")]
        return real(command, *args)

    monkeypatch.setattr(process, "launch", reading)
    return found


def test_each_rule_is_given_only_the_files_it_can_match(
        tmp_path: Path, excluded: dict[str, list[str]]) -> None:
    """semgrep is given the files some rule can match; in the rule files it reads, each rule
    excludes the targets it cannot match (anchored), so it is not run on them, and the
    findings are the same. A path with a glob character stays with every rule."""
    odd = "cpv3/odd[1].py"
    root = write_tree(tmp_path / "project", {**PROJECT, odd: "import os\n\nA = os.getenv('A')\n"})
    assert semgrep_findings(root) == sorted([*ALIAS_FINDINGS, ("AG703", odd, 3)])
    service = "/cpv3/modules/tasks/service.py"
    assert excluded["environment-access"] == [service]  # no os in the actor's file
    assert excluded["sync-database"] == [service]
    assert excluded["unbounded-actor"] == []  # both files declare an actor
    assert not any(f"/{odd}" in paths for paths in excluded.values())


def test_a_folder_pattern_leaves_the_subfolders_to_the_rule(
        tmp_path: Path, excluded: dict[str, list[str]]) -> None:
    """Two actor files the environment rule cannot match become one `/cpv3/jobs/*.py`
    exclude; the environment read one folder down is still found."""
    actor = "import dramatiq\n\n\n@dramatiq.actor\ndef job() -> None:\n    pass\n"
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": '[tool.archguard]\npackage = "cpv3"\n', "cpv3/__init__.py": "",
        "cpv3/jobs/a.py": actor, "cpv3/jobs/b.py": actor,
        "cpv3/jobs/more/c.py": "import os\n\nA = os.getenv('A')\n"})
    report = run_check(CheckRequest([root], select=["AG703", "AG704"]))
    assert [(d.code, d.path) for d in report.diagnostics] == [
        ("AG704", "cpv3/jobs/a.py"), ("AG704", "cpv3/jobs/b.py"),
        ("AG703", "cpv3/jobs/more/c.py")]
    assert "/cpv3/jobs/*.py" in excluded["environment-access"]


def test_a_file_whose_name_is_not_utf8_is_reported_not_scanned(
        tmp_path: Path, launches: list[list[str]]) -> None:
    """semgrep fails the whole run on a target whose name is not UTF-8 ("no error
    message"): that file is left out and reported as AG000, and the others are scanned."""
    root = write_tree(tmp_path / "project", PROJECT)
    odd = os.fsencode(root / "cpv3") + b"/caf\xe9.py"
    Path(os.fsdecode(odd)).write_text("import os\n\nA = os.getenv('A')\n")
    report = run_check(CheckRequest([root], select=["AG000", "AG703"]))
    name = os.fsdecode(odd).rpartition("/")[2]
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("AG703", "cpv3/aliases.py", 9), ("AG703", "cpv3/aliases.py", 10),
        ("AG000", f"cpv3/{name}", 1)]
    assert all(f"cpv3/{name}" not in targets for targets in launches)
    assert report.diagnostics[-1].hint == (
        "give the file a UTF-8 name; its content is not the problem")


def test_a_custom_rule_file_reaches_semgrep_as_written(
        tmp_path: Path, launches: list[list[str]]) -> None:
    """An unquoted `10:30` is a string to semgrep (YAML 1.2) and 630 to PyYAML (1.1): the
    user's rule file is given to semgrep unchanged (not narrowed, though its other rule
    skips the files without `exec`), so it still matches."""
    files = {**PROJECT, "pyproject.toml": '[tool.archguard]\npackage = "cpv3"\n'
                                          'semgrep-rules = ["rules"]\n',
             "cpv3/opening.py": 'OPENS = "10:30"\n',
             "cpv3/run.py": 'exec("y = 2")\n',
             "rules/hours.yaml": """
                 rules:
                   - id: fixed-hours
                     languages: [python]
                     severity: ERROR
                     message: opening hours in code
                     metadata: {archguard-code: AG900}
                     pattern-regex: 10:30
                   - id: no-exec
                     languages: [python]
                     severity: ERROR
                     message: exec in code
                     metadata: {archguard-code: AG901}
                     pattern: exec(...)
                 """}
    root = write_tree(tmp_path / "project", files)
    report = run_check(CheckRequest([root], select=["AG900", "AG901"]))
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("AG900", "cpv3/opening.py", 1), ("AG901", "cpv3/run.py", 1)]


def test_a_custom_rule_without_a_requirement_sees_every_file(
        tmp_path: Path, launches: list[list[str]]) -> None:
    files = {**PROJECT, "pyproject.toml": '[tool.archguard]\npackage = "cpv3"\n'
                                          'semgrep-rules = ["rules"]\n',
             "rules/taint.yaml": """
                 rules:
                   - id: input-to-eval
                     languages: [python]
                     severity: ERROR
                     message: input() reaches eval()
                     mode: taint
                     pattern-sources: [{pattern: input(...)}]
                     pattern-sinks: [{pattern: eval(...)}]
                 """}
    root = write_tree(tmp_path / "project", files)
    run_check(CheckRequest([root]))
    (targets,) = launches
    assert sorted(targets) == ["cpv3/__init__.py", "cpv3/aliases.py",
                               "cpv3/modules/tasks/service.py", "cpv3/plain.py"]



@pytest.mark.parametrize("name", ["environment-access", "mocked-database"])
def test_paths_read_as_semgrep_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          name: str) -> None:
    """The shipped excludes (AG703) and includes (AG805): a path the prefilter keeps from a
    rule is one semgrep does not scan with it."""
    paths = ["conftest.py", "test_a.py", "a_test.py", "plain.py", "tests/x.py",
             "sub/tests/y.py", "sub/testsx/z.py", "cpv3/infrastructure/settings.py",
             "cpv3/infrastructure/other.py", "cpv3/conftest_helpers.py"]
    write_tree(tmp_path, {path: "import os\nA = os.environ['A']\n" for path in paths})
    monkeypatch.delenv("ARCHGUARD_NO_SEMGREP", raising=False)
    info = builtin_rule(SEMGREP_RULES[name])
    semgrep = process.SemgrepProcess(tmp_path, 300)
    try:
        semgrep.start([info.file], paths)
        scanned = {process.normal_path(p) for p in semgrep.wait()["scanned"]}
    finally:
        semgrep.close()
    ((derived, _),) = Prefilter(rule_filters([info], Config())).filters
    assert {p for p in paths if derived.applies_to(p)} == scanned


# Each file holds a match only through what its imports make of a name (files that match),
# or spells some but not all of the words one term needs (files no rule is given).
REACHED = {
    "pyproject.toml": '[tool.archguard]\npackage = "cpv3"\n',
    "cpv3/__init__.py": "",
    "cpv3/module_alias.py": """
        import sqlalchemy as sa


        def make(engine: object) -> object:
            return sa.orm.Session(engine)
        """,
    "cpv3/name_alias.py": """
        from sqlalchemy.orm import Session as S


        def make(engine: object) -> object:
            return S(engine)
        """,
    "cpv3/star.py": """
        from sqlalchemy.orm import *


        def make(engine: object) -> object:
            return Session(engine)
        """,
    "cpv3/submodule.py": """
        from sqlalchemy import orm


        def make(engine: object) -> object:
            return orm.Session(engine)
        """,
    "cpv3/legacy.py": """
        def rows(db: object) -> object:
            return db.query(int).all()
        """,
    "cpv3/environment.py": """
        from os import getenv as read


        def url() -> str | None:
            return read("URL")
        """,
    # sqlalchemy, but no Session (AsyncSession is another word), sessionmaker or engine
    "cpv3/async_only.py": """
        from sqlalchemy.ext.asyncio import AsyncSession


        async def count(s: AsyncSession) -> int:
            return 1
        """,
    # Session without sqlalchemy or sqlmodel
    "cpv3/other_session.py": """
        from requests import Session


        def make() -> Session:
            return Session()
        """,
    # query on something named neither db nor session
    "cpv3/search.py": """
        def find(index: object) -> object:
            return index.query("x")
        """,
    # environ, but not os
    "cpv3/settings_like.py": """
        environ = {"A": "1"}
        A = environ["A"]
        """,
}
REACHED_FINDINGS = [("AG406", "cpv3/legacy.py", 2), ("AG406", "cpv3/module_alias.py", 5),
                    ("AG406", "cpv3/name_alias.py", 5), ("AG406", "cpv3/star.py", 5),
                    ("AG406", "cpv3/submodule.py", 5), ("AG703", "cpv3/environment.py", 5)]


def test_a_file_semgrep_matches_is_sent_and_one_it_cannot_is_not(
        tmp_path: Path, launches: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "project", REACHED)
    select = ["AG406", "AG703"]
    assert sorted((d.code, d.path, d.line) for d in run_check(
        CheckRequest([root], select=select)).diagnostics) == REACHED_FINDINGS
    (targets,) = launches
    assert sorted(targets) == sorted({path for _, path, _ in REACHED_FINDINGS})
    # without the prefilter semgrep sees every file, and finds nothing more
    monkeypatch.setenv("ARCHGUARD_CACHE_DIR", str(tmp_path / "cache-everything"))
    monkeypatch.setattr(Prefilter, "rules_for", lambda self, path, data: tuple(
        rule.rule_id for rule, _ in self.filters if rule.applies_to(path)))
    assert sorted((d.code, d.path, d.line) for d in run_check(
        CheckRequest([root], select=select)).diagnostics) == REACHED_FINDINGS
    assert len(launches[1]) == len([p for p in REACHED if p.endswith(".py")])
