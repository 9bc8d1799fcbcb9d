"""``LineMatcher`` gives exactly difflib's opcodes (``archguard.fix.linediff``): on generated
line lists with many repeats, with its hashing forced on every range, and with hashes that
collide all the time."""

from __future__ import annotations

import difflib
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.fix import linediff
from archguard.fix.edits import changes_between
from archguard.fix.linediff import LineMatcher


def difflib_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


# few distinct lines: long repeated stretches, many equal blocks to choose between; and
# some lines that may occur once on each side (the runs through them are the fast path)
repeated = st.sampled_from(["\n", "    )\n", "x = 1\n", "return\n", "y\n"])
lines = st.lists(st.one_of(repeated, st.integers(0, 20).map(lambda n: f"u{n}\n")),
                 max_size=60)


# The fixture only sets module constants, the same for every example it runs.
FIXTURE_PER_TEST = HealthCheck.function_scoped_fixture


@pytest.fixture(params=["default", "hashing on every range", "colliding hashes"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param != "default":  # never difflib's own search
        monkeypatch.setattr(linediff, "DIFFLIB_MAX_PAIRS", 0)
        monkeypatch.setattr(linediff, "DIFFLIB_STEPS_PER_LINE", -1)
    if request.param == "colliding hashes":
        monkeypatch.setattr(linediff, "MODULUS", 3)
    return str(request.param)


@settings(max_examples=300, deadline=None, suppress_health_check=[FIXTURE_PER_TEST])
@given(a=lines, b=lines)
def test_same_opcodes_as_difflib(mode: str, a: list[str], b: list[str]) -> None:
    assert LineMatcher(a, b).get_opcodes() == difflib_opcodes(a, b)


@settings(max_examples=100, deadline=None, suppress_health_check=[FIXTURE_PER_TEST])
@given(a=lines, edits=st.lists(st.tuples(st.integers(0, 59), st.sampled_from(
    ["", "new\n", "\n", "    )\n", "x = 1\n"])), max_size=6))
def test_same_opcodes_after_a_few_edits(mode: str, a: list[str],
                                        edits: list[tuple[int, str]]) -> None:
    """The shape of a fix: the file with a few lines replaced, dropped or added."""
    b = list(a)
    for at, line in edits:
        at = min(at, len(b))
        if line == "":
            del b[at:at + 1]
        else:
            b.insert(at, line)
    assert LineMatcher(a, b).get_opcodes() == difflib_opcodes(a, b)


def python_like(rng: random.Random, size: int) -> list[str]:
    """Unique statements between blank lines and closing brackets, as in a long module."""
    out = []
    for index in range(size):
        out.append(f"    value_{index} = call({rng.randrange(50)})\n")
        out.extend(rng.choice([[], ["\n"], ["    )\n", "\n"], ["\n", "\n"]]))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_long_file_with_a_hoisted_constant_block(seed: int) -> None:
    """AG501's fix on a long file: constants added near the top, messages replaced all over
    (the ranges are long enough for the hashing path)."""
    rng = random.Random(seed)
    old = python_like(rng, 600)
    new = list(old)
    for at in sorted(rng.sample(range(len(new)), 12), reverse=True):
        new[at] = f"    raise Error(MESSAGE_{at})\n"
    new[5:5] = [f"MESSAGE_{k} = 'text'\n" for k in range(12)] + ["\n"]
    assert LineMatcher(old, new).get_opcodes() == difflib_opcodes(old, new)
    assert changes_between("".join(old), "".join(new))  # the edits the JSON shows


@pytest.mark.parametrize("a, b", [
    # an anchor right after another's run, on another diagonal
    (["c\n", "b\n", "d\n"], ["d\n", "b\n", "d\n", "c\n"]),
    (["u1\n", "u2\n", "x\n", "u3\n"], ["u3\n", "u2\n", "x\n", "u1\n"]),
])
def test_adjacent_anchors(mode: str, a: list[str], b: list[str]) -> None:
    assert LineMatcher(a, b).get_opcodes() == difflib_opcodes(a, b)


def test_no_common_line_and_empty_sides() -> None:
    assert LineMatcher(["a\n"] * 80, ["b\n"] * 80).get_opcodes() == [("replace", 0, 80, 0, 80)]
    assert LineMatcher([], ["a\n"]).get_opcodes() == [("insert", 0, 0, 0, 1)]
    assert LineMatcher(["a\n"], []).get_opcodes() == [("delete", 0, 1, 0, 0)]


def test_few_equal_pairs_go_to_difflibs_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """A block that occurs twice, edited all over: difflib's search visits about two pairs a
    line, cheaper than the runs and hashes (which were 10-45x slower there)."""
    def refused(*args: object) -> None:
        raise AssertionError("runs and hashes used")

    monkeypatch.setattr(LineMatcher, "_anchored_runs", refused)
    block = [f"stmt_{n}\n" for n in range(300)]
    a = block + ["\n"] + block
    b = [f"changed_{n}\n" if n % 7 == 0 else line for n, line in enumerate(a)]
    assert LineMatcher(a, b).get_opcodes() == difflib_opcodes(a, b)


def test_many_equal_pairs_take_the_runs() -> None:
    """Blank lines between unique statements: the runs through the unique lines decide."""
    a = [line for n in range(300) for line in (f"stmt_{n}\n", "\n")]
    b = a[:100] + ["new\n"] + a[100:]
    matcher = LineMatcher(a, b)
    assert matcher._difflib_steps(Counter(matcher._a), len(b)) > \
        linediff.DIFFLIB_STEPS_PER_LINE * (len(a) + len(b))
    assert matcher.get_opcodes() == difflib_opcodes(a, b)


def test_difflib_steps_count_the_places_difflib_visits() -> None:
    """For each line of a's range, its places in b below the range's end, those below the
    range's start too (difflib's loop skips them one by one); none past the end."""
    matcher = LineMatcher(["x\n", "y\n", "x\n"], ["x\n", "x\n", "y\n", "x\n", "x\n"])
    x, y = 0, 1  # the line ids, in order of appearance
    assert matcher._difflib_steps(Counter([x, y]), 3) == 2 + 1  # x at b[0], b[1]; y at b[2]
    assert matcher._difflib_steps(Counter([x, y, x]), 5) == 4 + 1 + 4
