"""End to end: ``archguard check sample_project --format json`` reports exactly the planted
violations: every ``# expect: CODE`` marker in the source, plus the file and folder findings
listed in sample_project/EXPECTED.md. No more, no fewer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from conftest import SAMPLE, semgrep_env

MARKER = re.compile(rb"#\s*expect:\s*(?P<codes>AG\d{3}(?:\s*,\s*AG\d{3})*)")
TABLE_ROW = re.compile(r"^\|\s*(AG\d{3})\s*\|\s*([^|\s]+)\s*\|\s*(\d+)\s*\|")

Expected = Counter[tuple[str, str, int]]


def planted_markers(root: Path) -> Expected:
    expected: Expected = Counter()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for code in match["codes"].decode().split(","):
                    expected[(code.strip(), rel, number)] += 1
    return expected


def listed_findings(root: Path) -> Expected:
    expected: Expected = Counter()
    for line in (root / "EXPECTED.md").read_text(encoding="utf-8").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            expected[(match[1], match[2], int(match[3]))] += 1
    return expected


def run_json(*args: str) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "archguard", "check", str(SAMPLE), "--format", "json", *args],
        capture_output=True, text=True, check=False, env=semgrep_env())
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_sample_project_reports_exactly_the_planted_violations() -> None:
    expected = planted_markers(SAMPLE) + listed_findings(SAMPLE)
    code, report = run_json()
    found = Counter((d["code"], d["path"], d["line"]) for d in report["diagnostics"])
    assert code == 1
    missing = sorted((expected - found).elements())
    unexpected = sorted((found - expected).elements())
    assert (missing, unexpected) == ([], [])


def test_every_default_rule_is_planted_at_least_once() -> None:
    from archguard.rules.registry import all_rules

    planted = {code for code, _, _ in planted_markers(SAMPLE) + listed_findings(SAMPLE)}
    not_planted = set(re.findall(r"AG\d{3}", _not_planted_section()))
    missing = {r.code for r in all_rules() if r.default_enabled} - planted - not_planted
    assert missing == set()


def _not_planted_section() -> str:
    text = (SAMPLE / "EXPECTED.md").read_text(encoding="utf-8")
    _, _, tail = text.partition("## Not planted")
    return tail


def test_two_runs_are_byte_identical() -> None:
    first = subprocess.run([sys.executable, "-m", "archguard", "check", str(SAMPLE), "--format",
                            "json"], capture_output=True, check=False, env=semgrep_env()).stdout
    second = subprocess.run([sys.executable, "-m", "archguard", "check", str(SAMPLE),
                             "--format", "json"], capture_output=True, check=False,
                            env=semgrep_env()).stdout
    assert first == second and first


GOLDEN = Path(__file__).parent / "data" / "golden"


def test_output_is_byte_identical_to_the_recorded_golden_files() -> None:
    """The report and the graph of sample_project as recorded in tests/data/golden/: a
    refactoring that changes any byte of them changed behaviour. When a change is meant,
    rewrite them with the two commands in the assertion message and review the diff."""
    for args, golden in ((["check", "--format", "json", "--no-cache"], "sample_project.json"),
                         (["graph", "--format", "mermaid"], "sample_project.mmd")):
        done = subprocess.run([sys.executable, "-m", "archguard", *args], cwd=SAMPLE,
                              capture_output=True, check=False, env=semgrep_env())
        # The JSON names the project root, an absolute path that differs between machines.
        root = f'"root": "{SAMPLE.resolve().as_posix()}"'.encode()
        output = done.stdout.replace(root, b'"root": "<sample_project>"', 1)
        assert output == (GOLDEN / golden).read_bytes(), (
            f"output changed: (cd sample_project && archguard {' '.join(args)}) "
            f"> tests/data/golden/{golden} (then write <sample_project> for the JSON root)")
