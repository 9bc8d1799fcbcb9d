"""difflib's line diff, the same opcodes faster on files with many repeated lines.

``SequenceMatcher(None, a, b, autojunk=False)`` finds the longest block of lines the two
texts share, then does the same on either side of it. Its search visits every pair of equal
lines in the range, so a file with many repeated lines (blank lines, closing brackets) costs
it time quadratic in their number: a 8,500-line file took 0.36 s, most of a JSON run's fix
records. Where that search would visit many pairs, ``LineMatcher`` finds the same block
another way: the longest run through a line that occurs once on each side gives a length
``k``; no window of ``k + 1`` lines in common proves it the longest; the first window of
``k`` lines of ``a`` found in ``b`` is the block difflib picks (the earliest in ``a``, then
the earliest in ``b``). Equal hashes are always confirmed by comparing the lines, so a
collision costs time, never a different result.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter

MODULUS = (1 << 61) - 1
BASE = 1_000_003
# difflib's own search is the cheaper one below this many pairs of lines (range of a times
# range of b), or when it visits few pairs of equal lines per line of the ranges (files
# whose lines are mostly unique, a block that occurs twice): the runs and hashes below cost
# a few passes over both ranges.
DIFFLIB_MAX_PAIRS = 2_500
DIFFLIB_STEPS_PER_LINE = 3


class LineMatcher(difflib.SequenceMatcher):  # type: ignore[type-arg]
    """``difflib.SequenceMatcher(None, a, b, autojunk=False)``, same results."""

    def __init__(self, a: list[str], b: list[str]) -> None:
        super().__init__(None, a, b, autojunk=False)
        ids: dict[str, int] = {}
        self._a = [ids.setdefault(line, len(ids)) for line in a]
        self._b = [ids.setdefault(line, len(ids)) for line in b]
        self._lines = list(ids)  # id -> line
        self._hashes: tuple[list[int], list[int]] | None = None  # made when first needed
        self._powers = [1]

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0,
                           bhi: int | None = None) -> difflib.Match:
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        if (ahi - alo) * (bhi - blo) <= DIFFLIB_MAX_PAIRS:
            return super().find_longest_match(alo, ahi, blo, bhi)
        in_a = Counter(self._a[alo:ahi])
        if self._difflib_steps(in_a, bhi) <= DIFFLIB_STEPS_PER_LINE * (ahi - alo + bhi - blo):
            return super().find_longest_match(alo, ahi, blo, bhi)
        size, anchored, repeated = self._anchored_runs(in_a, alo, ahi, blo, bhi)
        if repeated < size and anchored is not None:
            return difflib.Match(anchored[0], anchored[1], size)  # the common case
        if repeated > size and self._first_common(size + 1, alo, ahi, blo, bhi) is not None:
            size = self._grown(size + 1, alo, ahi, blo, bhi)
        if size == 0:
            return difflib.Match(alo, blo, 0)
        i, j = self._first_common(size, alo, ahi, blo, bhi)  # type: ignore[misc]
        return difflib.Match(i, j, size)

    def _difflib_steps(self, in_a: Counter[int], bhi: int) -> int:
        """How many pairs of equal lines difflib's search of a range visits: for each line of
        ``a``'s range (``in_a``: line id -> count), its places in ``b`` up to ``bhi`` (those
        below the range's start too)."""
        b2j, lines = self.b2j, self._lines
        return sum(count * bisect.bisect_left(b2j[lines[line]], bhi)
                   for line, count in in_a.items() if lines[line] in b2j)

    def _anchored_runs(self, in_a: Counter[int], alo: int, ahi: int, blo: int, bhi: int,
                       ) -> tuple[int, tuple[int, int] | None, int]:
        """(the longest run of equal lines through a line that occurs once in each range,
        where the first such run starts, the longest stretch of ``a`` made of lines that
        occur in both ranges but not once in each).

        A block of equal lines through a line that occurs once in each range lies in that
        line's run; any other block lies in such a stretch. So when every stretch is
        shorter than the longest run, that run is difflib's block: the first one in ``a``,
        and its place in ``b`` is the only one (it holds a line ``b`` has once)."""
        a, b = self._a, self._b
        in_b = Counter(b[blo:bhi])
        where_b = {b[j]: j for j in range(blo, bhi) if in_b[b[j]] == 1}
        best, first = 0, None
        covered = -1  # a run found is not walked again from its other anchors
        repeated = stretch = 0
        for i in range(alo, ahi):
            line = a[i]
            if line not in in_b:
                stretch = 0
                continue
            if in_a[line] != 1 or line not in where_b:
                stretch += 1
                repeated = max(repeated, stretch)
                continue
            stretch = 0
            if i <= covered:
                continue
            j = where_b[line]
            start_i, start_j = i, j
            while start_i > alo and start_j > blo and a[start_i - 1] == b[start_j - 1]:
                start_i, start_j = start_i - 1, start_j - 1
            end_i, end_j = i + 1, j + 1
            while end_i < ahi and end_j < bhi and a[end_i] == b[end_j]:
                end_i, end_j = end_i + 1, end_j + 1
            if end_i - start_i > best:
                best, first = end_i - start_i, (start_i, start_j)
            covered = end_i - 1
        return best, first, repeated

    def _grown(self, size: int, alo: int, ahi: int, blo: int, bhi: int) -> int:
        """The longest common window, knowing one of ``size`` lines exists."""
        low, high = size, min(ahi - alo, bhi - blo) + 1  # a window of ``high`` does not
        step = 1
        while low + step < high:  # doubling: blocks are mostly a little longer than known
            if self._first_common(low + step, alo, ahi, blo, bhi) is None:
                high = low + step
                break
            low, step = low + step, step * 2
        while high - low > 1:
            middle = (low + high) // 2
            if self._first_common(middle, alo, ahi, blo, bhi) is None:
                high = middle
            else:
                low = middle
        return low

    def _first_common(self, size: int, alo: int, ahi: int, blo: int, bhi: int,
                      ) -> tuple[int, int] | None:
        """The first window of ``size`` lines of ``a`` (in the range) that ``b`` holds, with
        the first place ``b`` holds it; None when there is none."""
        if size > ahi - alo or size > bhi - blo:
            return None
        if self._hashes is None:
            self._hashes = _prefix_hashes(self._a), _prefix_hashes(self._b)
        (ha, hb), a, b = self._hashes, self._a, self._b
        power = self._power(size)
        keys_b = [(hb[j + size] - hb[j] * power) % MODULUS for j in range(blo, bhi - size + 1)]
        first_b = {key: j for j, key in zip(range(bhi - size, blo - 1, -1), reversed(keys_b))}
        keys_a = [(ha[i + size] - ha[i] * power) % MODULUS for i in range(alo, ahi - size + 1)]
        for i, key in zip(range(alo, ahi - size + 1), keys_a):
            j = first_b.get(key)
            if j is None:
                continue
            window = a[i:i + size]
            if b[j:j + size] == window:
                return i, j
            # a hash collision: the first equal window of b, if any, the slow way
            found = next((k for k, other in zip(range(blo, bhi - size + 1), keys_b)
                          if other == key and b[k:k + size] == window), None)
            if found is not None:
                return i, found
        return None

    def _power(self, size: int) -> int:
        powers = self._powers
        while len(powers) <= size:
            powers.append(powers[-1] * BASE % MODULUS)
        return powers[size]


def _prefix_hashes(ids: list[int]) -> list[int]:
    hashes = [0]
    value = 0
    for item in ids:
        value = (value * BASE + item + 1) % MODULUS
        hashes.append(value)
    return hashes
