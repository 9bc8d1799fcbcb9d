"""The shell blocks of the README and the docs site, and how the tests run them.

A fenced block in ``console``, ``bash``, ``sh`` or ``shell`` shows commands. Each one is run
by tests/test_docs_commands.py unless the line right before its fence is a marker
``<!-- docs-test: skip (reason) -->``. The marker ``<!-- docs-test: setup=NAME -->`` picks
the folder the commands run in (default: a copy of sample_project/ at ``<tmp>/demo``).

- ``console`` blocks: ``$ command`` lines, each followed by the output it must print
  (stdout and stderr together). A line ``...`` matches any number of lines. The commands run
  one after another in one shell, so ``cd`` and ``echo $?`` work as shown.
- ``bash``/``sh``/``shell`` blocks: commands without output (comments and blank lines
  ignored, ``\\`` continues a line); each must exit 0.

With ``ARCHGUARD_DOCS_UPDATE=1`` the test rewrites a ``console`` block whose output differs
with the output the commands really print (``rewrite_block``); a block with ``...`` lines is
left as it is and fails, to be fixed by hand. Read ``git diff`` before committing.
"""

from __future__ import annotations

import fcntl
import re
from dataclasses import dataclass
from pathlib import Path

SHELL_LANGUAGES = ("console", "bash", "sh", "shell")
MARKER = re.compile(r"^<!-- docs-test: (?P<body>.*?) -->$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
PROMPT = "$ "
ELLIPSIS = "..."


@dataclass(frozen=True)
class Block:
    path: Path  # the markdown file
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    marker: str  # the docs-test marker's body, "" without one

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def skip_reason(self) -> str | None:
        if self.marker.startswith("skip"):
            return self.marker[len("skip"):].strip(" ()")
        return None

    @property
    def setup(self) -> str:
        match = re.search(r"setup=(\S+)", self.marker)
        return match[1] if match else "demo"


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a markdown file, with the marker line before it."""
    found = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent = opening["indent"]
        end = index + 1
        while end < len(lines) and lines[end] != f"{indent}```":
            end += 1
        previous = lines[index - 1].strip() if index else ""
        marker = MARKER.match(previous)
        body = "\n".join(line[len(indent):] for line in lines[index + 1:end])
        found.append(Block(path, index + 1, opening["lang"], body,
                           marker["body"] if marker else ""))
        index = end + 1
    return found


def shell_blocks(paths: list[Path]) -> list[Block]:
    return [block for path in paths for block in blocks(path)
            if block.language in SHELL_LANGUAGES]


def console_steps(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith(PROMPT):
            steps.append((line[len(PROMPT):], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"console block starts with output, not a '$ ' command: {line!r}")
    return [(command, "\n".join(output)) for command, output in steps]


def script_commands(text: str) -> list[str]:
    """The commands of a bash block: continuation lines joined, comments dropped."""
    commands: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands.append(pending + line)
        pending = ""
    return commands


def output_matches(expected: str, actual: str) -> bool:
    """Exact match, line by line, where a line ``...`` stands for any number of lines."""
    parts = [re.escape(line) + "\n" if line != ELLIPSIS else "(?:.*\n)*?"
             for line in expected.splitlines()]
    return re.fullmatch("".join(parts), actual if actual.endswith("\n") or not actual
                        else actual + "\n") is not None


def uses_ellipsis(text: str) -> bool:
    return any(line == ELLIPSIS for line in text.splitlines())


def console_text(steps: list[tuple[str, str]]) -> str:
    """A console block's text from (command, output) pairs; the inverse of console_steps."""
    lines: list[str] = []
    for command, output in steps:
        lines.append(PROMPT + command)
        lines += output.splitlines()
    return "\n".join(lines)


def rewrite_block(block: Block, text: str) -> None:
    """Replace the block's text in its markdown file with ``text``.

    The block is found by its text (the nearest copy to its recorded line), since a block
    rewritten before it in the same file may have moved it; a lock on the file keeps two
    test workers from losing each other's rewrite.
    """
    with block.path.open("r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        lines = handle.read().split("\n")
        old = block.text.split("\n")
        starts = [index for index, line in enumerate(lines)
                  if FENCE.match(line) and FENCE.match(line)["lang"] == block.language
                  and [row[len(FENCE.match(line)["indent"]):]
                       for row in lines[index + 1:index + 1 + len(old)]] == old
                  and lines[index + 1 + len(old):][:1] == [FENCE.match(line)["indent"] + "```"]]
        if not starts:
            raise ValueError(f"{block.id}: the block is no longer in {block.path.name}")
        start = min(starts, key=lambda index: abs(index + 1 - block.line))
        indent = FENCE.match(lines[start])["indent"]
        new = [indent + row if row else row for row in text.split("\n")]
        lines[start + 1:start + 1 + len(old)] = new
        handle.seek(0)
        handle.write("\n".join(lines))
        handle.truncate()
