"""Speed benchmark of archguard against the tools teams run today (issue 6).

Not a pytest test on purpose: wall times depend on the machine and its load, so they are
measured and printed, never asserted in CI. For each tree size the script generates a seeded
synthetic cpv3 tree (``synth.py`` next to this file), then times, as subprocesses and with
``time.perf_counter``, several repeats of:

* archguard cold (``--no-cache``), warm (nothing changed) and one-file-changed runs (two
  kinds of edit: a comment appended, which keeps the file's facts, and a new function with
  an import, which changes them and so runs the project rules again);
* archguard with and without its semgrep engine, and semgrep alone, when the checker has a
  ``--no-semgrep`` (or ``--semgrep``) switch;
* the reference tools, each only if installed: ruff, lint-imports, tach, xenon, semgrep;
* a single-process ``ast.parse`` of every file, the floor any Python-side checker pays.

It prints medians, the peak memory of the checker (largest single process from ``wait4``
and the sampled total of its process tree, so a process pool cannot hide), the ratio
archguard cold / tool combination, and PASS/MISS for each target of issue 6.

Usage::

    python tests/perf/bench.py [--sizes 100,300,1000] [--repeat 5] [--workdir DIR] [--keep]
                               [--json FILE] [--archguard-cmd "python -m archguard"]
                               [--skip-archguard] [--skip-reference] [--tools ruff,tach]
                               [--semgrep-rule FILE] [--libcst] [--seed 6]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import multiprocessing
import multiprocessing.pool
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PERF_DIR = Path(__file__).resolve().parent
REPO_ROOT = PERF_DIR.parents[1]
# tests/ is not a package, so the generator is imported from this script's own directory.
if str(PERF_DIR) not in sys.path:
    sys.path.insert(0, str(PERF_DIR))

import synth  # noqa: E402  (needs the sys.path entry above)

OK_CODES = (0, 1)  # 0 = clean, 1 = findings; anything else is a failure of the tool
CACHE_DIR_NAME = ".archguard_cache"
TOUCH_MODULE_FRACTION = 0.5  # which module's service.py the one-file-changed run edits
SAMPLE_INTERVAL_S = 0.005
TAIL_CHARS = 2000
TARGET_SIZE = 300
SCALE_SIZE = 1000
TARGETS = {
    "cold_s": 2.0,
    "cold_combo_fraction": 1 / 3,
    "warm_s": 0.3,
    "one_file_s": 0.5,
    "peak_mb": 250.0,
    "scale_ratio": 3.5,
    "semgrep_overhead": 1.10,
    "semgrep_warm_s": 0.3,
}
# Issue 15 (speed, round two): ratios measured side by side in one run.
TARGETS_15 = {
    "serial_over_floor": 2.5,  # cold, one process, no semgrep / read + ast.parse every file
    "cold_over_anchor": 0.55,  # cold, default jobs / ruff + lint-imports + tach + xenon
    "warm_json_over_tach": 0.65,  # warm --format json / tach check
    "one_file_s": 0.35,  # one file changed (the slower of the two edits)
    "semgrep_over_alone": 0.5,  # cold with semgrep / semgrep scan with the same rules
    "semgrep_peak_mb": 250.0,  # peak memory (process tree) of a cold run with semgrep
}
ANCHOR_TOOLS = ("ruff", "lint-imports", "tach", "xenon")
AST_PARSE_SNIPPET = (
    "import ast, pathlib, sys\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.py')):\n"
    "    try:\n"
    "        ast.parse(p.read_bytes(), filename=str(p))\n"
    "    except SyntaxError:\n"  # real code may need a newer Python: still read and tried
    "        pass\n"
)
LIBCST_SNIPPET = (
    "import libcst, pathlib, sys\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.py')):\n"
    "    libcst.parse_module(p.read_bytes())\n"
)
BUILTIN_SEMGREP_RULE = """rules:
  - id: inline-http-error-detail
    languages: [python]
    severity: WARNING
    message: HTTPException detail must be an ERROR_ constant, not an inline string
    options:
      constant_propagation: false
    pattern: HTTPException(..., detail="...", ...)
"""


class BenchError(RuntimeError):
    """A measured command failed in a way that makes its numbers meaningless."""


# ----------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    """One finished child process: wall and CPU time, its peak RSS and its output."""

    wall_s: float
    cpu_s: float
    maxrss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Sample:
    """Run ``cmd`` once; wall time via perf_counter, peak RSS via ``os.wait4``.

    The command is started from a small process of its own, a fresh one each time (a
    forkserver pool whose worker does one task): a child forked from the bench, which holds
    every report it has read, would report the bench's size as its own peak (Linux keeps the
    peak of the image a process had before ``exec``: under a 300 MB parent, ``python -c
    pass`` reports 311 MB), and so would one forked from a launcher that has read a large
    report before.
    """
    return Sample(*_launcher().apply(_measured_here, (list(cmd), str(cwd), dict(env))))


@functools.cache
def _launcher() -> multiprocessing.pool.Pool:
    """The pool that starts every measured command (one task per worker)."""
    return multiprocessing.get_context("forkserver").Pool(1, maxtasksperchild=1)


def _measured_here(cmd: list[str], cwd: str, env: dict[str, str],
                   ) -> tuple[float, float, float, int, str, str]:
    """``run_measured`` in the launcher process. Output goes to temporary files rather than
    pipes so a large JSON report cannot deadlock the child while we are blocked in
    ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        rss = usage.ru_maxrss / 1024
        return wall, cpu, rss, proc.returncode, read_all(out), read_all(err)


def read_all(handle: IO[bytes]) -> str:
    """Rewind and decode a temporary output file."""
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace")


def process_tree(root: int) -> list[int]:
    """``root`` and all its live descendants, from /proc (pool workers included)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path("/proc", entry.name, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def process_memory_kb(pid: int) -> int:
    """PSS of one process (shared pages split fairly between forked workers); RSS fallback."""
    try:
        for line in Path("/proc", str(pid), "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    try:
        pages = int(Path("/proc", str(pid), "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def run_sampled(cmd: Sequence[str], cwd: Path, env: Mapping[str, str]) -> float:
    """Peak total PSS in MB of the child's process tree, sampled every few milliseconds.

    Sampling costs CPU, so this run is separate from the timed ones and its time is not
    reported. Returns 0.0 where /proc is unavailable.
    """
    if not Path("/proc/self/stat").exists():
        return 0.0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env), stdout=out, stderr=err)
        peak_kb = 0
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            peak_kb = max(peak_kb, sum(process_memory_kb(p) for p in process_tree(proc.pid)))
            time.sleep(SAMPLE_INTERVAL_S)
        return peak_kb / 1024


def median(samples: Sequence[Sample]) -> float:
    """Median wall time; the median resists the odd slow run on a shared machine."""
    return statistics.median(s.wall_s for s in samples)


def repeat(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    times: int,
    before: Callable[[int], None] | None = None,
) -> list[Sample]:
    """``times`` measured runs, calling ``before(i)`` untimed ahead of each."""
    samples = []
    for i in range(times):
        if before is not None:
            before(i)
        samples.append(run_measured(cmd, cwd, env))
    return samples


# ----------------------------------------------------------------------------- archguard


@dataclass
class Archguard:
    """How to invoke the checker and which optional switches it understands."""

    base: list[str]
    env: dict[str, str]
    native_flags: list[str] = field(default_factory=list)
    semgrep_flags: list[str] | None = None

    def cmd(self, tree: Path, *extra: str) -> list[str]:
        """``archguard check TREE --format json`` plus ``extra`` flags."""
        return [*self.base, "check", str(tree), "--format", "json", *extra]


def child_env(extra_path: Sequence[Path] = ()) -> dict[str, str]:
    """Environment for children: the venv's bin first on PATH, the repo importable.

    PYTHONDONTWRITEBYTECODE is dropped: with it, every run of a source checkout recompiles
    all of archguard, which an installed package never does, and the warm-run figure would
    measure the compiler. Set PYTHONPYCACHEPREFIX to keep .pyc files out of the checkout.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    bins = [str(Path(sys.executable).parent), *map(str, extra_path)]
    env["PATH"] = os.pathsep.join([*bins, env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    return env


def probe_archguard(command: str) -> Archguard:
    """Check the checker starts, and learn from ``check --help`` how to toggle semgrep."""
    base = shlex.split(command)
    env = child_env()
    sample = run_measured([*base, "check", "--help"], REPO_ROOT, env)
    if sample.returncode != 0:
        raise BenchError(
            f"`{command} check --help` exited {sample.returncode}; use --skip-archguard to "
            f"measure only the generator and reference tools.\n{tail(sample.stderr)}"
        )
    agent = Archguard(base, env)
    if "--no-semgrep" in sample.stdout:
        agent.native_flags, agent.semgrep_flags = ["--no-semgrep"], []
    elif "--semgrep" in sample.stdout:
        agent.semgrep_flags = ["--semgrep"]
    return agent


def tail(text: str) -> str:
    """Last part of a tool's output, enough to see why it failed."""
    return text[-TAIL_CHARS:]


def checked(samples: list[Sample], what: str, cmd: Sequence[str]) -> list[Sample]:
    """Abort on exit codes other than 0/1: 2 means usage or internal error."""
    for sample in samples:
        if sample.returncode not in OK_CODES:
            raise BenchError(
                f"{what} run exited {sample.returncode}: {shlex.join(cmd)}\n{tail(sample.stderr)}"
            )
    return samples


def clear_cache(tree: Path) -> None:
    """Remove the checker's cache so a run starts cold even if --no-cache is ignored."""
    shutil.rmtree(tree / CACHE_DIR_NAME, ignore_errors=True)


def count_findings(stdout: str) -> int | None:
    """Findings in the JSON report, to sanity-check against the planted violations."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    if isinstance(report, list):
        return len(report)
    if isinstance(report, dict):
        for key in ("diagnostics", "findings"):
            if isinstance(report.get(key), list):
                return len(report[key])
    return None


def touch_file(tree: Path, modules: int) -> Path:
    """The service.py the one-file-changed runs edit (a module in the middle of the tree)."""
    index = int(modules * TOUCH_MODULE_FRACTION)
    return tree / "cpv3" / "modules" / synth.mod_name(index) / "service.py"


def bench_archguard(agent: Archguard, tree: Path, target: Path, times: int,
                    ) -> dict[str, object]:
    """Cold, warm and one-file-changed (``target`` is the file edited) medians, peak memory,
    and the semgrep comparison."""
    native = agent.native_flags
    cold_cmd = agent.cmd(tree, "--no-cache", *native)
    cold = checked(
        repeat(cold_cmd, tree, agent.env, times, lambda _: clear_cache(tree)), "cold", cold_cmd
    )
    serial_cmd = agent.cmd(tree, "--no-cache", "-j", "1", *native)
    serial = checked(
        repeat(serial_cmd, tree, agent.env, times, lambda _: clear_cache(tree)), "serial",
        serial_cmd)
    clear_cache(tree)
    tree_peak = run_sampled(cold_cmd, tree, agent.env)
    warm_cmd = agent.cmd(tree, *native)
    clear_cache(tree)
    fill = checked([run_measured(warm_cmd, tree, agent.env)], "cache fill", warm_cmd)
    warm = checked(repeat(warm_cmd, tree, agent.env, times), "warm", warm_cmd)
    touch = lambda i: append_line(target, f"# bench touch {i}\n")  # noqa: E731
    one = checked(repeat(warm_cmd, tree, agent.env, times, touch), "one-file", warm_cmd)
    # An edit that changes the file's facts (a new function with an import): the project
    # rules run again, where a comment reuses their findings.
    add_function = lambda i: append_line(  # noqa: E731
        target, f"\n\ndef bench_touch_{i}() -> None:\n    import os  # noqa: F401\n")
    one_facts = checked(repeat(warm_cmd, tree, agent.env, times, add_function),
                        "one-file (facts)", warm_cmd)
    result: dict[str, object] = {
        "cold": walls(cold),
        "cold_serial": walls(serial),
        "fill": walls(fill),
        "warm": walls(warm),
        "one_file": walls(one),
        "one_file_facts": walls(one_facts),
        "maxrss_mb": max(s.maxrss_mb for s in [*cold, *fill, *warm, *one]),
        "tree_peak_mb": tree_peak,
        "findings": count_findings(cold[0].stdout),
        "native_flags": native,
    }
    if agent.semgrep_flags is not None:
        result["semgrep"] = bench_semgrep_engine(agent, tree, times)
    return result


def append_line(path: Path, line: str) -> None:
    """A harmless edit that changes the file's content hash."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def walls(samples: Sequence[Sample]) -> dict[str, object]:
    """Raw wall times plus their median, as stored in --json output.

    CPU seconds (user + sys of the child and its reaped children) are kept too: they move
    less than wall time when other processes compete for the cores.
    """
    return {
        "median_s": median(samples),
        "samples_s": [s.wall_s for s in samples],
        "cpu_median_s": statistics.median(s.cpu_s for s in samples),
    }


def bench_semgrep_engine(agent: Archguard, tree: Path, times: int) -> dict[str, object]:
    """archguard with its semgrep engine (cold and warm) next to semgrep alone."""
    flags = agent.semgrep_flags or []
    cold_cmd = agent.cmd(tree, "--no-cache", *flags)
    cold = checked(
        repeat(cold_cmd, tree, agent.env, times, lambda _: clear_cache(tree)), "semgrep", cold_cmd
    )
    clear_cache(tree)
    peak = run_sampled(cold_cmd, tree, agent.env)
    warm_cmd = agent.cmd(tree, *flags)
    clear_cache(tree)
    checked([run_measured(warm_cmd, tree, agent.env)], "semgrep fill", warm_cmd)
    warm = checked(repeat(warm_cmd, tree, agent.env, times), "semgrep warm", warm_cmd)
    result: dict[str, object] = {"cold": walls(cold), "warm": walls(warm), "alone": None,
                                 "peak_mb": peak}
    rules = REPO_ROOT / "semgrep_rules"
    if shutil.which("semgrep", path=agent.env["PATH"]) and any(rules.glob("*.y*ml")):
        alone_cmd = semgrep_cmd(rules, tree)
        alone = repeat(alone_cmd, tree, semgrep_env(tree), times)
        output = alone[0].stdout + alone[0].stderr
        if alone[0].returncode in OK_CODES and re.search(r"Ran \d+ rules? on", output):
            result["alone"] = walls(alone)
            result["alone_peak_mb"] = run_sampled(alone_cmd, tree, semgrep_env(tree))
        else:
            result["alone_error"] = tail(output)[-600:]
    return result


# ----------------------------------------------------------------------------- reference tools


@dataclass
class Tool:
    """A reference tool: its command on a tree and the setup it needs first."""

    name: str
    exe: str
    argv: Callable[[Path], list[str]]
    setup: Callable[[Path, int, int], None] = lambda tree, modules, seed: None
    cwd_is_tree: bool = False
    env: Callable[[Path], dict[str, str]] = lambda tree: child_env()
    ok_codes: tuple[int, ...] = OK_CODES
    # Exit code 1 means "violations" and "bad config" alike for most tools, so a real run is
    # recognised by its output; a config error must not be timed as if it were a check.
    expect: str = ""


def write_importlinter(tree: Path, modules: int, seed: int) -> None:
    """One layers contract over every module: router > service > repository > models."""
    containers = "\n".join(f"    cpv3.modules.{synth.mod_name(i)}" for i in range(modules))
    text = (
        "[importlinter]\nroot_package = cpv3\n\n"
        "[importlinter:contract:module-layers]\nname = Module layers\ntype = layers\n"
        f"containers =\n{containers}\n"
        "layers =\n    router\n    service\n    repository\n    models\n"
    )
    (tree / ".importlinter").write_text(text, encoding="utf-8")


def write_tach(tree: Path, modules: int, seed: int) -> None:
    """tach.toml: utility core packages, one tach module per domain module, services exposed.

    depends_on declares the generator's intended downward calls, so the planted upward
    import (the cycle) and foreign repository imports are what tach reports.
    """
    lines = [
        'source_roots = ["."]',
        "exact = false",
        "forbid_circular_dependencies = true",
        "",
    ]
    for core in ("cpv3.common", "cpv3.db", "cpv3.infrastructure"):
        lines += ["[[modules]]", f'path = "{core}"', "utility = true", ""]
    for i, targets in enumerate(synth.intended_deps(modules, seed)):
        deps = ", ".join(f'"cpv3.modules.{synth.mod_name(j)}"' for j in targets)
        lines += ["[[modules]]", f'path = "cpv3.modules.{synth.mod_name(i)}"']
        lines += [f"depends_on = [{deps}]", ""]
    names = ", ".join(f'"cpv3.modules.{synth.mod_name(i)}"' for i in range(modules))
    lines += ["[[interfaces]]", 'expose = ["service.*"]', f"from = [{names}]", ""]
    (tree / "tach.toml").write_text("\n".join(lines), encoding="utf-8")


def semgrep_env(tree: Path) -> dict[str, str]:
    """semgrep writes settings under XDG_CONFIG_HOME; keep that out of the user's home."""
    env = child_env()
    config_home = tree.parent / f"{tree.name}-xdg"
    config_home.mkdir(exist_ok=True)
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["SEMGREP_SEND_METRICS"] = "off"
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    return env


def semgrep_cmd(config: Path, tree: Path) -> list[str]:
    """semgrep scan with local rules only: no metrics, no version check, no registry."""
    return [
        "semgrep", "scan", "--config", str(config), "--metrics=off",
        "--disable-version-check", str(tree),
    ]  # fmt: skip


def one_semgrep_rule(requested: Path | None, workdir: Path) -> Path:
    """The rule for the 'semgrep, one rule' reference: requested, first repo rule, or built-in."""
    if requested is not None:
        return requested.resolve()
    repo_rules = sorted((REPO_ROOT / "semgrep_rules").glob("*.y*ml"))
    if repo_rules:
        return repo_rules[0]
    path = workdir / "inline-http-error-detail.yaml"
    path.write_text(BUILTIN_SEMGREP_RULE, encoding="utf-8")
    return path


def reference_tools(rule: Path) -> list[Tool]:
    """The tool combination of issue 6, in the order the issue lists them."""
    return [
        Tool("ruff", "ruff", lambda t: ["ruff", "check", "--select", "TID252,C901", "--no-cache",
                                        str(t)], expect=r"Found \d+ error|All checks passed"),
        Tool("tach", "tach", lambda t: ["tach", "check"], write_tach, cwd_is_tree=True,
             expect=r"^\[FAIL\]|All modules validated|✅"),
        Tool("lint-imports", "lint-imports", lambda t: ["lint-imports", "--no-cache", "--no-logo"],
             write_importlinter, cwd_is_tree=True, expect=r"Contracts: \d+ kept"),
        Tool("xenon", "xenon", lambda t: ["xenon", "--max-absolute", "B", str(t / "cpv3")],
             expect=r"^ERROR:xenon:block|\A\Z"),
        Tool("semgrep", "semgrep", lambda t: semgrep_cmd(rule, t), env=semgrep_env,
             expect=r"Ran \d+ rules? on \d+ files?"),
    ]  # fmt: skip


def tool_env_for(tool: Tool, tree: Path) -> dict[str, str]:
    """Tool environment; the tree on PYTHONPATH so import-graph tools can find cpv3."""
    env = tool.env(tree)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), env["PYTHONPATH"]])
    return env


def bench_tool(tool: Tool, tree: Path, size: int, args: argparse.Namespace) -> dict[str, object]:
    """Median of one reference tool, or why it was skipped."""
    env = tool_env_for(tool, tree)
    if shutil.which(tool.exe, path=env["PATH"]) is None:
        return {"skipped": "not installed"}
    tool.setup(tree, size, args.seed)
    cwd = tree if tool.cwd_is_tree else tree.parent
    before = lambda _: shutil.rmtree(tree / ".tach", ignore_errors=True)  # noqa: E731
    samples = repeat(tool.argv(tree), cwd, env, args.repeat, before)
    first = samples[0]
    output = first.stdout + first.stderr
    if first.returncode not in tool.ok_codes or not re.search(tool.expect, output, re.M):
        return {"skipped": f"exit {first.returncode}, unexpected output: {tail(output)[-600:]}"}
    return {**walls(samples), "returncode": first.returncode, "output": tail(output)[-600:]}


def bench_parse(snippet: str, tree: Path, times: int) -> dict[str, object]:
    """Single-process parse of every file of the tree (interpreter start-up included)."""
    samples = repeat([sys.executable, "-c", snippet, str(tree)], tree, child_env(), times)
    if samples[0].returncode != 0:
        return {"skipped": tail(samples[0].stderr)[-400:]}
    return walls(samples)


# ----------------------------------------------------------------------------- reporting


def fmt_s(value: object) -> str:
    """Seconds with two decimals, or '-' when not measured."""
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


def med(entry: object, key: str = "median_s") -> float | None:
    """Median seconds (wall by default) of a result entry, None when skipped or absent."""
    if isinstance(entry, dict) and isinstance(entry.get(key), int | float):
        return float(entry[key])
    return None


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Plain-text table with right-aligned columns (first column left-aligned)."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    for row in [headers, ["-" * w for w in widths], *rows]:
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells))
    print()


def archguard_rows(results: dict[int, dict[str, object]]) -> list[list[str]]:
    """Rows of the main table: size, tree stats and archguard medians."""
    rows = []
    for size, res in results.items():
        tree, ag = res["tree"], res.get("archguard") or {}
        rows.append([
            str(size), str(tree["files"]), str(tree["lines"]), fmt_s(med(ag.get("cold"))),
            fmt_s(med(ag.get("warm"))), fmt_s(med(ag.get("one_file"))),
            fmt_s(med(ag.get("one_file_facts"))),
            fmt_s(ag.get("maxrss_mb")).replace(".00", ""), fmt_s(ag.get("tree_peak_mb")),
            str(ag.get("findings", "-")), str(sum(tree["planted"].values())),
        ])  # fmt: skip
    return rows


def reference_rows(
    results: dict[int, dict[str, object]], names: Sequence[str], key: str = "median_s"
) -> list[list[str]]:
    """Rows of the reference table: each tool, their sum, the parse lines and the ratio."""
    rows = []
    for size, res in results.items():
        ref = res.get("reference", {})
        times = [med(ref.get(n), key) for n in names]
        total = combo_sum(ref, names, key)
        cold = med((res.get("archguard") or {}).get("cold"), key)
        ratio = f"{cold / total:.2f}" if cold is not None and total else "-"
        rows.append([str(size), *map(fmt_s, times), fmt_s(total),
                     fmt_s(med(res.get("ast_parse"), key)),
                     fmt_s(med(res.get("libcst_parse"), key)), fmt_s(cold), ratio])  # fmt: skip
    return rows


def combo_sum(
    ref: Mapping[str, object], names: Sequence[str], key: str = "median_s"
) -> float | None:
    """Sum of the reference tools that ran (None when none ran)."""
    times = [t for t in (med(ref.get(n), key) for n in names) if t is not None]
    return sum(times) if times else None


def semgrep_rows(results: dict[int, dict[str, object]]) -> list[list[str]]:
    """Rows comparing archguard's semgrep engine with semgrep alone."""
    rows = []
    for size, res in results.items():
        sg = (res.get("archguard") or {}).get("semgrep")
        if not sg:
            continue
        cold, alone = med(sg["cold"]), med(sg["alone"])
        ratio = f"{cold / alone:.2f}" if cold and alone else "-"
        rows.append([str(size), fmt_s(cold), fmt_s(med(sg["warm"])), fmt_s(alone), ratio])
    return rows


def report(results: dict[int, dict[str, object]], names: Sequence[str]) -> list[dict[str, object]]:
    """Print the tables and the target verdicts; return the verdicts."""
    print("\narchguard (native engine; medians in seconds)")
    print_table(["size", "files", "lines", "cold", "warm", "1-file", "1-file facts",
                 "maxrss MB", "tree MB", "findings", "planted"],
                archguard_rows(results))  # fmt: skip
    print("reference tools (medians in seconds; sum excludes the parse reference lines)")
    headers = ["size", *names, "sum", "ast.parse all files", "libcst all", "archguard cold",
               "cold/sum"]  # fmt: skip
    print_table(headers, reference_rows(results, names))
    print("same, CPU seconds (user+sys, children included; less sensitive to machine load)")
    print_table(headers, reference_rows(results, names, "cpu_median_s"))
    sg_rows = semgrep_rows(results)
    if sg_rows:
        print("semgrep engine (archguard with semgrep vs semgrep alone on the repo rule set)")
        print_table(["size", "cold+semgrep", "warm+semgrep", "semgrep alone", "ratio"], sg_rows)
    verdicts = evaluate_targets(results, names)
    print(f"targets of issue 6 ({TARGET_SIZE}-module tree unless stated)")
    print_verdicts(verdicts)
    for name, res in results.items():
        if name == TARGET_SIZE or not isinstance(name, int):
            label = f"{name}-module tree" if isinstance(name, int) else name
            print(f"targets of issue 15 ({label}; ratios of medians taken in this run)")
            round_two = evaluate_targets_15(res)
            print_verdicts(round_two)
            verdicts += [v | {"tree": str(name)} for v in round_two]
    return verdicts


def print_verdicts(verdicts: Sequence[Mapping[str, object]]) -> None:
    for v in verdicts:
        print(f"  {v['verdict']:<4}  {v['target']}: {v['detail']}")


def ratio_verdict(target: str, top: float | None, bottom: float | None, limit: float,
                  what: str) -> dict[str, object]:
    """A PASS/MISS on ``top / bottom`` with both figures in the detail."""
    value = top / bottom if top and bottom else None
    return verdict(target, value, limit,
                   f"{fmt_s(top)} s / {fmt_s(bottom)} s ({what}) = {fmt_s(value)}")


def evaluate_targets_15(res: Mapping[str, object]) -> list[dict[str, object]]:
    """The table of issue 15 for one tree (synthetic or a real project)."""
    ag = res.get("archguard") or {}
    sg = ag.get("semgrep") if isinstance(ag.get("semgrep"), dict) else {}
    ref = res.get("reference", {})
    anchor = combo_sum(ref, ANCHOR_TOOLS) if all(
        med(ref.get(n)) is not None for n in ANCHOR_TOOLS) else None
    edits = [v for v in (med(ag.get("one_file")), med(ag.get("one_file_facts"))) if v]
    one = max(edits) if edits else None
    peak = sg.get("peak_mb") or None
    return [
        ratio_verdict("cold, one process, no semgrep / parse floor <= 2.5",
                      med(ag.get("cold_serial")), med(res.get("ast_parse")),
                      TARGETS_15["serial_over_floor"], "read + ast.parse every file"),
        ratio_verdict("cold / (ruff + lint-imports + tach + xenon) <= 0.55", med(ag.get("cold")),
                      anchor, TARGETS_15["cold_over_anchor"], "sum of the four"),
        ratio_verdict("warm --format json / tach <= 0.65", med(ag.get("warm")),
                      med(ref.get("tach")), TARGETS_15["warm_json_over_tach"], "tach check"),
        verdict("one file changed <= 0.35 s", one, TARGETS_15["one_file_s"],
                f"{fmt_s(one)} s (the slower of a comment and a new function)"),
        ratio_verdict("cold with semgrep / semgrep alone <= 0.5", med(sg.get("cold")),
                      med(sg.get("alone")), TARGETS_15["semgrep_over_alone"],
                      "semgrep scan, same rules"),
        verdict("peak memory with semgrep <= 250 MB", peak, TARGETS_15["semgrep_peak_mb"],
                f"{fmt_s(peak)} MB (process tree; semgrep alone "
                f"{fmt_s(sg.get('alone_peak_mb'))} MB)"),
    ]


def verdict(target: str, value: float | None, limit: float, detail: str) -> dict[str, object]:
    """PASS/MISS (or n/a when not measured) with the numbers that decided it."""
    if value is None:
        return {"target": target, "verdict": "n/a", "value": None, "limit": limit,
                "detail": "not measured"}  # fmt: skip
    state = "PASS" if value <= limit else "MISS"
    return {"target": target, "verdict": state, "value": value, "limit": limit, "detail": detail}


def evaluate_targets(
    results: dict[int, dict[str, object]], names: Sequence[str]
) -> list[dict[str, object]]:
    """The numeric targets of issue 6, checked on the 300- and 1,000-module results."""
    res = results.get(TARGET_SIZE, {})
    ag = res.get("archguard") or {}
    cold, warm = med(ag.get("cold")), med(ag.get("warm"))
    edits = [v for v in (med(ag.get("one_file")), med(ag.get("one_file_facts"))) if v]
    one = max(edits) if edits else None  # the slower kind of edit
    combo = combo_sum(res.get("reference", {}), names)
    peak = max(ag.get("tree_peak_mb") or 0.0, ag.get("maxrss_mb") or 0.0) or None
    out = [
        verdict("cold <= 2.0 s", cold, TARGETS["cold_s"], f"{fmt_s(cold)} s"),
        verdict("cold <= 1/3 of tool combo", cold / combo if cold and combo else None,
                TARGETS["cold_combo_fraction"],
                f"{fmt_s(cold)} s vs sum {fmt_s(combo)} s = "
                f"{cold / combo if cold and combo else 0:.2f} (limit 0.33; "
                f"{tools_ran(res.get('reference', {}), names)} of 5 tools ran)"),
        verdict("warm <= 0.3 s", warm, TARGETS["warm_s"], f"{fmt_s(warm)} s"),
        verdict("one file changed <= 0.5 s", one, TARGETS["one_file_s"],
                f"{fmt_s(one)} s (the slower of a comment and a new function)"),
        verdict("peak memory <= 250 MB", peak, TARGETS["peak_mb"],
                f"{fmt_s(peak)} MB (max of tree PSS and single-process maxrss)"),
    ]  # fmt: skip
    out.append(scale_verdict(results))
    out += semgrep_verdicts(ag.get("semgrep"))
    return out


def tools_ran(ref: Mapping[str, object], names: Sequence[str]) -> int:
    """How many reference tools produced a time (the combo is partial when fewer than 5)."""
    return sum(med(ref.get(n)) is not None for n in names)


def scale_verdict(results: dict[int, dict[str, object]]) -> dict[str, object]:
    """1,000-module cold at most 3.5x the 300-module cold."""
    small = med((results.get(TARGET_SIZE, {}).get("archguard") or {}).get("cold"))
    big = med((results.get(SCALE_SIZE, {}).get("archguard") or {}).get("cold"))
    ratio = big / small if big and small else None
    detail = f"{fmt_s(big)} s / {fmt_s(small)} s = {fmt_s(ratio)}x"
    return verdict("1000-module cold <= 3.5x the 300 figure", ratio, TARGETS["scale_ratio"], detail)


def semgrep_verdicts(sg: object) -> list[dict[str, object]]:
    """Semgrep-engine targets: cold within +10% of semgrep alone, warm <= 0.3 s."""
    if not isinstance(sg, dict):
        return [verdict("with semgrep: cold <= semgrep alone + 10%", None, 1.1, ""),
                verdict("with semgrep: warm <= 0.3 s", None, 0.3, "")]  # fmt: skip
    cold, alone, warm = med(sg["cold"]), med(sg["alone"]), med(sg["warm"])
    ratio = cold / alone if cold and alone else None
    return [
        verdict("with semgrep: cold <= semgrep alone + 10%", ratio, TARGETS["semgrep_overhead"],
                f"{fmt_s(cold)} s vs {fmt_s(alone)} s = {fmt_s(ratio)}x"),
        verdict("with semgrep: warm <= 0.3 s", warm, TARGETS["semgrep_warm_s"], f"{fmt_s(warm)} s"),
    ]  # fmt: skip


# ----------------------------------------------------------------------------- driver


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    p = argparse.ArgumentParser(description="archguard speed benchmark (issue 6)")
    p.add_argument("--sizes", default="100,300,1000", help="comma-separated module counts")
    p.add_argument("--repeat", type=int, default=5, help="measured runs per figure (median)")
    p.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    p.add_argument("--workdir", type=Path, help="where trees are generated (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the generated trees")
    p.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    p.add_argument("--archguard-cmd", default=f"{shlex.quote(sys.executable)} -m archguard")
    p.add_argument("--skip-archguard", action="store_true", help="only trees and reference tools")
    p.add_argument("--skip-reference", action="store_true", help="do not run reference tools")
    p.add_argument("--tools", default="ruff,tach,lint-imports,xenon,semgrep")
    p.add_argument("--semgrep-rule", type=Path, help="rule file for the one-rule semgrep figure")
    p.add_argument("--libcst", action="store_true", help="also time libcst.parse_module (slow)")
    p.add_argument("--project", type=Path, action="append", default=[],
                   help="also measure a real project (a folder whose pyproject.toml has the "
                        "[tool.archguard] table); repeatable")
    args = p.parse_args(argv)
    args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def machine_info() -> dict[str, object]:
    """Where and when the numbers were taken (the README wants date and machine)."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]  # fmt: skip
        cpu = names[0] if names else cpu
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg": os.getloadavg(),
    }


def warn_if_busy(stage: str) -> None:
    """Other processes on a 2-core box inflate every figure; say so next to the numbers."""
    load1 = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if load1 > cores / 2:
        print(
            f"warning: 1-minute load average {load1:.1f} on {cores} cores {stage}; "
            "figures are inflated by other processes",
            file=sys.stderr,
            flush=True,
        )


def bench_size(
    size: int, args: argparse.Namespace, workdir: Path, agent: Archguard | None, rule: Path
) -> dict[str, object]:
    """Generate one tree and take every measurement on it."""
    tree = workdir / f"cpv3-{size}"
    shutil.rmtree(tree, ignore_errors=True)
    stats = synth.generate_tree(tree, size, args.seed)
    print(f"[{size}] generated {stats.files} files, {stats.lines} lines in {tree}", flush=True)
    res: dict[str, object] = {"tree": {k: v for k, v in stats.to_json().items()
                                       if k != "planted_at"}}  # fmt: skip
    if agent is not None:
        print(f"[{size}] archguard cold/warm/one-file ...", flush=True)
        res["archguard"] = bench_archguard(agent, tree, touch_file(tree, size), args.repeat)
    res["ast_parse"] = bench_parse(AST_PARSE_SNIPPET, tree, args.repeat)
    if args.libcst:
        res["libcst_parse"] = bench_parse(LIBCST_SNIPPET, tree, 1)
    if not args.skip_reference:
        res["reference"] = bench_reference(tree, size, args, rule)
    return res


def bench_project(source: Path, args: argparse.Namespace, workdir: Path, agent: Archguard | None,
                  ) -> dict[str, object]:
    """A real project (its [tool.archguard] config in place), copied so that caches and
    edits stay out of it: archguard, the parse floor over its package, semgrep alone. The
    reference tools need per-project contracts, so they run on the synthetic trees only."""
    import tomllib

    tree = workdir / f"project-{source.name}"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(source, tree, symlinks=True,
                    ignore=shutil.ignore_patterns(CACHE_DIR_NAME, ".git", "node_modules"))
    config = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    package = tree / config.get("tool", {}).get("archguard", {}).get("package", "cpv3")
    files = sorted(package.rglob("*.py"))
    lines = sum(f.read_bytes().count(b"\n") for f in files)
    print(f"[{source.name}] {len(files)} package files, {lines} lines in {tree}", flush=True)
    res: dict[str, object] = {"tree": {"files": len(files), "lines": lines, "planted": {}}}
    if agent is not None:
        print(f"[{source.name}] archguard cold/warm/one-file/semgrep ...", flush=True)
        res["archguard"] = bench_archguard(agent, tree, files[len(files) // 2], args.repeat)
    res["ast_parse"] = bench_parse(AST_PARSE_SNIPPET, package, args.repeat)
    return res


def bench_reference(tree: Path, size: int, args: argparse.Namespace, rule: Path) -> dict:
    """Every selected reference tool on the tree, with notes for the skipped ones."""
    wanted = {t.strip() for t in args.tools.split(",")}
    out: dict[str, object] = {}
    for tool in reference_tools(rule):
        if tool.name not in wanted:
            continue
        print(f"[{size}] {tool.name} ...", flush=True)
        out[tool.name] = bench_tool(tool, tree, size, args)
        if "skipped" in out[tool.name]:
            print(f"[{size}]   {tool.name} skipped: {out[tool.name]['skipped']}", flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size, print the tables and verdicts, optionally save JSON."""
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="archguard-bench-"))
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    names = [n for n in ("ruff", "tach", "lint-imports", "xenon", "semgrep")
             if n in {t.strip() for t in args.tools.split(",")}]  # fmt: skip
    warn_if_busy("at start")
    load_start = os.getloadavg()
    try:
        agent = None if args.skip_archguard else probe_archguard(args.archguard_cmd)
        rule = one_semgrep_rule(args.semgrep_rule, workdir)
        results: dict[int | str, dict[str, object]] = {
            size: bench_size(size, args, workdir, agent, rule) for size in args.size_list}
        for project in args.project:
            results[project.name] = bench_project(project.resolve(), args, workdir, agent)
    except BenchError as exc:
        print(f"benchmark aborted: {exc}", file=sys.stderr)
        return 2
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"trees kept in {workdir}", flush=True)
    info = machine_info() | {"loadavg_start": load_start}
    warn_if_busy("at the end")
    print(
        f"\n{info['date']}  {info['cpu']}  {info['cores']} cores  Python {info['python']}  "
        f"load {load_start[0]:.1f} -> {info['loadavg'][0]:.1f}"
    )
    if agent is not None:
        print(f"archguard: {' '.join(agent.base)}  native flags: {agent.native_flags or 'none'}")
    verdicts = report(results, names)
    if args.json:
        payload = {"machine": info, "args": vars(args) | {"workdir": str(workdir)},
                   "results": results, "targets": verdicts, "semgrep_rule": str(rule)}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
